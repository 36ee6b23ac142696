"""The extracted document every reader produces and the parser consumes. Plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["html", "text", "pdf", "docx"]


@dataclass(frozen=True)
class Table:
    """A table as a rectangular grid of cell texts, in reading order.

    Spans are expanded: a cell with rowspan/colspan (or a merged DOCX/PDF cell) repeats its
    text in every grid position it covers, so each row and column can be read by its labels.
    Cell text is whitespace-collapsed and NFKC-folded; an empty cell is "".
    """

    rows: tuple[tuple[str, ...], ...]

    @property
    def width(self) -> int:
        """Number of columns."""
        return len(self.rows[0]) if self.rows else 0


@dataclass(frozen=True)
class Document:
    """The main content of a page or file plus what its chrome and metadata say about it.

    ``text`` holds the narrative lines (one paragraph or heading per line, chrome removed);
    tables found as real structures (HTML, DOCX, PDF) are in ``tables``, in document order, and
    are not repeated in ``text``. Plain-text captures keep their flattened tables in ``text``.
    """

    kind: Kind
    text: str
    encoding: str | None
    tables: tuple[Table, ...] = ()
    title: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    published: str | None = None
    source: str | None = None

    @property
    def lines(self) -> list[str]:
        """Non-empty lines of the main text."""
        return [line for line in self.text.split("\n") if line]
