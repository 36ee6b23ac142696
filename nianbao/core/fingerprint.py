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
    """The prose and every table cell, for reading: cells joined with spaces, rows by lines."""
    cells = "\n".join(" ".join(row) for table in tables for row in table.rows)
    return f"{main_text}\n{cells}" if cells else main_text


def folded_content(main_text: str, tables: Sequence[Table] = ()) -> str:
    """What the exact key and the signature are computed on: folded prose, then every cell.

    Cells keep their boundaries (| between cells, / between rows): a figure moved from one
    column to the next is a different report, not the same text.
    """
    rows = ("|".join(fold_for_matching(cell) for cell in row) for t in tables for row in t.rows)
    grid = "/".join(rows)
    folded = fold_for_matching(main_text)
    return f"{folded}#{grid}" if grid else folded
