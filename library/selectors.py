"""What a user may see in the library, and searching it.

Visibility (the reliability issue's rules): a public summary is anyone's to
find; a private one (made with ``cache=false`` or from submitted text) is
its owner's alone, staff included. Sites: staff see every one, other people
the ones they added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from crawler.models import DiscoveredURL, Site
from summarizer.models import Summary

from .backends import backend_for
from .indexing import catch_up
from .models import Entry
from .text import parse_query


def visible_summaries_q(user, prefix: str = "") -> Q:
    """Public summaries, and the private ones ``user`` made."""
    public = Q(**{f"{prefix}private": False})
    if user is not None and user.is_authenticated:
        return public | Q(**{f"{prefix}owner": user})
    return public


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides its words; ``None`` leaves a filter off."""

    site: Site | None = None
    language: str = ""
    mode: str = ""
    since: date | None = None
    until: date | None = None


def search(*, query: str, user, filters: Filters | None = None) -> QuerySet[Entry]:
    """Entries ``user`` may see that hold every word of ``query`` (all of them
    for an empty one), best match first, newest first among equals."""
    catch_up()
    filters = filters or Filters()
    entries = (
        Entry.objects.filter(summary__state=Summary.State.DONE, summary__keep=True)
        .filter(visible_summaries_q(user, "summary__"))
        .select_related("summary__document")
        .defer("terms", "summary__partial_output")
    )
    entries = _filtered(entries, filters)
    terms = parse_query(query)
    if not terms:
        return entries.order_by("-summary__finished_at", "-pk")
    return (
        backend_for(entries.db)
        .match(entries, terms)
        .order_by("-relevance", "-summary__finished_at", "-pk")
    )


def _filtered(entries: QuerySet[Entry], filters: Filters) -> QuerySet[Entry]:
    if filters.site is not None:
        posts = DiscoveredURL.objects.filter(site=filters.site).values("url")
        entries = entries.filter(summary__url__in=posts)
    if filters.language:
        entries = entries.filter(summary__language__iexact=filters.language)
    if filters.mode:
        entries = entries.filter(summary__mode=filters.mode)
    if filters.since:
        entries = entries.filter(summary__finished_at__gte=_start_of(filters.since))
    if filters.until:
        entries = entries.filter(
            summary__finished_at__lt=_start_of(filters.until + timedelta(days=1))
        )
    return entries


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` in the current time zone (the reader's days, not UTC's)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def languages(user) -> list[str]:
    """The summary languages among what ``user`` can find, for the filter."""
    rows = (
        Summary.objects.filter(state=Summary.State.DONE, keep=True, library_entry__isnull=False)
        .filter(visible_summaries_q(user))
        .exclude(language="")
        .values_list("language", flat=True)
        .distinct()
        .order_by("language")
    )
    return list(rows)
