"""Reading a page's archived copy: the capture the Archive really answered
with, and the page decoded as its own site's, not the Archive's."""

from __future__ import annotations

import json
import time

import pytest

from summarizer import archived
from tests.support.fake_wayback import recorded
from waybrief.fetching import Fetcher

#: Simplified Chinese whose GB2312 bytes are also valid, common-looking Big5:
#: only the .cn host tells which it is, as on many old blogs with no charset.
GB_TEXT = "北国风光好美的花大家来了"


@pytest.fixture
def wayback(wayback, settings, redis_client):
    settings.WAYBACK_URL = wayback.base_url
    settings.WAYBACK_LOOKUP_RATE_PER_MINUTE = 6000
    keys = redis_client.keys("waybrief:archiver:*")
    if keys:
        redis_client.delete(*keys)
    return wayback


def fetcher() -> Fetcher:
    return Fetcher(allow_private=True, timeout=10)  # the stand-in is on loopback


def test_the_capture_read_after_an_id_redirect_is_the_one_recorded(wayback):
    """GIVEN the recorded epa.gov answer: an id_ request for 20200201023757
    redirected ("found capture at 20200201024405") to the capture it replays
    WHEN the page is read from the Archive THEN the snapshot returned, which
    a summary records, is 20200201024405, and the page keeps its own URL."""
    chain = json.loads(recorded("replay/epa-id-redirects.json"))["interactions"]
    asked, answered = chain[2], chain[3]
    asked_at, url = asked["request"].split("/web/")[1].split("id_/")
    found_at = answered["request"].split("/web/")[1].split("id_/")[0]
    assert asked["headers"]["X-Archive-Redirect-Reason"] == f"found capture at {found_at}"
    wayback.add_page(url, time.time(), b"<html><body><p>Climate signpost</p></body></html>")
    wayback.captures[url] = [asked_at]
    wayback.replay_redirects[(asked_at, url)] = found_at

    page, snapshot = archived.read_capture(url, fetcher())

    assert snapshot.timestamp == found_at
    assert snapshot.wayback_url == f"{wayback.base_url}/web/{found_at}/{url}"
    assert (page.url, page.final_url) == (url, url)
    assert "Climate signpost" in page.text


def test_an_archived_page_is_decoded_with_its_own_hosts_charset_hints(wayback):
    """GIVEN a .cn blog post captured without any declared charset, its GB2312
    bytes also readable as Big5 WHEN it is read from the Archive THEN it is
    decoded as GB18030, as the .cn host suggests (under the Archive's host,
    127.0.0.1, the same bytes read as Big5 gibberish)."""
    url = "http://blog.example.cn/2011/05/post.html"
    body = f"<html><head><title>t</title></head><body><p>{GB_TEXT}</p></body></html>"
    wayback.add_page(url, time.time() - 86400, body.encode("gb2312"))
    wayback.raw_types[url] = "text/html"

    page, _ = archived.read_capture(url, fetcher())

    assert GB_TEXT in page.text and page.encoding == "gb18030"
