"""What a converter hands the core: bytes the core reads, and where they came from. Plain data."""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.core.readers.grids import GRIDS_TYPE

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT_TYPE = "text/plain; charset=utf-8"
__all__ = ["DOCX_TYPE", "GRIDS_TYPE", "TEXT_TYPE", "ConvertedDocument"]


@dataclass(frozen=True)
class ConvertedDocument:
    """A converted attachment: `body` in a format the core reads (`content_type`).

    ``text_source`` goes on the record (doc, wps, rtf, xls, xlsx, ocr); ``warnings`` are
    (rule, message) pairs the record carries too; ``pages`` is what was converted (OCR: pages).
    """

    text_source: str
    body: bytes
    content_type: str
    converter: str
    warnings: tuple[tuple[str, str], ...] = ()
    pages: int = 1
