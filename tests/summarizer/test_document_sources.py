"""Summaries of PDF and Word files: from a URL, from the Archive, and their errors."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.management import call_command

from summarizer import documents, services
from summarizer.models import Summary
from tests.crawler.conftest import wayback  # noqa: F401
from tests.summarizer import pdfs
from tests.summarizer.test_documents import PROSE, a_docx
from tests.support.http import Reply

pytestmark = pytest.mark.django_db


def summarize(url: str, fetcher, backend, **options) -> Summary:
    summary = services.request_summary(url=url, enqueue=False, **options)
    return services.run_summary(summary_id=summary.pk, fetcher=fetcher, backend=backend)


def test_summarize_json_reports_pages_read_and_the_extractor(site, settings):
    """GIVEN a three-page PDF on a site WHEN `summarize --json` reads it
    THEN it prints a summary, the extractor and the pages read."""
    settings.FETCH_ALLOW_PRIVATE = True
    body = pdfs.text_pdf([pdfs.paragraphs(PROSE)] * 3)
    url = site.route("/report.pdf", Reply(200, body, {"Content-Type": "application/pdf"}))
    out = StringIO()

    call_command("summarize", url, "--json", stdout=out, stderr=StringIO())

    data = json.loads(out.getvalue())
    assert data["output"].strip()
    assert (data["extractor"], data["pages"]) == ("pypdf", {"read": 3, "total": 3})


def test_a_word_file_is_summarized(site, loopback_fetcher, model):
    url = site.route("/guide.docx", Reply(200, a_docx(PROSE), {
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}))

    summary = summarize(url, loopback_fetcher, model)

    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.document.extraction == "python-docx" and summary.output.strip()


def test_a_scanned_pdf_fails_saying_so(site, loopback_fetcher, model):
    pdf = {"Content-Type": "application/pdf"}
    url = site.route("/scan.pdf", Reply(200, pdfs.scanned_pdf(), pdf))

    summary = summarize(url, loopback_fetcher, model)

    assert summary.state == Summary.State.FAILED and not summary.output
    assert summary.error_code == "no_text_layer" and "OCR" in summary.error_message


def test_a_pdf_gone_from_its_site_is_read_from_its_capture(
    site, wayback, loopback_fetcher, model  # noqa: F811
):
    """GIVEN a PDF that now answers 404 and a capture of it WHEN it is
    summarized THEN the archived PDF is read with pypdf."""
    url = site.route("/gone.pdf", Reply(404, b"no"))
    stamp = wayback.add_page(url, time.time() - 86400, pdfs.text_pdf([pdfs.paragraphs(PROSE)]),
                             kind=("application/pdf", "200"))
    wayback.raw_types[url] = "application/pdf"

    summary = summarize(url, loopback_fetcher, model)

    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.capture_timestamp == stamp
    assert (summary.document.extraction, summary.document.pages_read) == ("pypdf", 1)


def test_a_pdf_is_summarized_from_its_local_warc_copy(site, loopback_fetcher, model, settings,
                                                      tmp_path):
    """GIVEN a PDF fetched once into a WARC copy WHEN its site is gone and it
    is summarized from the copy THEN the kept PDF is read with pypdf."""
    from waybrief import warc

    settings.WARC_DIR = str(tmp_path)
    body = pdfs.text_pdf([pdfs.paragraphs(PROSE)] * 2)
    url = site.route("/kept.pdf", Reply(200, body, {"Content-Type": "application/pdf"}))
    with warc.writer_for(url) as writer:
        loopback_fetcher.fetch(url, documents=documents.TYPES, recorder=writer.record)
    site.stop()

    summary = summarize(url, loopback_fetcher, model, source=services.LOCAL)

    assert summary.state == Summary.State.DONE, summary.error_message
    assert (summary.document.extraction, summary.document.pages_read) == ("pypdf", 2)
