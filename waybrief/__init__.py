"""Waybrief: save the web before it disappears, and tell you what a page says."""

from .celery import app as celery_app

__all__ = ("celery_app",)
