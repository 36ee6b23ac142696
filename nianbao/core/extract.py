"""Raw page or file to Document: pick the reader for the content type. No I/O.

A government page is mostly chrome (navigation, 信息索引 table, 字体 大中小, 分享到, 扫一扫,
上一篇/下一篇, footer). The same report published on two portals differs only there, so getting
the main text right is what makes exact-duplicate detection and parsing work. Reports also come
as PDF and DOCX attachments; their tables come out as grids (Document.tables).
"""

from __future__ import annotations

import re

from nianbao.core.document import Document, Table
from nianbao.core.errors import PageRejected, unexpected
from nianbao.core.readers import read_docx, read_html, read_pdf, read_plain
from nianbao.core.readers.common import is_chrome_line
from nianbao.core.readers.grids import GRIDS_TYPE, read_grids
from nianbao.core.readers.html import CONTENT_SELECTORS
from nianbao.core.text import decode

__all__ = ["CONTENT_SELECTORS", "Document", "Table", "extract", "is_chrome_line", "sniff_document"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
DOCX_TYPES = frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
# Servers send attachments under these; the bytes say what the file is.
_GENERIC_TYPES = frozenset(
    {
        "application/octet-stream",
        "binary/octet-stream",
        "application/x-download",
        "application/download",
        "application/force-download",
    }
)


def extract(body: bytes, content_type: str, encoding: str | None = None) -> Document:
    """Main text, tables and metadata of an HTML or plain-text page, a PDF or a DOCX."""
    # Raises PageRejected for bodies that cannot be read (binary, undecodable, scanned or broken
    # PDF, broken DOCX, other formats) or that carry no text.
    media, charset = _media_type(content_type)
    encoding = encoding or charset
    if media in _GENERIC_TYPES:
        media = sniff_document(body) or media
    try:
        doc = _read(body, media, encoding, content_type)
    except PageRejected:
        raise
    except Exception as exc:  # any reader failure on hostile bytes is the page's
        raise unexpected("extract", "unreadable_document", exc) from exc
    if not doc.text.strip() and not doc.tables:
        raise PageRejected("extract", "empty", "the page has no main text")
    return doc


def _read(body: bytes, media: str, encoding: str | None, content_type: str) -> Document:
    """The reader of the media type on the body; PageRejected for types we do not read."""
    if media in PDF_TYPES:
        doc = read_pdf(body)
    elif media in DOCX_TYPES:
        doc = read_docx(body)
    elif media == GRIDS_TYPE:  # a spreadsheet the adapter (nianbao.convert) read into grids
        doc = read_grids(body)
    elif media in HTML_TYPES or media in TEXT_TYPES:
        text, codec = decode(body, encoding)
        looks_html = media not in TEXT_TYPES or re.search(
            r"<(?:html|body|div|p)\b", text[:2000], re.I
        )
        doc = read_html(text, codec) if looks_html else read_plain(text, codec)
    else:
        raise PageRejected(
            "extract",
            "unsupported_content_type",
            f"cannot extract text from {content_type!r} (HTML, plain text, PDF and DOCX only); "
            "convert it to DOCX or PDF",
        )
    return doc


def _media_type(content_type: str) -> tuple[str, str | None]:
    """The lower-cased media type of a Content-Type value and its charset parameter."""
    media, _, params = content_type.partition(";")
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.I)
    return media.strip().lower(), match.group(1) if match else None


def sniff_document(body: bytes) -> str | None:
    """PDF or DOCX from the first bytes (servers mislabel attachments); None for anything else."""
    if body[:1024].lstrip().startswith(b"%PDF-"):
        return "application/pdf"
    if body.startswith(b"PK\x03\x04") and b"word/" in body[:65536]:
        return next(iter(DOCX_TYPES))
    return None
