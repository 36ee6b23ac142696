"""DOCX files: body paragraphs as text lines and tables as span-expanded grids, in order."""

from __future__ import annotations

import io

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

from nianbao.core.document import Document, Table
from nianbao.core.errors import PageRejected
from nianbao.core.readers.common import cell_text, finish_grid
from nianbao.core.text import clean_line

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_LAYOUT_BLOCK_CHARS = 200


def read_docx(body: bytes) -> Document:
    """Document of a DOCX file; a file python-docx cannot open is rejected as broken_docx."""
    try:
        document = docx.Document(io.BytesIO(body))
    except Exception as exc:  # python-docx raises zip, XML and package errors of many types
        raise PageRejected(
            "extract", "broken_docx", f"not a readable DOCX: {type(exc).__name__}: {exc}"
        ) from exc
    lines: list[str] = []
    tables: list[Table] = []
    _read_blocks(document.element.body, document, lines, tables)
    return Document(
        kind="docx",
        text="\n".join(line for line in lines if line),
        encoding=None,
        tables=tuple(tables),
        meta=_meta(document),
    )


def _read_blocks(element: _Element, parent: object, lines: list[str], tables: list[Table]) -> None:
    """Append the paragraphs and tables under a body, cell or content control, in order."""
    for child in element.iterchildren():
        if child.tag == _P:
            text = Paragraph(child, parent).text  # type: ignore[arg-type]
            lines.extend(clean_line(line) for line in text.split("\n"))
        elif child.tag == _TBL:
            _read_table(DocxTable(child, parent), lines, tables)  # type: ignore[arg-type]
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                _read_blocks(content, parent, lines, tables)


def _read_table(table: DocxTable, lines: list[str], tables: list[Table]) -> None:
    """A data table becomes a Table; a layout table's cells are read as text, in order."""
    grid = [_row_cells(row) for row in table.rows]
    cells = _unique_cells(grid)
    if _is_layout(cells):
        for cell in cells:
            _read_blocks(cell._tc, cell, lines, tables)
        return
    parsed = finish_grid([[cell_text(cell.text) if cell else "" for cell in row] for row in grid])
    if parsed is not None:
        tables.append(parsed)


def _row_cells(row: _Row) -> list[_Cell | None]:
    """One entry per grid column; python-docx repeats a merged cell (gridSpan and vMerge)."""
    return [None] * row.grid_cols_before + list(row.cells) + [None] * row.grid_cols_after


def _unique_cells(grid: list[list[_Cell | None]]) -> list[_Cell]:
    """Each distinct cell once, in grid order (merged cells repeat in the grid)."""
    seen: set[int] = set()
    unique: list[_Cell] = []
    for row in grid:
        for cell in row:
            if cell is not None and id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                unique.append(cell)
    return unique


def _is_layout(cells: list[_Cell]) -> bool:
    """True for a table used as a frame: one cell, nested tables, or paragraphs of prose."""
    if len(cells) <= 1:
        return True
    for cell in cells:
        if cell._tc.find(_TBL) is not None:
            return True
        if any(len(p.text) > _LAYOUT_BLOCK_CHARS for p in cell.paragraphs):
            return True
    return False


def _meta(document: DocxDocument) -> dict[str, str]:
    """The core properties that are set, as strings."""
    props = document.core_properties
    values = {
        "title": props.title,
        "author": props.author,
        "created": props.created.isoformat() if props.created else None,
        "modified": props.modified.isoformat() if props.modified else None,
    }
    return {key: str(value) for key, value in values.items() if value}
