"""PDF, Word, plain-text and Markdown sources, fetched from a loopback site.

Why pypdf (summarizer/documents.py), measured on these PDFs: prose and
CJK text (Identity-H with a ToUnicode map) came out the same from pypdf
and pdfminer.six (13 vs 17 ms, 334 vs 191 ms); 300 pages, 308 vs 257 ms.
Two columns drawn row by row: pdfminer.six separated the columns, pypdf
read across them. A 300 KB PDF inflating to 300 MB: pdfminer.six 636 MB
and 6 s; pypdf, under its configured cap, refused it in 69 ms.
"""

from __future__ import annotations

import io
import time

import docx
import pytest

from summarizer import documents
from summarizer.extract import extract
from tests.summarizer import pdfs
from tests.support.http import Reply
from waybrief.fetching import Fetcher
from waybrief.fetching.errors import NotText

PROSE = [
    "The Closing of Xuite. Xuite, the Taiwanese blog platform, closes its blogs this year.",
    "Every post must be exported before the servers go dark, or it is lost for good.",
]
CJK = ["隨意窩將於明年關閉，部落格文章需要備份。", "第二段：請盡快匯出您的文章，以免遺失。"]


@pytest.fixture
def fetcher() -> Fetcher:
    return Fetcher(allow_private=True, timeout=10)


def served(site, path: str, body: bytes, content_type: str) -> str:
    return site.route(path, Reply(200, body, {"Content-Type": content_type}))


def read(fetcher: Fetcher, url: str):
    return extract(fetcher.fetch(url, documents=documents.TYPES))


