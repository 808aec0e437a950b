"""Times in the admin and the capture event log are full timestamps, in the
operator's zone: "7 a.m." (Django's English format on the hour) told an
operator neither the minute nor the zone."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from archiver.models import Capture, CaptureEvent
from summarizer.models import Summary
from tests.support.waiting import ROOT

pytestmark = pytest.mark.django_db
SEVEN_SHARP = datetime(2026, 12, 1, 7, 0, 0, tzinfo=UTC)


def summary_at(when: datetime) -> Summary:
    summary = Summary.objects.create(url="https://example.org/t", state="done", output="x")
    Summary.objects.filter(pk=summary.pk).update(created_at=when, finished_at=when)
    return summary


def test_the_admin_shows_seconds_and_the_zone_not_7_am(admin_client):
    """GIVEN a summary made at 07:00:00 UTC THEN the admin list and page say
    "2026-12-01 07:00:00 UTC", never "7 a.m."."""
    summary = summary_at(SEVEN_SHARP)
    listing = admin_client.get("/admin/summarizer/summary/").content.decode()
    page = admin_client.get(f"/admin/summarizer/summary/{summary.pk}/change/").content.decode()
    for html in (listing, page):
        assert "2026-12-01 07:00:00 UTC" in html
        assert "7 a.m." not in html


def test_times_are_shown_in_the_operators_time_zone(admin_client, settings):
    """GIVEN TIME_ZONE=Asia/Taipei THEN the same moment and a capture's event log
    read 15:00:00 in Taipei's zone."""
    settings.TIME_ZONE = "Asia/Taipei"
    summary_at(SEVEN_SHARP)
    capture = Capture.objects.create(url="https://example.org/c")
    CaptureEvent.objects.create(capture=capture, at=SEVEN_SHARP, to_state="pending")
    listing = admin_client.get("/admin/summarizer/summary/").content.decode()
    events = admin_client.get(f"/admin/archiver/capture/{capture.pk}/change/").content.decode()
    assert "2026-12-01 15:00:00 CST" in listing
    assert "2026-12-01 15:00:00 CST" in events and "3 p.m." not in events


def test_the_time_zone_comes_from_the_environment_and_defaults_to_utc():
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.TIME_ZONE)")
    base = {k: v for k, v in os.environ.items() if k != "TIME_ZONE"}
    base["DJANGO_SETTINGS_MODULE"] = "waybrief.settings"
    zones = [
        subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                       text=True, check=True).stdout.strip()
        for env in (base, {**base, "TIME_ZONE": "Europe/Berlin"})
    ]  # fmt: skip
    assert zones == ["UTC", "Europe/Berlin"]
