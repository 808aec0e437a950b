"""The client and the CDX reading against answers the real Archive gave.

Each test replays a body recorded from the Wayback Machine (see
``tests/support/recorded/README.md``) through the stand-in, so what is
checked is how this project reads the Archive's own words.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from tests.support import cdx as index
from tests.support.fake_wayback import recorded, recorded_body
from wayback import WaybackClient, cdx
from wayback.cdx import CdxReader
from wayback.errors import Blocked, Refused


@pytest.fixture
def client(wayback) -> WaybackClient:
    return WaybackClient(base_url=wayback.base_url, timeout=5)


@pytest.fixture
def reader(wayback, client, settings, redis_client) -> CdxReader:
    """A reader within the shared look-up rate, at a rate no test waits on."""
    settings.WAYBACK_URL = wayback.base_url
    settings.WAYBACK_LOOKUP_RATE_PER_MINUTE = 6000
    keys = redis_client.keys("waybrief:archiver:*")
    if keys:
        redis_client.delete(*keys)
    return CdxReader(client)


def rows(name: str) -> list[index.Row]:
    return index.parse_recorded(recorded(name))


# --- 1: "same snapshot" ---------------------------------------------------------
def test_a_same_snapshot_answer_is_the_standing_capture_not_a_lost_save(client, wayback):
    """GIVEN SPN2's recorded answer to a save of a page captured 65 s before
    (HTTP 200, job_id null, "The same snapshot had been made 1 minutes and 5
    seconds ago") WHEN saving THEN the client says so, with the capture's age;
    it is not an Archive that lost the request."""
    answer = json.loads(recorded("spn2/same-snapshot.json"))
    url = answer["body"]["url"]
    wayback.save_answers[url] = [answer["body"]]

    saved = client.save(url)

    assert saved.job_id == "" and saved.recent_seconds == 65
    asked = datetime.fromisoformat(answer["asked_at"].replace("Z", "+00:00"))
    named = datetime.strptime(answer["capture"], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    # The recorded age places the capture SPN2 kept within a minute and a half of its stamp.
    assert abs((asked - named).total_seconds() - saved.recent_seconds) < 90


# --- 2: only a capture that replays the page counts ---------------------------------
@pytest.mark.parametrize("url", ["http://www.dw.com/", "https://www.dw.com/", "http://dw.com/"])
def test_unk_301s_and_revisits_of_a_301_are_no_capture_of_the_page(client, reader, wayback, url):
    """GIVEN dw.com's recorded rows: `unk` 301s, `text/html` 302s and
    `warc/revisit` rows whose digest is the 301s' (no 200 at all) WHEN the
    latest capture is asked for, redirects followed THEN there is none."""
    recorded_rows = rows("cdx/dw-unk-301.txt")
    assert {r.statuscode for r in recorded_rows} == {"301", "302", "-"}
    wayback.add_rows(recorded_rows)

    assert cdx.latest_capture(client, url, follow_redirect=True) is None
    assert reader.latest(url) is None


def test_a_page_that_only_404s_in_the_archive_has_no_capture(client, reader, wayback):
    """GIVEN nasa.gov's recorded 404 rows WHEN their latest capture is asked
    for THEN there is none: a 404 capture does not replay the page."""
    recorded_rows = rows("cdx/nasa-404s.txt")
    wayback.add_rows(recorded_rows)

    for row in recorded_rows:
        assert cdx.latest_capture(client, row.original, follow_redirect=True) is None


def test_a_redirect_counts_only_through_a_capture_of_its_target(client, reader, wayback):
    """GIVEN the recorded epa.gov chain: a 301 capture of /climatechange whose
    raw replay points (Location) at /signpost/cc.html, captured 7 minutes
    later WHEN a save that may have been sent is settled (redirects followed)
    THEN the target's capture counts; without a capture of the target, or
    without following, the 301 counts for nothing."""
    chain = json.loads(recorded("replay/epa-id-redirects.json"))["interactions"]
    moved_at, moved = chain[1]["request"].split("/web/")[1].split("id_/")
    target_at, target = chain[3]["request"].split("/web/")[1].split("id_/")
    assert chain[1]["status"] == 301 and chain[1]["headers"]["Location"].endswith(target)
    wayback.add_rows([
        index.Row(index.urlkey(moved), moved_at, moved, "text/html", "301", "A"),
        index.Row(index.urlkey(target), target_at, target, "text/html", "200", "B"),
    ])  # fmt: skip
    wayback.captures[moved] = [moved_at]
    wayback.kinds[moved] = ("text/html", "301")
    wayback.redirects[moved] = target
    since = datetime(2020, 2, 1, 2, 30, tzinfo=UTC)

    found = cdx.latest_capture(client, moved, since=since, follow_redirect=True)

    assert (found.timestamp, found.original) == (target_at, target)
    assert cdx.latest_capture(client, moved, since=since) is None
    wayback.redirects[moved] = "https://www.epa.gov/never-captured"
    assert cdx.latest_capture(client, moved, since=since, follow_redirect=True) is None


# --- 4: revisits --------------------------------------------------------------------
def test_a_revisit_counts_when_it_carries_the_digest_of_a_200(client, reader, wayback):
    """GIVEN energystar.gov's recorded revisit row (status "-", digest
    DBA3N…) moved to a year after the recorded 200 with that digest WHEN the
    latest capture is asked for THEN it is the revisit: the page unchanged."""
    recorded_rows = rows("cdx/energystar-revisits.txt")
    good = next(r for r in recorded_rows if r.statuscode == "200")
    revisit = next(r for r in recorded_rows if r.mimetype == "warc/revisit")
    assert revisit.digest == good.digest and revisit.statuscode == "-"
    later = dataclasses.replace(revisit, timestamp="2021" + revisit.timestamp[4:])
    wayback.add_rows([good, later])

    assert cdx.latest_capture(client, good.original).timestamp == later.timestamp
    assert reader.latest(good.original).timestamp == later.timestamp


def test_a_revisit_of_another_digest_does_not_count(client, reader, wayback):
    """GIVEN the same revisit row, but no 200 capture holds its digest WHEN
    the latest capture is asked for THEN the older 200 stands."""
    recorded_rows = rows("cdx/energystar-revisits.txt")
    good = next(r for r in recorded_rows if r.statuscode == "200")
    revisit = next(r for r in recorded_rows if r.mimetype == "warc/revisit")
    other = dataclasses.replace(revisit, timestamp="2021" + revisit.timestamp[4:], digest="X" * 32)
    wayback.add_rows([good, other])

    assert cdx.latest_capture(client, good.original).timestamp == good.timestamp


# --- 5: letter case -----------------------------------------------------------------
def test_the_index_key_is_lower_case_and_the_original_keeps_its_spelling(client, reader, wayback):
    """GIVEN nasa.gov's recorded rows, whose key is lower-cased (`%e2%80%a2`)
    while the original keeps `%E2%80%A2` WHEN asked in either spelling THEN the
    stand-in finds them as the index does, and the original spelling comes back."""
    recorded_rows = rows("cdx/nasa-404s.txt")
    raw = recorded_body("cdx/nasa-404s.txt")
    assert "gov,nasa)/%e2%80%a2 " in raw and "https://www.nasa.gov/%E2%80%A2/" in raw
    wayback.add_rows(recorded_rows)

    for spelling in ("www.nasa.gov/%E2%80%A2/", "www.nasa.gov/%e2%80%a2/"):
        found, _ = client.cdx_page([("url", spelling), ("fl", "original,statuscode")])
        assert {r["original"] for r in found} == {"https://www.nasa.gov/%E2%80%A2/"}
    assert cdx.fold("https://blog.example.org/Heartland/") == cdx.fold(
        "https://blog.example.org/heartland/"
    )


# --- 9: the blocked site -------------------------------------------------------------
def test_the_cdx_403_blocked_site_error_is_its_own_permanent_error(client, reader, wayback):
    """GIVEN the CDX server's recorded 403 for an excluded site WHEN its
    captures are asked for THEN the client raises Blocked (a refusal that
    says the site is excluded), not an outage to wait out."""
    wayback.blocked.add("nationalpost.com")

    with pytest.raises(Blocked) as caught:
        client.cdx_page([("url", "https://nationalpost.com/health")])
    assert isinstance(caught.value, Refused)
    assert "excludes this site" in caught.value.reason
    with pytest.raises(Blocked):
        list(reader.rows("https://nationalpost.com/health/"))
    assert len(wayback.cdx_requests()) == 2  # never retried
