"""Content fingerprints for duplicate detection. Pure functions, no I/O."""

from __future__ import annotations

import hashlib

from nianbao.core.document import Document
from nianbao.core.text import fold_for_matching


def exact_key(main_text: str) -> str:
    """sha256 of the folded main text: equal for copies that differ in chrome, width or spacing."""
    return hashlib.sha256(fold_for_matching(main_text).encode("utf-8")).hexdigest()


def content_text(doc: Document) -> str:
    """The prose and every table cell: two reports that differ only in a figure must differ."""
    cells = "\n".join(" ".join(row) for table in doc.tables for row in table.rows)
    return f"{doc.text}\n{cells}" if cells else doc.text


def document_key(doc: Document) -> str:
    """The exact-duplicate key of an extracted document."""
    return exact_key(content_text(doc))
