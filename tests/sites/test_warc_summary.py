"""A dead blog summarized from its local WARC copy, with no network at all."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from summarizer import services
from summarizer.models import Summary
from tests.sites.kept_blog import kept_blog
from tests.support.crawling import crawl
from waybrief.fetching import Fetcher

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warc_dir(settings, tmp_path):
    settings.WARC_DIR = str(tmp_path / "warc")


def summarize(url: str, backend, **options) -> Summary:
    summary = services.request_summary(url=url, enqueue=False, **options)
    fetcher = Fetcher(allow_private=True, timeout=5)
    return services.run_summary(summary_id=summary.pk, fetcher=fetcher, backend=backend)


def test_a_post_is_summarized_from_its_copy_when_blog_and_archive_are_gone(
    server, wayback, model
):
    """GIVEN a crawled blog whose site keeps WARC copies WHEN the blog and the
    Archive stand-in are both stopped and a post is summarized THEN the
    summary is made from the local copy, and the row says so."""
    blog, _site, bodies = kept_blog(server, 6)
    crawl(blog.base + "/")
    post = sorted(bodies)[3]
    server.stop()
    wayback.stop()

    summary = summarize(post, model)

    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.source == services.LOCAL and len(summary.capture_timestamp) == 14
    assert summary.document.title == "Note 3: the closing"
    assert "Volunteers of team 3" in summary.document.text and summary.output.strip()


def test_summarize_from_warc_reads_the_copy_and_not_the_live_page(server, settings):
    settings.FETCH_ALLOW_PRIVATE = True
    blog, _site, bodies = kept_blog(server, 4)
    crawl(blog.base + "/")
    post = sorted(bodies)[1]
    hits = dict(server.hits)
    out = StringIO()

    call_command("summarize", post, "--from-warc", "--json", stdout=out, stderr=StringIO())

    data = json.loads(out.getvalue())
    assert data["source"] == "local" and data["title"] == "Note 1: the closing"
    assert dict(server.hits) == hits  # nothing was fetched


def test_summarize_from_warc_without_a_copy_says_so(server):
    summary = services.request_summary(url=server.url("/never-kept"), enqueue=False,
                                       source=services.LOCAL)

    summary = services.run_summary(summary_id=summary.pk, fetcher=Fetcher(allow_private=True))

    assert summary.state == Summary.State.FAILED and summary.error_code == "not_copied"
