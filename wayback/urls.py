"""The Archive's URL forms: a capture's replay page, its raw bytes, its timestamp.

Every ``/web/{timestamp}/{url}`` in the project is built here, under the
configured ``WAYBACK_URL``, so a stand-in Archive in tests (or a mirror)
changes every link at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"


def _base(base_url: str | None) -> str:
    return (base_url or settings.WAYBACK_URL).rstrip("/")


def capture_url(timestamp: str, original: str, *, base_url: str | None = None) -> str:
    """The replay page of a capture (with the Archive's toolbar)."""
    return f"{_base(base_url)}/web/{timestamp}/{original}"


def raw_url(timestamp: str, original: str, *, base_url: str | None = None) -> str:
    """The capture's own bytes (``id_``: no toolbar, links as captured)."""
    return f"{_base(base_url)}/web/{timestamp}id_/{original}"


def calendar_url(original: str, *, base_url: str | None = None) -> str:
    """The Archive's list of every capture of ``original``."""
    return f"{_base(base_url)}/web/*/{original}"


_CAPTURE_PATH = re.compile(r"/web/(?P<timestamp>\d{1,14})(?:[a-z]{2}_)?/(?P<original>.+)$")


def parse_capture_url(url: str) -> tuple[str, str] | None:
    """``(timestamp, original)`` of a ``/web/{timestamp}[id_]/{original}`` URL
    (absolute or a path), as the Archive names the capture it answers with;
    None for any other URL."""
    found = _CAPTURE_PATH.search(url or "")
    if found is None:
        return None
    return found.group("timestamp"), found.group("original")


def wayback_timestamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(timestamp: str) -> datetime | None:
    """A 14-digit CDX timestamp as a UTC time; None for the invalid ones the
    index really holds (month 00, day 00, short stamps)."""
    try:
        return datetime.strptime(timestamp, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Snapshot:
    """A capture that exists in the Wayback Machine."""

    timestamp: str
    original: str
    wayback_url: str

    @classmethod
    def at(cls, timestamp: str, original: str, *, base_url: str | None = None) -> Snapshot:
        return cls(timestamp, original, capture_url(timestamp, original, base_url=base_url))

    @property
    def captured_at(self) -> datetime:
        when = parse_timestamp(self.timestamp)
        if when is None:
            raise ValueError(f"invalid Wayback timestamp {self.timestamp!r}")
        return when

    @property
    def raw_url(self) -> str:
        return raw_url(self.timestamp, self.original)
