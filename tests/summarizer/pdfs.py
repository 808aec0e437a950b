"""PDFs made in the test, byte by byte: no font or generator to download.

Shaped like real ones: text in Helvetica, CJK text the way Word and
LibreOffice write it (a Type0 font, Identity-H codes, a ToUnicode map),
two columns drawn row by row as some exporters do, a scanned page that is
only an image, and a page tree of thousands of pages sharing one stream.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

#: (x, y, text) drawn at 11 pt; y counts up from the bottom of an A4 page
Line = tuple[float, float, str]

_TO_UNICODE = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end"""


@dataclass
class _Builder:
    """Numbered objects, then the cross-reference table and the trailer."""

    objects: list[bytes]

    def add(self, body: bytes) -> int:
        self.objects.append(body)
        return len(self.objects)

    def reserve(self) -> int:
        return self.add(b"null")

    def set(self, number: int, body: bytes) -> None:
        self.objects[number - 1] = body

    def stream(self, data: bytes, extra: bytes = b"", *, compress: bool = True) -> int:
        if compress:
            data, extra = zlib.compress(data), extra + b" /Filter /FlateDecode"
        return self.add(b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data +
                        b"\nendstream")

    def build(self, root: int) -> bytes:
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                  % (len(self.objects) + 1, root, xref))
        return out.getvalue()


def _latin(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _cjk(text: str) -> bytes:
    return b"<" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _content(lines: list[Line], cjk: bool) -> bytes:
    ops = []
    for x, y, text in lines:
        shown = _cjk(text) if cjk else _latin(text)
        ops.append(b"BT /F1 11 Tf 1 0 0 1 %.1f %.1f Tm %s Tj ET" % (x, y, shown))
    return b"\n".join(ops)


def _fonts(pdf: _Builder, cjk: bool) -> int:
    if not cjk:
        return pdf.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                       b"/Encoding /WinAnsiEncoding >>")
    to_unicode = pdf.stream(_TO_UNICODE, compress=False)
    descriptor = pdf.add(b"<< /Type /FontDescriptor /FontName /MingLiU /Flags 4 "
                         b"/FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800 "
                         b"/Descent -200 /CapHeight 700 /StemV 80 >>")
    cid = pdf.add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /MingLiU "
                  b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                  b"/FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap /Identity >>"
                  % descriptor)
    return pdf.add(b"<< /Type /Font /Subtype /Type0 /BaseFont /MingLiU /Encoding /Identity-H "
                   b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid, to_unicode))


def _finish(pdf: _Builder, pages_ref: int, kids: list[int], resources: bytes) -> bytes:
    kid_refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    pdf.set(pages_ref, b"<< /Type /Pages /Kids [%s] /Count %d /Resources %s "
                       b"/MediaBox [0 0 595 842] >>" % (kid_refs, len(kids), resources))
    root = pdf.add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_ref)
    return pdf.build(root)


def text_pdf(pages: list[list[Line]], *, cjk: bool = False) -> bytes:
    """One page per list of lines."""
    pdf = _Builder([])
    pages_ref = pdf.reserve()
    font = _fonts(pdf, cjk)
    kids = []
    for lines in pages:
        content = pdf.stream(_content(lines, cjk))
        kids.append(pdf.add(b"<< /Type /Page /Parent %d 0 R /Contents %d 0 R >>"
                            % (pages_ref, content)))
    return _finish(pdf, pages_ref, kids, b"<< /Font << /F1 %d 0 R >> >>" % font)


def paragraphs(texts: list[str], *, x: float = 60, top: float = 780, width: int = 80) -> list[Line]:
    """Lines of running text, wrapped at ``width`` characters, 14 pt apart."""
    lines, y = [], top
    for text in texts:
        words, line = text.split(), ""
        for word in words:
            if line and len(line) + 1 + len(word) > width:
                lines.append((x, y, line))
                y, line = y - 14, ""
            line = f"{line} {word}".strip()
        lines.append((x, y, line))
        y -= 24
    return lines


def two_columns(left: list[str], right: list[str]) -> list[Line]:
    """Two columns of lines, drawn row by row (left 1, right 1, left 2, …),
    as some exporters write tables and newsletters."""
    lines = []
    for row, (a, b) in enumerate(zip(left, right, strict=True)):
        y = 780 - row * 14
        lines += [(60, y, a), (320, y, b)]
    return lines


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that are only a grey image: what a scanner without OCR writes."""
    pdf = _Builder([])
    pages_ref = pdf.reserve()
    image = pdf.stream(bytes(range(256)) * 256, b" /Type /XObject /Subtype /Image /Width 256 "
                       b"/Height 256 /ColorSpace /DeviceGray /BitsPerComponent 8")
    content = pdf.stream(b"q 480 0 0 680 57 80 cm /Im1 Do Q")
    kids = [pdf.add(b"<< /Type /Page /Parent %d 0 R /Contents %d 0 R >>" % (pages_ref, content))
            for _ in range(pages)]
    return _finish(pdf, pages_ref, kids, b"<< /XObject << /Im1 %d 0 R >> >>" % image)


def many_pages_pdf(count: int, line: str) -> bytes:
    """``count`` pages sharing one content stream: a few kilobytes that
    open as a book of thousands of pages."""
    pdf = _Builder([])
    pages_ref = pdf.reserve()
    font = _fonts(pdf, False)
    content = pdf.stream(_content([(60, 780, line)], False))
    kids = [pdf.add(b"<< /Type /Page /Parent %d 0 R /Contents %d 0 R >>" % (pages_ref, content))
            for _ in range(count)]
    return _finish(pdf, pages_ref, kids, b"<< /Font << /F1 %d 0 R >> >>" % font)


def inflating_pdf(inflated_bytes: int, line: str) -> bytes:
    """One page whose content stream inflates to ``inflated_bytes`` of
    spaces after its one line of text: a decompression bomb."""
    pdf = _Builder([])
    pages_ref = pdf.reserve()
    font = _fonts(pdf, False)
    packer = zlib.compressobj(9)
    chunks = [packer.compress(_content([(60, 780, line)], False) + b"\n")]
    block = b" " * (1 << 20)
    for _ in range(inflated_bytes // len(block)):
        chunks.append(packer.compress(block))
    chunks.append(packer.flush())
    data = b"".join(chunks)
    content = pdf.add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data +
                      b"\nendstream")
    kid = pdf.add(b"<< /Type /Page /Parent %d 0 R /Contents %d 0 R >>" % (pages_ref, content))
    return _finish(pdf, pages_ref, [kid], b"<< /Font << /F1 %d 0 R >> >>" % font)


def encrypted(pdf: bytes, password: str) -> bytes:
    """``pdf`` locked with a password to open it (AES-128, as Acrobat writes)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password=password + "-owner",
                   algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