def a_docx(paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    document.core_properties.title = "Export guide"
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_fetcher_refuses_a_pdf_unless_the_caller_reads_documents(site, fetcher):
    """GIVEN a PDF WHEN fetched as a page THEN it is refused as binary, as
    before; WHEN fetched naming the document types THEN its bytes arrive."""
    body = pdfs.text_pdf([pdfs.paragraphs(PROSE)])
    url = served(site, "/paper.pdf", body, "application/pdf")

    with pytest.raises(NotText):
        fetcher.fetch(url)
    assert fetcher.fetch(url, documents=documents.TYPES).body == body


def test_a_pdf_from_a_url_is_read_page_by_page(site, fetcher):
    body = pdfs.text_pdf([pdfs.paragraphs(PROSE[:1]), pdfs.paragraphs(PROSE[1:])])
    result = read(fetcher, served(site, "/paper.pdf", body, "application/pdf"))

    assert "Taiwanese blog platform" in result.text and "go dark" in result.text
    assert (result.method, result.pages_read, result.pages_total) == ("pypdf", 2, 2)
    assert result.title.startswith("The Closing of Xuite") and result.language == "en"


def test_a_cjk_pdf_reads_as_its_characters(site, fetcher):
    body = pdfs.text_pdf([pdfs.paragraphs(CJK)], cjk=True)
    result = read(fetcher, served(site, "/zh.pdf", body, "application/pdf"))

    assert CJK[0] in result.text and CJK[1] in result.text
    assert result.language == "zh-hant"


def test_a_pdf_sent_as_octet_stream_is_recognised_by_its_bytes(site, fetcher):
    body = pdfs.text_pdf([pdfs.paragraphs(PROSE)])
    result = read(fetcher, served(site, "/download?id=3", body, "application/octet-stream"))

    assert result.method == "pypdf" and "go dark" in result.text


def test_other_binary_data_sent_as_octet_stream_is_still_refused(site, fetcher):
    url = served(site, "/blob", b"\x00\x01\x02" * 1000, "application/octet-stream")

    with pytest.raises(NotText):
        read(fetcher, url)


def test_a_scanned_pdf_is_a_clear_error_not_an_empty_summary(site, fetcher):
    url = served(site, "/scan.pdf", pdfs.scanned_pdf(), "application/pdf")

    with pytest.raises(documents.NoTextLayer, match="scanned.*OCR"):
        read(fetcher, url)


def test_a_password_protected_pdf_is_a_clear_error(site, fetcher):
    locked = pdfs.encrypted(pdfs.text_pdf([pdfs.paragraphs(PROSE)]), "secret")

    with pytest.raises(documents.PasswordProtected, match="password"):
        read(fetcher, served(site, "/locked.pdf", locked, "application/pdf"))


def test_a_pdf_locked_only_against_editing_still_reads(site, fetcher):
    """An empty open password (owner-only lock, common for "no copying")."""
    locked = pdfs.encrypted(pdfs.text_pdf([pdfs.paragraphs(PROSE)]), "")

    assert "go dark" in read(fetcher, served(site, "/owner.pdf", locked, "application/pdf")).text


def test_a_truncated_pdf_is_a_clear_error(site, fetcher):
    body = pdfs.text_pdf([pdfs.paragraphs(PROSE)] * 3)

    with pytest.raises(documents.DocumentError, match="damaged or cut short"):
        read(fetcher, served(site, "/cut.pdf", body[: len(body) // 2], "application/pdf"))


def test_a_2000_page_pdf_stops_at_the_page_cap(site, fetcher, settings):
    settings.DOCUMENT_MAX_PAGES = 50
    url = served(site, "/book.pdf", pdfs.many_pages_pdf(2000, "A page of a long book."),
                 "application/pdf")
    started = time.monotonic()

    result = read(fetcher, url)

    assert (result.pages_read, result.pages_total) == (50, 2000)
    assert result.text.count("A page of a long book.") == 50
    assert time.monotonic() - started < 10


def test_reading_stops_at_the_time_cap_and_keeps_what_it_read(site, fetcher, settings):
    settings.DOCUMENT_MAX_PAGES = 2000
    settings.DOCUMENT_TIMEOUT_SECONDS = 0.2
    url = served(site, "/book.pdf", pdfs.many_pages_pdf(2000, "A page of a long book."),
                 "application/pdf")
    started = time.monotonic()

    result = read(fetcher, url)

    assert 0 < result.pages_read < 2000 and result.pages_total == 2000
    assert time.monotonic() - started < 5


def test_a_pdf_that_inflates_past_the_cap_is_refused_quickly(site, fetcher, settings):
    settings.DOCUMENT_MAX_INFLATED_BYTES = 20 * 2**20
    bomb = pdfs.inflating_pdf(200 * 2**20, "Bomb line")
    assert len(bomb) < 2**20
    started = time.monotonic()

    with pytest.raises(documents.DocumentTooLarge, match="unpacks to more than 20 MB"):
        read(fetcher, served(site, "/bomb.pdf", bomb, "application/pdf"))
    assert time.monotonic() - started < 5


def test_a_word_file_reads_its_paragraphs_and_tables_in_order(site, fetcher):
    body = a_docx(PROSE, table=[["Platform", "Closes"], ["Xuite", "2026"]])
    result = read(fetcher, served(site, "/guide.docx", body, documents.DOCX))

    assert result.text.splitlines() == [*PROSE, "Platform | Closes", "Xuite | 2026"]
    assert (result.method, result.title) == ("python-docx", "Export guide")


def test_a_word_file_that_unpacks_past_the_cap_is_refused(site, fetcher, settings):
    settings.DOCUMENT_MAX_INFLATED_BYTES = 2**20
    body = a_docx(["word " * 400_000])

    with pytest.raises(documents.DocumentTooLarge):
        read(fetcher, served(site, "/huge.docx", body, documents.DOCX))


def test_plain_text_and_markdown_are_read_as_text(site, fetcher):
    text = "\n\n".join(PROSE)
    markdown = "# Export guide\n\n" + text + "\n\n- one\n- two\n"

    plain = read(fetcher, served(site, "/notes.txt", text.encode(), "text/plain; charset=utf-8"))
    marked = read(fetcher, served(site, "/guide.md", markdown.encode(), "text/markdown"))

    assert (plain.text, plain.method, plain.kind) == (text, "plain", "text")
    assert (marked.title, marked.method) == ("# Export guide", "plain")
    assert "go dark" in marked.text
