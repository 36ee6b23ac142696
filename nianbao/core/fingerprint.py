"""Content fingerprints for duplicate detection. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from nianbao.core.document import Table
from nianbao.core.text import fold_for_matching


def exact_key(folded: str) -> str:
    """sha256 of a folded text: equal for copies that differ in chrome, width or spacing."""
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def content_text(main_text: str, tables: Sequence[Table] = ()) -> str:
    """The prose and every table cell: two reports that differ only in a figure must differ."""
    cells = "\n".join(" ".join(row) for table in tables for row in table.rows)
    return f"{main_text}\n{cells}" if cells else main_text


def folded_content(main_text: str, tables: Sequence[Table] = ()) -> str:
    """What both the exact key and the near-duplicate signature are computed on."""
    return fold_for_matching(content_text(main_text, tables))
