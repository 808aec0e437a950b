"""Reads: which finished summary can answer a request without the model."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import prompts
from .backends import configured_model_name
from .models import Summary


def cached_for_url(*, url: str, mode: str, target_language: str) -> Summary | None:
    """A recent finished summary of the same URL: the bookmarklet's fast path.
    Written by the configured model under today's prompts and decoding
    (``prompts.VERSION`` covers both): a model switch must not serve old answers."""
    fresh_since = timezone.now() - timedelta(seconds=settings.SUMMARY_URL_CACHE_SECONDS)
    return (
        Summary.objects.filter(
            url=url,
            mode=mode,
            target_language=target_language,
            model=configured_model_name(),
            prompt_version=prompts.VERSION,
            state=Summary.State.DONE,
            keep=True,
            private=False,
            finished_at__gte=fresh_since,
        )
        .order_by("-finished_at")
        .first()
    )


def cached_for_content(
    *, content_hash: str, mode: str, language: str, model: str
) -> Summary | None:
    """A finished summary of identical text, in the same mode, language and model."""
    return (
        Summary.objects.filter(
            document__content_hash=content_hash,
            mode=mode,
            language=language,
            model=model,
            prompt_version=prompts.VERSION,
            state=Summary.State.DONE,
            private=False,
        )
        .order_by("-finished_at")
        .first()
    )


def in_flight_for_url(*, url: str, mode: str, target_language: str) -> Summary | None:
    """A summary of the same request still being written: reloading a page
    (or a client retrying) joins it instead of starting another."""
    since = timezone.now() - timedelta(seconds=settings.SUMMARY_STREAM_SECONDS)
    return (
        Summary.objects.filter(
            url=url,
            mode=mode,
            target_language=target_language,
            state__in=[Summary.State.PENDING, Summary.State.FETCHING, Summary.State.SUMMARIZING],
            keep=True,
            private=False,
            created_at__gte=since,
        )
        .order_by("-created_at")
        .first()
    )


def recently_failed_for_url(*, url: str, mode: str, target_language: str) -> Summary | None:
    """A summary of the same request that failed a moment ago: opening the
    request again shows it (with its retry button) instead of starting anew,
    so a page that reloads itself cannot turn one failure into dozens."""
    since = timezone.now() - timedelta(seconds=settings.SUMMARY_FAILED_HOLD_SECONDS)
    return (
        Summary.objects.filter(
            url=url,
            mode=mode,
            target_language=target_language,
            state=Summary.State.FAILED,
            private=False,
            finished_at__gte=since,
        )
        .order_by("-finished_at")
        .first()
    )


def owned_by(user):
    """The summaries an API user may list, read and poll: their own."""
    return Summary.objects.filter(owner=user) if user.is_authenticated else Summary.objects.none()


def recent(limit: int = 10):
    """The home page's list: public summaries only (never private ones)."""
    return (
        Summary.objects.filter(state=Summary.State.DONE, keep=True, private=False)
        .select_related("document")
        .order_by("-finished_at")[:limit]
    )
