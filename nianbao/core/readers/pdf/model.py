"""What a PDF page holds once read: its text lines and its table parts, with their geometry."""

from __future__ import annotations

from dataclasses import dataclass, field

SNAP = 3.0  # points: edges and cell borders closer than this are the same line


@dataclass
class Line:
    """One line of text on a page, with its geometry."""

    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class Cell:
    """A cell pdfplumber found: its box (page coordinates) and its cleaned text."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str


@dataclass
class Part:
    """The piece of a table that lies on one page."""

    page: int
    bbox: tuple[float, float, float, float]
    cells: list[Cell]
    xs: list[float]
    ys: list[float]


@dataclass
class PdfTable:
    """A table as one or more page parts, read as one grid."""

    parts: list[Part] = field(default_factory=list)


@dataclass
class PageContent:
    """What one page holds, top to bottom."""

    number: int
    height: float
    lines: list[Line]
    tables: list[PdfTable]
    error: str | None = None
