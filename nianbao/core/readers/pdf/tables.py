"""The ruled tables of one page, found by pdfplumber from explicit edges; text boxes left out."""

from __future__ import annotations

from typing import Any

from pdfplumber.page import Page

from nianbao.core.readers.common import cell_text, is_text_box
from nianbao.core.readers.pdf.grid import cluster, part_grid
from nianbao.core.readers.pdf.limits import MAX_INTERSECTIONS, MAX_RULES
from nianbao.core.readers.pdf.model import SNAP, Cell, Part, PdfTable
from nianbao.core.readers.pdf.ruling import closing_edges, drawn_rules, edges_of

_TABLE_SETTINGS_BASE: dict[str, Any] = {
    "vertical_strategy": "explicit",
    "horizontal_strategy": "explicit",
    "snap_tolerance": SNAP,
    "join_tolerance": SNAP,
    "intersection_tolerance": SNAP,
}


def find_tables(page: Page, number: int) -> list[PdfTable]:
    """The ruled tables of a page, text boxes left out."""
    ruling = drawn_rules(page)
    if len(ruling) > MAX_RULES:
        raise ValueError(f"{len(ruling)} drawn rules (over {MAX_RULES}): not searched for tables")
    edges = edges_of(ruling)
    vertical = [e for e in edges if e["orientation"] == "v"]
    horizontal = [e for e in edges if e["orientation"] == "h"]
    horizontal += closing_edges(vertical, horizontal)
    if len(vertical) < 2 or len(horizontal) < 2:
        return []
    if len(vertical) * len(horizontal) > MAX_INTERSECTIONS:
        raise ValueError(f"{len(vertical)}×{len(horizontal)} rules: not searched for tables")
    settings = {
        **_TABLE_SETTINGS_BASE,
        "explicit_vertical_lines": vertical,
        "explicit_horizontal_lines": horizontal,
    }
    found: list[PdfTable] = []
    for table in page.find_tables(settings):
        cells: list[Cell] = []
        texts = table.extract()
        for row, row_texts in zip(table.rows, texts, strict=True):
            for box, text in zip(row.cells, row_texts, strict=True):
                if box is not None:
                    cells.append(Cell(*(float(v) for v in box), text=cell_text(text or "")))
        part = table_part(number, tuple(float(v) for v in table.bbox), cells)  # type: ignore[arg-type]
        if part is not None:
            found.append(PdfTable([part]))
    return found


def table_part(
    page: int, bbox: tuple[float, float, float, float], cells: list[Cell]
) -> Part | None:
    """A table part, or None when it is a frame around text rather than a table."""
    if len(cells) < 2:
        return None
    xs = cluster(v for c in cells for v in (c.x0, c.x1))
    ys = cluster(v for c in cells for v in (c.top, c.bottom))
    part = Part(page, bbox, cells, xs, ys)
    if is_text_box(part_grid(part, xs)):
        return None
    return part
