"""The document information dictionary as strings (UTF-16LE values repaired)."""

from __future__ import annotations

from typing import Any

from pdfminer.utils import PDFDocEncoding


def metadata_strings(metadata: dict[str, Any]) -> dict[str, str]:
    """The document information dictionary as strings (UTF-16LE values repaired)."""
    out: dict[str, str] = {}
    for key, value in metadata.items():
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str):
            continue
        text = _utf16le(value).replace("\x00", "").strip()
        if text:
            out[str(key).lower()] = text
    return out


_PDFDOC_REVERSE = {ch: i for i, ch in reversed(list(enumerate(PDFDocEncoding)))}


def _utf16le(value: str) -> str:
    """Repair a UTF-16LE string (BOM FF FE) that was decoded as PDFDocEncoding."""
    if not value.startswith("ÿþ"):
        return value
    raw = bytes(_PDFDOC_REVERSE.get(ch, 0x3F) for ch in value[2:])
    return raw.decode("utf-16-le", "replace")
