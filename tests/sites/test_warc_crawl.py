"""A crawl of a site that keeps WARC copies: every post, byte for byte, once."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from warcio.archiveiterator import ArchiveIterator

from crawler.models import CrawlRun
from tests.sites.kept_blog import kept_blog
from tests.support.crawling import crawl
from tests.support.http import Reply
from waybrief import warc
from waybrief.warc import index

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warc_dir(settings, tmp_path) -> Path:
    settings.WARC_DIR = str(tmp_path / "warc")
    return tmp_path / "warc"


def kept_bodies(folder: Path) -> dict[str, bytes]:
    """Every response record's URL and payload, read back with warcio."""
    found = {}
    for path in index.closed_files(folder):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    found[url] = record.content_stream().read()
    return found


def test_a_crawl_keeps_every_post_byte_for_byte_in_files_that_pass_the_checker(server):
    """GIVEN a blog of 30 posts whose site keeps WARC copies WHEN it is
    crawled THEN every post is read once, its WARC record replays exactly
    the stand-in's body, and `warc check` passes every file."""
    blog, site, bodies = kept_blog(server, 30)

    run, announced = crawl(blog.base + "/")

    assert run.state == CrawlRun.State.DONE and set(announced) == set(bodies)
    assert run.stats["posts_kept"] == 30
    assert all(server.hits[urlsplit(url).path] == 1 for url in bodies)
    folder = warc.folder_for(site.url)
    assert not list(folder.glob("*.open"))
    kept = kept_bodies(folder)
    assert {url: kept[url] for url in bodies} == bodies
    assert blog.base + "/sitemap_index.xml" in kept  # the list pages are kept too
    call_command("warc", "check", site.url, stdout=StringIO(), stderr=StringIO())


def test_a_later_crawl_does_not_read_a_kept_post_again(server):
    blog, _site, bodies = kept_blog(server, 12)
    crawl(blog.base + "/")

    run, _ = crawl(blog.base + "/", fresh=True)

    assert run.state == CrawlRun.State.DONE and run.stats["posts_kept"] == 0
    assert all(server.hits[urlsplit(url).path] == 1 for url in bodies)


def test_a_site_without_the_switch_keeps_nothing_and_reads_no_post(server):
    blog, site, bodies = kept_blog(server, 12, keep=False)

    run, _ = crawl(blog.base + "/")

    assert run.state == CrawlRun.State.DONE and "posts_kept" not in run.stats
    assert all(server.hits[urlsplit(url).path] == 0 for url in bodies)
    assert not warc.folder_for(site.url).exists()


def test_warc_list_and_export_write_a_cdxj_index_for_replay(server, tmp_path):
    blog, site, bodies = kept_blog(server, 10)
    crawl(blog.base + "/")
    listed, out = StringIO(), tmp_path / "export"

    call_command("warc", "list", site.url, stdout=listed, stderr=StringIO())
    call_command("warc", "export", str(site.pk), "--out", str(out), stdout=StringIO(),
                 stderr=StringIO())

    assert ".warc.gz\t" in listed.getvalue()
    lines = (out / "index.cdxj").read_text().splitlines()
    urls = {json.loads(line.split(" ", 2)[2])["url"] for line in lines}
    assert set(bodies) <= urls
    assert lines == sorted(lines)  # CDXJ is sorted by key, as pywb reads it
    assert len(list(out.glob("*.warc.gz"))) == len(index.closed_files(warc.folder_for(site.url)))


def test_warc_check_fails_on_a_damaged_file(server):
    blog, site, _ = kept_blog(server, 5)
    crawl(blog.base + "/")
    (path,) = index.closed_files(warc.folder_for(site.url))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="failed the check"):
        call_command("warc", "check", site.url, stdout=StringIO(), stderr=StringIO())


def test_a_post_that_failed_is_read_by_the_resumed_run_and_only_it(server):
    """GIVEN a kept site whose one post answers 503 WHEN it is crawled THEN
    the run ends incomplete without that post; WHEN the post is back and
    the run resumes THEN only that post is read, and every post is kept."""
    blog, site, bodies = kept_blog(server, 8)
    broken = sorted(bodies)[2]
    path = urlsplit(broken).path
    server.route(path, Reply(503, b"busy", {"Retry-After": "0"}))

    first, _ = crawl(blog.base + "/")
    assert first.state == CrawlRun.State.INCOMPLETE and first.stats["posts_kept"] == 7
    server.route(path, Reply(200, bodies[broken], {"Content-Type": "text/html"}))

    resumed, _ = crawl(blog.base + "/")

    assert resumed.pk == first.pk and resumed.state == CrawlRun.State.DONE
    assert resumed.stats["posts_kept"] == 1
    assert all(server.hits[urlsplit(url).path] == 1 for url in bodies if url != broken)
    assert {url: body for url, body in kept_bodies(warc.folder_for(site.url)).items()
            if url in bodies} == bodies


def test_a_deleted_post_is_kept_as_its_404_and_does_not_fail_the_run(server):
    blog, site, bodies = kept_blog(server, 4)
    gone = sorted(bodies)[0]
    server.route(urlsplit(gone).path, Reply(404, b"deleted"))

    run, _ = crawl(blog.base + "/")

    assert run.state == CrawlRun.State.DONE
    assert warc.Copies(warc.folder_for(site.url)).latest(gone)["status"] == 404


def test_each_posts_images_styles_and_scripts_on_its_host_are_kept_once_and_bounded(server):
    """GIVEN two posts that both name one style sheet, a script, and 30
    images, and one image elsewhere WHEN the site is crawled THEN the style
    sheet is read once, each page's first 20 requisites are kept, and
    nothing on another host is read."""
    from crawler.keeping import REQUISITES_PER_PAGE

    blog, site, bodies = kept_blog(server, 2)
    elsewhere = "http://other.invalid/pixel.gif"
    named = ['<link rel="stylesheet" href="/style.css">', '<script src="/app.js"></script>',
             f'<img src="{elsewhere}">', *(f'<img src="/img/{n}.png">' for n in range(30))]
    page = f"<html><head>{named[0]}</head><body>{''.join(named[1:])}</body></html>".encode()
    for url in bodies:
        bodies[url] = page
        server.route(urlsplit(url).path, Reply(200, bodies[url], {"Content-Type": "text/html"}))
    for path in ["/style.css", "/app.js", *(f"/img/{n}.png" for n in range(30))]:
        server.route(path, Reply(200, path.encode(), {"Content-Type": "text/plain"}))

    run, _ = crawl(blog.base + "/")

    assert run.state == CrawlRun.State.DONE
    kept = kept_bodies(warc.folder_for(site.url))
    assert server.hits["/style.css"] == server.hits["/app.js"] == 1
    assert kept[blog.base + "/style.css"] == b"/style.css"
    images = [n for n in range(30) if blog.base + f"/img/{n}.png" in kept]
    assert images == list(range(REQUISITES_PER_PAGE - 2))  # the page's first 20, in order
    assert not any(path.startswith("/img/") and hits > 1 for path, hits in server.hits.items())
