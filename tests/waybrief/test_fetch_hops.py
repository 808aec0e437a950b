"""A fetch that followed redirects says so, and hands each hop to the
recorder before the answer it led to, so a WARC copy keeps the whole chain."""

from __future__ import annotations

import anyio
import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.support.http import Reply
from waybrief.fetching import AsyncFetcher, FetchedPage, Fetcher
from waybrief.fetching.client import HOP_BODY_BYTES
from waybrief.fetching.exchange import Exchange
from waybrief.warc import WarcWriter
from waybrief.warc.tools import check

HTML = {"Content-Type": "text/html; charset=utf-8"}


def sync_get(url: str, recorder) -> FetchedPage:
    return Fetcher(allow_private=True, timeout=10).fetch(url, recorder=recorder)


def async_get(url: str, recorder) -> FetchedPage:
    async def main() -> FetchedPage:
        async with AsyncFetcher(allow_private=True, timeout=10, recorder=recorder) as fetcher:
            return await fetcher.get(url)

    return anyio.run(main)


FACES = {"sync": sync_get, "async": async_get}


def chain(site) -> str:
    """/start 302 -> /moved 301 -> /post 200."""
    site.route("/post", Reply(200, b"<p>the post</p>", HTML))
    site.route("/moved", Reply(301, b"moved for good", {"Location": "/post"}))
    return site.route("/start", Reply(302, b"", {"Location": site.url("/moved")}))


@pytest.mark.parametrize("face", FACES)
def test_each_hop_is_recorded_before_the_answer_and_the_page_names_them(site, face):
    """GIVEN a 302 to a 301 to a page WHEN either face fetches it with a
    recorder THEN the recorder gets the 302, the 301 and the 200, in that
    order, each with its own URL, Location and body; the page lists the two
    redirected URLs."""
    start = chain(site)
    recorded: list[Exchange] = []

    page = FACES[face](start, recorded.append)

    assert page.redirects == [start, site.url("/moved")]
    assert page.final_url == site.url("/post") and page.body == b"<p>the post</p>"
    assert [(e.url, e.status) for e in recorded] == [
        (start, 302), (site.url("/moved"), 301), (site.url("/post"), 200)]
    assert dict(recorded[0].response_headers)["Location"] == site.url("/moved")
    assert recorded[1].payload == b"moved for good"
    assert site.hits["/start"] == site.hits["/moved"] == site.hits["/post"] == 1


@pytest.mark.parametrize("face", FACES)
def test_a_fetch_that_was_not_redirected_lists_no_redirects(site, face):
    recorded: list[Exchange] = []
    page = FACES[face](site.route("/here", Reply(200, b"<p>here</p>", HTML)), recorded.append)
    assert page.redirects == [] and [e.status for e in recorded] == [200]


def test_a_redirect_with_a_huge_body_is_followed_but_not_recorded(site):
    """Only whole answers are kept, and a redirect body past the hop cap is
    not read in full: the chain is followed and the answer still recorded."""
    site.route("/post", Reply(200, b"<p>the post</p>", HTML))
    big = b"x" * (HOP_BODY_BYTES + 1)
    start = site.route("/big", Reply(302, big, {"Location": "/post"}))
    recorded: list[Exchange] = []

    page = sync_get(start, recorded.append)

    assert page.redirects == [start] and page.body == b"<p>the post</p>"
    assert [e.status for e in recorded] == [200]


def test_no_hop_is_recorded_when_the_chain_never_ends_in_an_answer(site):
    site.route("/a", Reply(302, b"", {"Location": "/b"}))
    site.route("/b", Reply(302, b"", {"Location": "/a"}))
    recorded: list[Exchange] = []

    with pytest.raises(Exception, match="Too many redirects"):
        sync_get(site.url("/a"), recorded.append)

    assert recorded == []


@pytest.mark.parametrize("face", FACES)
def test_the_warc_holds_every_hop_as_its_own_response_record_in_order(site, face, tmp_path):
    """GIVEN the same chain fetched into a WARC writer WHEN the file is read
    back with warcio THEN it holds a response record per hop (3xx, with its
    Location) and then the answer, each with its own WARC-Target-URI; the
    file passes warcio's checker."""
    start = chain(site)
    with WarcWriter(tmp_path, max_file_bytes=10**9) as writer:
        FACES[face](start, writer.record)
    (path,) = writer.files_closed

    with path.open("rb") as stream:
        responses = [(r.rec_headers.get_header("WARC-Target-URI"),
                      r.http_headers.get_statuscode(), r.http_headers.get_header("Location"),
                      r.content_stream().read())
                     for r in ArchiveIterator(stream) if r.rec_type == "response"]
    assert responses == [
        (start, "302", site.url("/moved"), b""),
        (site.url("/moved"), "301", "/post", b"moved for good"),
        (site.url("/post"), "200", None, b"<p>the post</p>"),
    ]
    passed, report = check(path)
    assert passed, report
