"""PDF and Word sources → text, within caps on pages, inflated size and time.

PDFs are read with pypdf, not pdfminer.six. Compared on PDFs made as real
ones are (tests/summarizer/pdfs.py; figures in tests/summarizer/
test_documents.py's docstring): both read prose and CJK text through a
ToUnicode map alike, at the same speed. pdfminer.six's layout analysis
wins on one shape, two columns drawn row by row, which pypdf reads across;
but pdfminer.six has no limit on what a stream inflates to (a 300 KB PDF
took 636 MB and 6 s), while pypdf bounds every decoder, the page tree and
the parsing work (``pypdf.apply_configuration``), so a hostile PDF is a
clear error in milliseconds. A summarizer fed links by strangers needs
the second more than the first. Word files go through python-docx, after
the zip's declared sizes are checked against the same cap.
"""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass

import docx
import pypdf
from django.conf import settings
from docx.table import Table
from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

from waybrief.fetching.errors import FetchError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OCTET_STREAM = "application/octet-stream"  # many servers send PDFs as this: sniffed
#: binary types the summarizer's fetcher lets through for this module to read
TYPES = frozenset({PDF, DOCX, OCTET_STREAM})
EXTRACTORS = frozenset({"pypdf", "python-docx"})  # ``Extracted.method`` of a document
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted Word file, or an old .doc


class DocumentError(FetchError):
    """The document arrived but cannot be read; ``str()`` says why."""

    code = "unreadable_document"
    http_status = 422


class PasswordProtected(DocumentError):
    code = "password_protected"


class NoTextLayer(DocumentError):
    code = "no_text_layer"


class DocumentTooLarge(DocumentError):
    code = "document_too_large"


@dataclass(frozen=True)
class Caps:
    pages: int
    inflated_bytes: int
    seconds: float
    chars: int

    @classmethod
    def from_settings(cls) -> Caps:
        return cls(pages=settings.DOCUMENT_MAX_PAGES,
                   inflated_bytes=settings.DOCUMENT_MAX_INFLATED_BYTES,
                   seconds=settings.DOCUMENT_TIMEOUT_SECONDS,
                   chars=settings.DOCUMENT_MAX_TEXT_CHARS)


@dataclass
class DocumentText:
    title: str
    text: str
    extractor: str  # "pypdf" or "python-docx"
    pages_read: int = 0  # PDF pages whose text was read (Word files have no pages)
    pages_total: int = 0


def kind_of(content_type: str, body: bytes) -> str | None:
    """"pdf", "docx" or None, from the bytes first: the Archive and many
    servers name a document's type wrongly or not at all."""
    head = body[:1024]
    if b"%PDF-" in head or content_type == PDF:
        return "pdf"
    if content_type == DOCX or (head.startswith(b"PK\x03\x04") and _is_word(body)):
        return "docx"
    return None


def read(body: bytes, kind: str, *, caps: Caps | None = None) -> DocumentText:
    """Raises a ``DocumentError`` for what cannot be read, never returns empty text."""
    caps = caps or Caps.from_settings()
    result = _read_pdf(body, caps) if kind == "pdf" else _read_docx(body, caps)
    result.text = result.text.strip()
    if not result.text:
        raise DocumentError("That document holds no text.")
    return result


def _read_pdf(body: bytes, caps: Caps) -> DocumentText:
    limit = caps.inflated_bytes
    try:
        with pypdf.apply_configuration(
            maximum_declared_stream_length=limit, zlib_maximum_output_length=limit,
            lzw_maximum_output_length=limit, run_length_maximum_output_length=limit,
            array_based_stream_maximum_output_length=limit, brotli_maximum_output_length=limit,
            jbig2_maximum_output_length=limit, image_maximum_buffer_size=limit,
        ):
            return _pdf_text(pypdf.PdfReader(io.BytesIO(body)), caps)
    except (PasswordProtected, FileNotDecryptedError):
        raise PasswordProtected("That PDF is locked with a password.") from None
    except LimitReachedError:
        raise DocumentTooLarge(
            f"That PDF unpacks to more than {limit // 2**20} MB; it was not read."
        ) from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        # pypdf raises plain Python errors too on some malformed files
        raise DocumentError(f"That PDF is damaged or cut short ({exc}).") from None


def _pdf_text(reader, caps: Caps) -> DocumentText:
    if reader.is_encrypted and not reader.decrypt(""):  # "" opens owner-only locks
        raise PasswordProtected("locked")
    total = len(reader.pages)
    deadline = time.monotonic() + caps.seconds
    parts: list[str] = []
    size = read = 0
    images = False
    for page in reader.pages[: caps.pages]:
        if time.monotonic() > deadline and read:
            break  # keep what was read; the pages count says how much
        text = page.extract_text() or ""
        images = images or (not text.strip() and _has_images(page))
        parts.append(text)
        read += 1
        size += len(text)
        if size >= caps.chars:
            break
    text = "\n\n".join(part.strip() for part in parts if part.strip())[: caps.chars]
    if not text.strip():
        raise NoTextLayer(
            "That PDF has no text layer: it looks scanned, and reading it would need OCR."
            if images else "That PDF has no text layer."
        )
    title = str((reader.metadata or {}).get("/Title") or "").strip()
    return DocumentText(title=title or _first_line(text), text=text, extractor="pypdf",
                        pages_read=read, pages_total=total)


def _has_images(page) -> bool:
    resources = page.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)


def _read_docx(body: bytes, caps: Caps) -> DocumentText:
    if body.startswith(_OLE):
        raise PasswordProtected(
            "That Word file is locked with a password (or is an old .doc, which is not read)."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
        inflated = sum(member.file_size for member in archive.infolist())
        if inflated > caps.inflated_bytes:
            raise DocumentTooLarge(
                f"That Word file unpacks to more than {caps.inflated_bytes // 2**20} MB."
            )
        document = docx.Document(io.BytesIO(body))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"That Word file is damaged or cut short ({exc}).") from None
    text = "\n".join(_blocks(document))[: caps.chars]
    title = (document.core_properties.title or "").strip()
    return DocumentText(title=title or _first_line(text), text=text, extractor="python-docx")


def _blocks(document) -> list[str]:
    """Paragraphs and tables in the order they stand, a table row a line."""
    blocks = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                blocks.append(" | ".join(cell.text.strip() for cell in row.cells))
        elif item.text.strip():
            blocks.append(item.text.strip())
    return blocks


def _is_word(body: bytes) -> bool:
    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    except zipfile.BadZipFile:
        return False


def _first_line(text: str) -> str:
    return next((line.strip()[:200] for line in text.splitlines() if line.strip()), "")
