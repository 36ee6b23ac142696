"""PDF building blocks: a minimal PDF, deflate bombs, a real report, cut and flipped copies."""

from __future__ import annotations

import io
import random
import zlib
from collections.abc import Callable

from .build_text import (
    TABLE_ROWS,
    report_lines,
)


def raw_pdf(streams: list[tuple[str, bytes]], text_page: bool = True) -> bytes:
    """A minimal PDF: one page whose content is the first stream, the others as extra objects.

    Each stream is (dictionary entries, data); offsets in the xref table are exact, so pdfminer
    reads the file the normal way and meets the streams as they are.
    """
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if text_page and not streams:
        streams = [("", b"BT /F1 12 Tf 72 720 Td (Annual report 2023) Tj ET")]
    for entries, data in streams:
        objects.append(
            f"<< {entries} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def zeros_deflated(size: int, layers: int = 1) -> bytes:
    """zlib data that inflates to `size` zero bytes (through `layers` nested deflates)."""
    compressor = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = []
    for _ in range(size // len(chunk)):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.compress(bytes(size % len(chunk))))
    parts.append(compressor.flush())
    data = b"".join(parts)
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    return data


def pdf_bomb(size: int, layers: int = 1, content: bool = True) -> Callable[[], bytes]:
    def make() -> bytes:
        filters = "[" + " ".join(["/FlateDecode"] * layers) + "]"
        bomb = (f"/Filter {filters}", zeros_deflated(size, layers))
        if content:
            return raw_pdf([bomb])
        text = ("", b"BT /F1 12 Tf 72 720 Td (Annual report 2023) Tj ET")
        return raw_pdf([text, bomb])

    return make


def many_small_bombs(count: int, size: int) -> Callable[[], bytes]:
    def make() -> bytes:
        data = zeros_deflated(size)
        text = ("", b"BT /F1 12 Tf 72 720 Td (Annual report 2023) Tj ET")
        return raw_pdf([text, *[("/Filter /FlateDecode", data)] * count])

    return make


_REPORTLAB_CACHE: dict[str, bytes] = {}


def report_pdf() -> bytes:
    """A text PDF of the report (reportlab, invariant so the bytes never change)."""
    if "pdf" in _REPORTLAB_CACHE:
        return _REPORTLAB_CACHE["pdf"]
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from reportlab.platypus import Table as RLTable

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=20)
    style.wordWrap = "CJK"
    table = RLTable(TABLE_ROWS)
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), "STSong-Light", 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ]
    )
    out = io.BytesIO()
    story = [Paragraph(line, style) for line in report_lines()] + [table]
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build(story)
    _REPORTLAB_CACHE["pdf"] = out.getvalue()
    return _REPORTLAB_CACHE["pdf"]


def cut(fraction: float) -> Callable[[], bytes]:
    return lambda: (data := report_pdf())[: int(len(data) * fraction)]


def flipped(seed: int, flips: int) -> Callable[[], bytes]:
    def make() -> bytes:
        data = bytearray(report_pdf())
        rng = random.Random(seed)
        for _ in range(flips):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)

    return make
