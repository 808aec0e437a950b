"""The ETA of a site's archiving, from the one save rate all workers share."""

from __future__ import annotations

import pytest

from archiver.models import Capture
from sites.pages import eta
from sites.pages.progress import site_snapshot
from tests.sites.pages_data import a_site
from wayback import ratelimit


def test_no_work_left_is_done_now():
    assert eta.eta_seconds(remaining=0, ahead=50, rate=eta.SaveRate(4, 60.0)) == 0


def test_each_save_in_line_takes_one_slot_interval():
    """4 saves a minute: 10 of this site's behind 2 of others' is 12 intervals of 15 s."""
    assert eta.eta_seconds(remaining=10, ahead=2, rate=eta.SaveRate(4, 60.0)) == 180


def test_a_pause_the_archive_asked_for_comes_first():
    rate = eta.SaveRate(per_window=60, window=60.0, paused_for=30.0)
    assert eta.eta_seconds(remaining=60, ahead=0, rate=rate) == 90


def test_a_duration_reads_as_a_person_says_it():
    assert eta.describe(0) == "done"
    assert eta.describe(45) == "under 2 minutes"
    assert eta.describe(10 * 60) == "about 10 minutes"
    assert eta.describe(5 * 3600) == "about 5 hours"
    assert eta.describe(4 * 86400) == "about 4 days"


@pytest.mark.django_db
def test_the_rate_in_force_is_the_one_the_limiter_cut_after_a_429(
    settings, redis_client, monkeypatch
):
    """GIVEN 8 saves a minute and a 429 from the Archive (the limiter halves the rate
    and pauses) WHEN the rate is read THEN it is 4 a minute, with the pause left."""
    settings.WAYBACK_RATE_PER_MINUTE = 8
    settings.WAYBACK_RATE_WINDOW_SECONDS = 60.0
    settings.WAYBACK_PAUSE_SECONDS = 30.0
    settings.WAYBACK_SLOWDOWN_SECONDS = 600.0
    keys = redis_client.keys("waybrief:archiver:*")
    if keys:
        redis_client.delete(*keys)
    monkeypatch.setattr(eta, "_cached", None)
    try:
        assert eta.current_rate() == eta.SaveRate(8, 60.0, 0.0)
        ratelimit.throttled(ratelimit.SAVE, retry_after=None)
        monkeypatch.setattr(eta, "_cached", None)
        rate = eta.current_rate()
        assert rate.per_window == 4 and 0 < rate.paused_for <= 30
    finally:
        keys = redis_client.keys("waybrief:archiver:*")
        if keys:
            redis_client.delete(*keys)


@pytest.mark.django_db
def test_a_sites_eta_counts_the_captures_asked_for_before_its_own(settings, monkeypatch,
                                                                  redis_client):  # fmt: skip
    """GIVEN 6 captures of another request queued first, then this site's 3 pending
    posts, at 6 saves a minute WHEN its progress is read THEN 9 saves are in line: 90 s."""
    settings.WAYBACK_RATE_PER_MINUTE = 6
    settings.WAYBACK_RATE_WINDOW_SECONDS = 60.0
    keys = redis_client.keys("waybrief:archiver:*")
    if keys:
        redis_client.delete(*keys)
    monkeypatch.setattr(eta, "_cached", None)
    Capture.objects.bulk_create(Capture(url=f"https://other.example.org/{n}") for n in range(6))
    site = a_site(posts=5)
    Capture.objects.bulk_create(Capture(url=f"{site.url}/{n}") for n in range(3))
    Capture.objects.create(url=f"{site.url}/4", state="archived")
    archive = site_snapshot(site)["archive"]
    assert archive["remaining"] == 3 and archive["eta_seconds"] == 90
    assert archive["rate_per_minute"] == 6
