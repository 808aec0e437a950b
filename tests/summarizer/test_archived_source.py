"""Summaries read from the Archive: on request, and when the live page is gone."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.management import call_command

from summarizer import services
from summarizer.models import Summary
from tests.support.documents import ARTICLE
from tests.support.http import Reply

pytestmark = pytest.mark.django_db

LIVE = b"<html><head><title>Now something else</title></head><body><p>Parked.</p></body></html>"


def summarize(url: str, fetcher, backend, **options) -> Summary:
    summary = services.request_summary(url=url, enqueue=False, **options)
    return services.run_summary(summary_id=summary.pk, fetcher=fetcher, backend=backend)


def test_it_reads_the_latest_capture_when_asked(site, cdx_wayback, loopback_fetcher, model):
    """GIVEN a page whose live copy changed and two captures of its old text
    WHEN it is summarized with source=archive THEN the latest capture's raw
    bytes are read, the live page is not, and the summary names the capture."""
    url = site.route("/article", Reply(200, LIVE, {"Content-Type": "text/html"}))
    cdx_wayback.add_page(url, time.time() - 900 * 86400, ARTICLE.encode())
    latest = cdx_wayback.add_capture(url, time.time() - 86400)

    summary = summarize(url, loopback_fetcher, model, source="archive")

    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.document.title == "The Closing of Xuite"
    assert summary.capture_timestamp == latest
    assert summary.capture_url == f"{cdx_wayback.base_url}/web/{latest}/{url}"
    assert site.hits["/article"] == 0
    raw = [a.path for a in cdx_wayback.requests_to(f"/web/{latest}id_/{url}")]
    assert raw == [f"/web/{latest}id_/{url}"]


def test_a_page_that_is_gone_is_read_from_the_archive(site, cdx_wayback, loopback_fetcher, model):
    """GIVEN a page that now answers 410 and a capture of it WHEN it is
    summarized THEN the archived copy is read and the summary says which."""
    url = site.route("/gone", Reply(410, b"gone"))
    stamp = cdx_wayback.add_page(url, time.time() - 86400, ARTICLE.encode())

    summary = summarize(url, loopback_fetcher, model)

    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.capture_timestamp == stamp and summary.output.strip()


def test_a_gone_page_never_captured_fails_as_gone(site, cdx_wayback, loopback_fetcher, model):
    """GIVEN a 404 page the Archive never captured WHEN it is summarized THEN
    it fails saying the site answered 404."""
    url = site.route("/nothing", Reply(404, b"no"))

    summary = summarize(url, loopback_fetcher, model)

    assert summary.state == Summary.State.FAILED
    assert "404" in summary.error_message and not summary.capture_timestamp


def test_a_cached_live_summary_does_not_answer_a_request_for_the_archive(site, cdx_wayback):
    """GIVEN a finished summary of the live page WHEN the archived copy is
    asked for THEN a new request is made."""
    url = site.route("/p", Reply(200, LIVE, {"Content-Type": "text/html"}))
    live = Summary.objects.create(url=url, state=Summary.State.DONE, output="x")

    asked = services.request_summary(url=url, enqueue=False, source="archive")

    assert asked.pk != live.pk and asked.source == "archive"


def test_the_command_reads_from_the_archive(site, cdx_wayback, settings, model, monkeypatch):
    """GIVEN a captured page WHEN `summarize URL --from-archive --json` runs
    THEN the JSON names the capture it read."""
    settings.FETCH_ALLOW_PRIVATE = True
    monkeypatch.setattr("summarizer.services.get_backend", lambda: model)
    url = site.route("/a", Reply(200, LIVE, {"Content-Type": "text/html"}))
    stamp = cdx_wayback.add_page(url, time.time() - 86400, ARTICLE.encode())
    out = StringIO()

    call_command("summarize", url, "--from-archive", "--json", stdout=out, stderr=StringIO())

    result = json.loads(out.getvalue())
    assert result["capture"]["timestamp"] == stamp and result["title"] == "The Closing of Xuite"
