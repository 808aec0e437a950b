"""How long until a site is archived, from the one save rate every worker shares.

Saves leave at most ``WAYBACK_RATE_PER_MINUTE`` per ``WAYBACK_RATE_WINDOW_SECONDS``
across all workers (``wayback.ratelimit``), halved for a while after a 429
and stopped during a pause. Captures are worked roughly in the order they
were asked for, so a site's last post is done once every open capture asked
for before it, of any site, is done too.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archiver.models import Capture
from wayback.ratelimit import SAVE, rate_now

RATE_CACHE_SECONDS = 5.0  # a page polled by many viewers reads the shared state this often


@dataclass(frozen=True)
class SaveRate:
    """Saves allowed per ``window`` seconds now, and seconds left of a pause."""

    per_window: int
    window: float
    paused_for: float = 0.0

    @property
    def per_minute(self) -> float:
        return self.per_window * 60.0 / self.window if self.window > 0 else 0.0


def eta_seconds(*, remaining: int, ahead: int, rate: SaveRate) -> float:
    """Seconds until ``remaining`` saves are done with ``ahead`` others before them.

    No work left is 0; otherwise the pause left plus one slot interval for
    every save in line, this site's last one included.
    """
    if remaining <= 0:
        return 0.0
    interval = rate.window / max(1, rate.per_window)
    return max(0.0, rate.paused_for) + (max(0, ahead) + remaining) * interval


_cached: tuple[float, SaveRate] | None = None


def current_rate() -> SaveRate:
    """The save rate in force now: the configured one, cut after a 429, paused
    after one. Read from the limiter's shared state, kept a few seconds."""
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached[0] < RATE_CACHE_SECONDS:
        return _cached[1]
    limit = max(1, settings.WAYBACK_RATE_PER_MINUTE)
    window = settings.WAYBACK_RATE_WINDOW_SECONDS
    paused_for = 0.0
    with contextlib.suppress(Exception):  # unreadable shared state: the configured rate
        limit, paused_for = rate_now(SAVE)
    rate = SaveRate(per_window=limit, window=window, paused_for=paused_for)
    _cached = (now, rate)
    return rate


def queue_ahead(site_urls, remaining: int) -> int:
    """Open captures of other requests asked for before this site's last open one."""
    if remaining <= 0:
        return 0
    open_captures = Capture.objects.filter(state__in=Capture.OPEN_STATES)
    last = (
        open_captures.filter(url__in=site_urls).order_by("-created_at")
        .values_list("created_at", flat=True).first()
    )  # fmt: skip
    if last is None:
        return 0
    return max(0, open_captures.filter(created_at__lte=last).count() - remaining)


def describe(seconds: float | None) -> str:
    """A duration as a person reads it: "about 3 minutes", "about 2 hours"."""
    if seconds is None:
        return ""
    if seconds <= 0:
        return _("done")
    minutes = math.ceil(seconds / 60)
    if minutes < 2:
        return _("under 2 minutes")
    if minutes < 120:
        return ngettext("about %(n)d minute", "about %(n)d minutes", minutes) % {"n": minutes}
    hours = round(minutes / 60)
    if hours < 48:
        return ngettext("about %(n)d hour", "about %(n)d hours", hours) % {"n": hours}
    days = round(hours / 24)
    return ngettext("about %(n)d day", "about %(n)d days", days) % {"n": days}
