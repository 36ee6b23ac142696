"""One page read: its tables, and its text lines rebuilt from the characters outside them."""

from __future__ import annotations

from typing import Any

from pdfplumber.page import Page

from nianbao.core.errors import PageRejected, is_host_interrupt
from nianbao.core.readers.common import tight
from nianbao.core.readers.pdf.limits import MAX_PAGE_CHARS
from nianbao.core.readers.pdf.model import Line, PageContent
from nianbao.core.readers.pdf.tables import find_tables
from nianbao.core.text import clean_line


def read_page(page: Page, number: int) -> PageContent:
    """The text lines and tables of one page; table text is kept out of the lines."""
    chars = page.chars
    if not chars:
        return PageContent(number, float(page.height), [], [])
    if len(chars) > MAX_PAGE_CHARS:
        error = f"page {number + 1}: {len(chars)} characters (over {MAX_PAGE_CHARS}), skipped"
        return PageContent(number, float(page.height), [], [], error)
    error = None
    try:
        tables = find_tables(page, number)
    except (PageRejected, MemoryError):
        raise
    except Exception as exc:  # a table-finder failure costs the tables, not the page's text
        if is_host_interrupt(exc):
            raise
        tables, error = [], f"page {number + 1}: {type(exc).__name__}: {exc}"
    boxes = [part.bbox for table in tables for part in table.parts]

    def outside(obj: dict[str, Any]) -> bool:
        """True for every object but the characters inside a table."""
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    text_page = page.filter(outside) if boxes else page
    lines = [
        line
        for raw in text_page.extract_text_lines(return_chars=True)
        if (line := _line(raw, number)).text
    ]
    return PageContent(number, float(page.height), lines, tables, error)


def _line(raw: dict[str, Any], page: int) -> Line:
    """A text line rebuilt from its characters: real gaps kept, layout gaps next to CJK not."""
    chars: list[dict[str, Any]] = raw["chars"]
    glyphs = [c for c in chars if c["text"].strip()]
    size = max((float(c["size"]) for c in glyphs), default=float(raw["bottom"] - raw["top"]))
    out: list[str] = []
    previous: dict[str, Any] | None = None
    spaced = False
    for char in chars:
        if not char["text"].strip():
            spaced = True
            continue
        if previous is not None:
            gap = float(char["x0"]) - float(previous["x1"])
            if gap >= 0.9 * size:
                out.append(" ")  # a column gap: keeps flattened table cells apart
            elif (spaced or gap > 0.15 * size) and not tight(previous["text"][-1], char["text"][0]):
                out.append(" ")
        out.append(char["text"])
        previous, spaced = char, False
    return Line(
        page=page,
        text=clean_line("".join(out)),
        x0=float(raw["x0"]),
        x1=float(raw["x1"]),
        top=float(raw["top"]),
        bottom=float(raw["bottom"]),
        size=size,
    )
