"""Filters for pages that show summaries: Markdown output, translated labels,
and a Wayback timestamp as a date the locale formats."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.safestring import SafeString, mark_safe

from summarizer import catalogue, rendering

register = template.Library()


@register.filter
def markdown(text: str, mode: str = "summary") -> SafeString:
    """``{{ text|markdown }}`` (or ``|markdown:summary.mode``): sanitized HTML."""
    return mark_safe(rendering.summary_html(text or "", mode))  # nh3 has cleaned it


@register.filter
def mode_label(mode: str) -> str:
    return rendering.mode_label(mode)


@register.filter
def language_label(code: str) -> str:
    return rendering.language_label(code or "")


@register.simple_tag
def stage_label(summary, reading: dict | None = None) -> str:
    return rendering.stage_label(summary.stage, reading)


@register.filter
def wayback_date(timestamp: str) -> datetime | None:
    """``20240102030405`` as a datetime, for ``|date:"DATE_FORMAT"``; None if unreadable."""
    digits = (timestamp or "")[:14].ljust(14, "0")
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


@register.inclusion_tag("summarizer/model_note.html")
def model_note() -> dict:
    """The demonstration-model warning for pages outside the summarizer (the
    status page), which cannot import it: a template tag is looked up by name."""
    return rendering.model_note()


@register.simple_tag
def active_model() -> str:
    """The configured model's name, as the summaries it writes are labelled."""
    return catalogue.active_model_name()
