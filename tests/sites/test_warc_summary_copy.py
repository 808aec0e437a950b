"""A page summarized from a live fetch is kept as a WARC copy too: when its
site keeps copies, or for every page with SUMMARY_WARC on."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from summarizer import services, warc_copy
from summarizer.models import Summary
from tests.sites.kept_blog import kept_blog, post_html
from tests.support.crawling import crawl
from tests.support.http import Reply
from waybrief import warc
from waybrief.fetching import Fetcher
from waybrief.warc import index
from waybrief.warc.tools import check

pytestmark = pytest.mark.django_db
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(autouse=True)
def warc_dir(settings, tmp_path) -> Path:
    settings.WARC_DIR = str(tmp_path / "warc")
    settings.SUMMARY_WARC = False
    return tmp_path / "warc"


def responses(folder: Path) -> list[tuple[str, str, bytes]]:
    found = []
    for path in index.closed_files(folder):
        with path.open("rb") as stream:
            found += [(r.rec_headers.get_header("WARC-Target-URI"),
                       r.http_headers.get_statuscode(), r.content_stream().read())
                      for r in ArchiveIterator(stream) if r.rec_type == "response"]
    return found


def fetch(url: str):
    return Fetcher(allow_private=True, timeout=5).fetch(url, recorder=warc_copy.recorder_for(url))


def test_a_live_summary_of_a_kept_sites_page_is_kept_and_read_back_once_the_blog_is_gone(
    server, wayback, model
):
    """GIVEN a crawled blog whose site keeps copies, and a post it published
    after the crawl WHEN that post is summarized from the live page THEN the
    summary is made live, the post's response lands in a closed WARC file of
    the site, byte for byte, and with the blog and the Archive stopped the
    copy is what a summary would read."""
    blog, site, _ = kept_blog(server, 3)
    crawl(blog.base + "/")
    before = set(index.closed_files(warc.folder_for(site.url)))
    fresh, body = blog.base + "/posts/after-the-crawl.html", post_html(7)
    server.route(urlsplit(fresh).path, Reply(200, body, HTML))

    summary = services.request_summary(url=fresh, enqueue=False)
    summary = services.run_summary(summary_id=summary.pk, fetcher=Fetcher(allow_private=True),
                                   backend=model)

    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.source != services.LOCAL
    new_files = set(index.closed_files(warc.folder_for(site.url))) - before
    assert len(new_files) == 1 and check(next(iter(new_files)))[0]
    assert (fresh, "200", body) in responses(warc.folder_for(site.url))
    server.stop()
    wayback.stop()
    page, stamp = warc_copy.read_copy(fresh)
    assert page.body == body and len(stamp) == 14


def test_nothing_is_kept_for_a_site_that_keeps_no_copies_with_the_setting_off(server, warc_dir):
    url = server.route("/page", Reply(200, b"<p>just read</p>", HTML))

    assert warc_copy.recorder_for(url) is None
    fetch(url)

    assert not warc_dir.exists()


def test_with_summary_warc_on_every_page_is_kept_with_each_redirect_before_it(
    server, settings
):
    """GIVEN SUMMARY_WARC on and a page reached through a 302 and a 301 WHEN it
    is fetched for a summary THEN one closed file in the host's folder holds
    the 302, the 301 and the page as response records, in that order, the
    file passes warcio's checker, and the copy reads back past the hops."""
    settings.SUMMARY_WARC = True
    server.route("/final", Reply(200, b"<p>the page</p>", HTML))
    server.route("/second", Reply(301, b"", {"Location": "/final"}))
    start = server.route("/first", Reply(302, b"", {"Location": "/second"}))

    page = fetch(start)

    assert page.redirects == [start, server.url("/second")]
    folder = warc.folder_for(server.url("/"))
    (path,) = index.closed_files(folder)
    assert not list(folder.glob("*.open")) and check(path)[0]
    assert [(url, status) for url, status, _ in responses(folder)] == [
        (start, "302"), (server.url("/second"), "301"), (server.url("/final"), "200")]
    copy, _ = warc_copy.read_copy(start)
    assert (copy.body, copy.redirects) == (b"<p>the page</p>", [start, server.url("/second")])


def test_a_copy_that_cannot_be_written_costs_the_fetch_nothing(server, settings, tmp_path, caplog):
    settings.SUMMARY_WARC = True
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the WARC folder would go")
    settings.WARC_DIR = str(blocked)
    url = server.route("/page", Reply(200, b"<p>still read</p>", HTML))

    with caplog.at_level(logging.WARNING, logger="summarizer.warc_copy"):
        page = fetch(url)

    assert page.body == b"<p>still read</p>"
    assert "could not be written" in caplog.text
