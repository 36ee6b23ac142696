"""What a body is, from its first bytes, its declared type and its name. Pure."""

from __future__ import annotations

import re

from nianbao.core.extract import sniff_document

_HTML = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|p)\b", re.I | re.S
)
_BY_SUFFIX = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".wps": "application/vnd.ms-works",
}


def media_type(header: str | None) -> str | None:
    """The media type of a Content-Type header, without parameters, lower-cased."""
    if not header:
        return None
    return header.split(";", 1)[0].strip().lower() or None


def header_charset(header: str | None) -> str | None:
    """The charset parameter of a Content-Type header."""
    match = re.search(r"charset\s*=\s*[\"']?([\w\-]+)", header or "", re.I)
    return match.group(1) if match else None


def sniff(body: bytes, declared: str | None = None, name: str = "") -> str:
    """Media type by magic bytes first (servers mislabel), then the declared type, then suffix."""
    head = body[:1024]
    if document := sniff_document(body):
        return document
    if head.startswith(b"PK\x03\x04"):
        return _BY_SUFFIX[".docx"] if name.endswith(".docx") else "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _BY_SUFFIX[".wps"] if name.lower().endswith(".wps") else _BY_SUFFIX[".doc"]
    if _HTML.match(head):
        return "text/html"
    declared = media_type(declared)
    if declared and declared != "application/octet-stream":
        return declared
    for suffix, kind in _BY_SUFFIX.items():
        if name.lower().endswith(suffix):
            return kind
    return "application/octet-stream"
