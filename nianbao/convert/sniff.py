"""What an attachment is, from its bytes (servers and file names lie). Pure."""

from __future__ import annotations

from typing import Literal

Kind = Literal["doc", "wps", "xls", "xlsx", "rtf", "pdf", "image", "docx"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# OLE directory entries are UTF-16LE names; the streams say which program wrote the file.
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_BOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
_WORKS_STREAM = "MatOST".encode("utf-16-le")  # Microsoft Works word processor
# Kingsoft WPS Office leaves its name in the file's properties or its own streams.
_KINGSOFT = (b"Kingsoft", "Kingsoft".encode("utf-16-le"), b"WPS Office", b"KSOProductBuildVer")
_WPS_TYPES = ("application/vnd.ms-works", "application/kswps", "application/wps-office.wps")
_XLS_TYPES = ("application/vnd.ms-excel", "application/msexcel", "application/x-xls")
_IMAGES = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
    b"GIF87a",
    b"GIF89a",
)


def sniff_kind(body: bytes, content_type: str = "") -> Kind | None:
    """The attachment kind of these bytes, or None for what the core reads or nobody does."""
    head = body[:1024]
    if head.startswith(_OLE):
        return _ole_kind(body, content_type)
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if head.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        window = body[:65536]
        if b"xl/" in window or (b"[Content_Types].xml" in window and b"spreadsheetml" in window):
            return "xlsx" if b"word/" not in window else "docx"
        return "docx" if b"word/" in window else None
    if head.startswith(_IMAGES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    return None


def _ole_kind(body: bytes, content_type: str) -> Kind:
    """doc, wps or xls of an OLE compound file, by its streams, else by its declared type."""
    declared = content_type.split(";", 1)[0].strip().lower()
    if any(stream in body for stream in _BOOK_STREAMS):
        return "xls"
    works = _WORKS_STREAM in body
    if _WORD_STREAM in body or works:
        kingsoft = any(mark in body for mark in _KINGSOFT)
        return "wps" if works or kingsoft or declared in _WPS_TYPES else "doc"
    # a damaged file whose directory cannot be found: what it was sent as, else Word's
    if declared in _XLS_TYPES:
        return "xls"
    return "wps" if declared in _WPS_TYPES else "doc"
