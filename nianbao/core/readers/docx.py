"""DOCX files: body paragraphs as text lines and tables as span-expanded grids, in order.

A DOCX is a ZIP of XML parts, and a hostile one is read under bounds before python-docx sees
it: no more than MAX_MEMBERS members, none inflating past MAX_MEMBER_BYTES and all together
past MAX_TOTAL_BYTES, checked against what each member really inflates to (a ZIP's declared
sizes can lie), else ``decompression_bomb``. Table grids are built here from the XML rather
than by python-docx, so gridSpan / gridBefore / gridAfter are clamped like an HTML colspan and
a grid past the common cell cap is ``table_too_large`` (see readers.common); a vertical merge
with no cell above it is read as a cell of its own. python-docx parses XML without resolving
entities or loading DTDs, so entity bombs and external entities stay inert.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

from nianbao.core.document import Document, Table
from nianbao.core.errors import PageRejected
from nianbao.core.readers.common import (
    MAX_SPAN,
    cell_text,
    check_cells,
    finish_grid,
    span_value,
)
from nianbao.core.text import clean_line

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC, _TR_PR, _TC_PR = qn("w:tr"), qn("w:tc"), qn("w:trPr"), qn("w:tcPr")
_GRID_SPAN, _GRID_BEFORE, _GRID_AFTER = qn("w:gridSpan"), qn("w:gridBefore"), qn("w:gridAfter")
_V_MERGE, _VAL, _DOCUMENT = qn("w:vMerge"), qn("w:val"), qn("w:document")
_LAYOUT_BLOCK_CHARS = 200

MAX_MEMBERS = 5_000
MAX_MEMBER_BYTES = 64_000_000  # a report's document.xml is a few MB; a photo a few MB more
MAX_TOTAL_BYTES = 256_000_000
_CHUNK = 1 << 20


def read_docx(body: bytes) -> Document:
    """Document of a DOCX file; a file python-docx cannot open is rejected as broken_docx."""
    check_archive(body)
    try:
        document = docx.Document(io.BytesIO(body))
    except (PageRejected, MemoryError):
        raise
    except Exception as exc:  # python-docx raises zip, XML and package errors of many types
        raise PageRejected(
            "extract", "broken_docx", f"not a readable DOCX: {type(exc).__name__}: {exc}"
        ) from exc
    root = document.element
    body_element = root.find(qn("w:body")) if root.tag == _DOCUMENT else None
    if body_element is None:
        raise PageRejected(
            "extract",
            "broken_docx",
            f"the main part is not a Word document (root element {root.tag!r}, no w:body)",
        )
    lines: list[str] = []
    tables: list[Table] = []
    _read_blocks(body_element, document, lines, tables)
    return Document(
        kind="docx",
        text="\n".join(line for line in lines if line),
        encoding=None,
        tables=tuple(tables),
        meta=_meta(document),
    )


def check_archive(body: bytes) -> None:
    """Reject a ZIP whose members inflate past the caps (decompression_bomb); never raises else.

    Declared sizes are checked first (cheap), then every member is inflated in chunks and
    counted, so a member that lies about its size is caught too. A ZIP that cannot be read at
    all is left to python-docx, which rejects it as broken_docx.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except Exception:
        return
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            _bomb(f"{len(members)} members (at most {MAX_MEMBERS})")
        declared = 0
        for info in members:
            if info.file_size > MAX_MEMBER_BYTES:
                _bomb(f"{info.filename!r} declares {info.file_size} bytes inflated")
            declared += info.file_size
        if declared > MAX_TOTAL_BYTES:
            _bomb(f"members declare {declared} bytes inflated in all")
        total = 0
        for info in members:
            size = 0
            try:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > MAX_MEMBER_BYTES:
                            _bomb(f"{info.filename!r} inflates past {MAX_MEMBER_BYTES} bytes")
                        if total > MAX_TOTAL_BYTES:
                            _bomb(f"members inflate past {MAX_TOTAL_BYTES} bytes in all")
            except PageRejected:
                raise
            except Exception:  # a corrupt or encrypted member: python-docx decides
                continue


def _bomb(detail: str) -> None:
    raise PageRejected("extract", "decompression_bomb", f"a DOCX decompression bomb: {detail}")


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
    grid = _grid(table)
    cells = _unique_cells(grid)
    if _is_layout(cells):
        for cell in cells:
            _read_blocks(cell._tc, cell, lines, tables)
        return
    texts: dict[int, str] = {}
    rows = [
        [texts.setdefault(id(cell), cell_text(cell.text)) if cell else "" for cell in row]
        for row in grid
    ]
    parsed = finish_grid(rows)
    if parsed is not None:
        tables.append(parsed)


def _grid(table: DocxTable) -> list[list[_Cell | None]]:
    """One entry per grid column and row; a merged cell repeats over the slots it covers.

    gridBefore / gridAfter leave empty slots, gridSpan repeats a cell across columns (each
    clamped to MAX_SPAN), and a vMerge "continue" cell repeats the cell above it in the same
    column (or stands alone when there is none). Linear in the grid's size, which is checked
    against the cell cap as it grows.
    """
    grid: list[list[_Cell | None]] = []
    above: list[_Cell | None] = []
    count = 0
    for tr in table._tbl.iterchildren(_TR):
        row: list[_Cell | None] = [None] * _row_property(tr, _GRID_BEFORE)
        for tc in tr.iterchildren(_TC):
            span, merge = _cell_properties(tc)
            column = len(row)
            cell = above[column] if merge and column < len(above) else None
            row.extend([cell or _Cell(tc, table)] * span)  # type: ignore[arg-type]
            check_cells(count + len(row))
        row.extend([None] * _row_property(tr, _GRID_AFTER))
        count += len(row)
        check_cells(count)
        grid.append(row)
        above = row
    return grid


def _row_property(tr: _Element, tag: str) -> int:
    """gridBefore / gridAfter of a row, clamped to MAX_SPAN; 0 when absent or unreadable."""
    properties = tr.find(_TR_PR)
    element = properties.find(tag) if properties is not None else None
    if element is None:
        return 0
    return min(span_value(element.get(_VAL), 0), MAX_SPAN)


def _cell_properties(tc: _Element) -> tuple[int, bool]:
    """A cell's gridSpan (1 to MAX_SPAN) and whether it continues a vertical merge."""
    properties = tc.find(_TC_PR)
    if properties is None:
        return 1, False
    span_element = properties.find(_GRID_SPAN)
    span = 1 if span_element is None else span_value(span_element.get(_VAL))
    merge_element = properties.find(_V_MERGE)
    merge = merge_element is not None and merge_element.get(_VAL, "continue") == "continue"
    return min(max(span, 1), MAX_SPAN), merge


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
    """The core properties that are set, as strings (unreadable ones are left out)."""
    values: dict[str, object] = {}
    try:
        props = document.core_properties
        values = {
            "title": props.title,
            "author": props.author,
            "created": props.created.isoformat() if props.created else None,
            "modified": props.modified.isoformat() if props.modified else None,
        }
    except (ValueError, TypeError, AttributeError, OverflowError):
        pass  # a hostile docProps/core.xml costs the metadata, not the document
    return {key: str(value) for key, value in values.items() if value}
