"""Each kept post's row knows where its copy is: read back by offset, no scan."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler import keeping
from crawler.models import CrawlRun, DiscoveredURL
from tests.sites.kept_blog import kept_blog, post_html
from tests.support.crawling import crawl
from tests.support.http import Reply
from waybrief import warc

pytestmark = pytest.mark.django_db
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(autouse=True)
def warc_dir(settings, tmp_path) -> Path:
    settings.WARC_DIR = str(tmp_path / "warc")
    return tmp_path / "warc"


def record_at(warc_dir: Path, row: DiscoveredURL):
    """The record the row names, read from exactly its byte range (its
    payload read in ``payload``): the range holds that one record."""
    data = (warc_dir / row.warc_file).read_bytes()[row.warc_offset:][:row.warc_length]
    records = []
    for record in ArchiveIterator(io.BytesIO(data)):
        record.payload = record.content_stream().read()
        records.append(record)
    assert len(records) == 1
    return records[0]


def test_every_kept_post_row_names_its_file_offset_and_length(server, warc_dir):
    """GIVEN a blog of 8 posts whose site keeps copies WHEN it is crawled THEN
    each post's row names its closed WARC file, and the bytes at its offset
    and length are one whole gzip member holding that post's response record,
    byte for byte; ``kept_copy`` reads the page back from the row alone."""
    blog, site, bodies = kept_blog(server, 8)

    run, _ = crawl(blog.base + "/")

    assert run.state == CrawlRun.State.DONE
    rows = list(DiscoveredURL.objects.filter(site=site))
    assert {row.url for row in rows} == set(bodies)
    for row in rows:
        assert row.warc_file.endswith(".warc.gz") and (warc_dir / row.warc_file).is_file()
        assert warc.site_file(site.url, row.warc_file) == warc_dir / row.warc_file
        record = record_at(warc_dir, row)
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == row.url
        assert record.payload == bodies[row.url]
        member = (warc_dir / row.warc_file).read_bytes()[row.warc_offset:][:row.warc_length]
        assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")  # one whole gzip member
        page = keeping.kept_copy(row)
        assert (page.url, page.status, page.body) == (row.url, 200, bodies[row.url])


def test_rows_of_posts_kept_before_rows_knew_learn_it_without_a_fetch(server):
    """GIVEN a crawl whose rows lost their places (kept before this, or a
    worker killed before the batch was written) WHEN the site is crawled
    again THEN no post is read again and every row learns its place from the
    closed files' index."""
    blog, site, bodies = kept_blog(server, 6)
    crawl(blog.base + "/")
    places = {r.url: (r.warc_file, r.warc_offset) for r in DiscoveredURL.objects.filter(site=site)}
    DiscoveredURL.objects.filter(site=site).update(warc_file="", warc_offset=None,
                                                   warc_length=None)

    run, _ = crawl(blog.base + "/", fresh=True)

    assert run.stats["posts_kept"] == 0
    assert all(server.hits[urlsplit(url).path] == 1 for url in bodies)
    assert {r.url: (r.warc_file, r.warc_offset)
            for r in DiscoveredURL.objects.filter(site=site)} == places


def test_a_post_whose_payload_repeats_is_read_back_through_its_revisit_record(server, warc_dir):
    """GIVEN two posts with the same body WHEN they are kept THEN the later is
    a revisit record, its row points at it, and reading by the row still
    gives the whole page."""
    blog, site, bodies = kept_blog(server, 3)
    first, second, _ = sorted(bodies)
    for url in (first, second):
        bodies[url] = post_html(1)
        server.route(urlsplit(url).path, Reply(200, bodies[url], HTML))

    crawl(blog.base + "/")

    rows = {r.url: r for r in DiscoveredURL.objects.filter(site=site, url__in=[first, second])}
    kinds = {url: record_at(warc_dir, row).rec_type for url, row in rows.items()}
    assert sorted(kinds.values()) == ["response", "revisit"]
    for url, row in rows.items():
        assert keeping.kept_copy(row).body == bodies[url]


def test_a_redirected_post_keeps_its_hop_then_its_answer_and_its_row_names_the_answer(
    server, warc_dir
):
    """GIVEN a post that answers 301 to where it moved WHEN it is kept THEN the
    file holds the 301 (under the post's URL) before the moved page, the row
    names the moved page's record, and the copy reads as the moved page."""
    blog, site, bodies = kept_blog(server, 3)
    moved = sorted(bodies)[1]
    target = blog.base + "/moved-here"
    server.route(urlsplit(moved).path, Reply(301, b"", {"Location": "/moved-here"}))
    server.route("/moved-here", Reply(200, bodies[moved], HTML))

    crawl(blog.base + "/")

    row = DiscoveredURL.objects.get(site=site, url=moved)
    record = record_at(warc_dir, row)
    assert record.rec_headers.get_header("WARC-Target-URI") == target
    with (warc_dir / row.warc_file).open("rb") as stream:
        order = [(r.rec_headers.get_header("WARC-Target-URI"), r.http_headers.get_statuscode())
                 for r in ArchiveIterator(stream) if r.rec_type == "response"]
    assert order.index((moved, "301")) + 1 == order.index((target, "200"))
    copies = warc.Copies(warc.folder_for(site.url))
    page = copies.page(moved, max_bytes=10**6)
    assert (page.status, page.body, page.redirects) == (200, bodies[moved], [moved])
    assert moved in copies


def test_a_redirect_kept_without_the_page_it_leads_to_is_not_a_copy(tmp_path):
    """A writer killed between a hop and its answer keeps only the hop: that
    post counts as not kept, so the next crawl reads it again."""
    from waybrief.fetching.exchange import Exchange

    hop = Exchange(url="http://blog.test/p/1", method="GET", request_headers=[],
                   http_version="HTTP/1.1", status=301, reason="Moved",
                   response_headers=[("Location", "/p/1-moved")], payload=b"")
    with warc.WarcWriter(tmp_path, max_file_bytes=10**9) as writer:
        writer.record(hop)

    copies = warc.Copies(tmp_path)
    assert "http://blog.test/p/1" not in copies and copies.located("http://blog.test/p/1") is None


def test_a_crawl_and_archive_notes_each_captures_local_copy(server, warc_dir):
    """GIVEN a blog of 5 posts whose site keeps copies WHEN it is crawled with
    archiving THEN each post's capture names the same WARC file, offset and
    length as its post row: the Archive's request and the local copy meet."""
    from archiver.models import Capture
    from crawler.services import execute_run, start_crawl

    blog, site, bodies = kept_blog(server, 5)

    run = execute_run(run_id=start_crawl(url=blog.base + "/", archive=True).pk)

    assert run.state == CrawlRun.State.DONE
    posts = {row.url: (row.warc_file, row.warc_offset, row.warc_length)
             for row in DiscoveredURL.objects.filter(site=site)}  # fmt: skip
    captures = {c.url: (c.warc_file, c.warc_offset, c.warc_length)
                for c in Capture.objects.all()}  # fmt: skip
    assert set(captures) == set(bodies) and captures == posts
    assert all(name.endswith(".warc.gz") and length for name, _, length in captures.values())
