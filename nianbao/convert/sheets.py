"""Spreadsheets (.xls with xlrd, .xlsx with openpyxl) to text lines and table grids.

Each sheet becomes a grid, merged ranges repeated over every slot they cover as the core's
readers do with spans. A sheet that is a single column of text (a report pasted into a sheet)
gives text lines; any other sheet gives a table, and its leading title rows (one text over the
whole width, such as ``2024年政府信息公开情况统计表``) give text lines too, so the year and
table name reach the parser. The grids go to the core as JSON (`GRIDS_TYPE`), which maps them
to indicators with the same table readers as HTML, DOCX and PDF tables. The libraries run in a
forked child under the conversion's time and memory bounds (`nianbao.limits`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time

from nianbao.convert.model import GRIDS_TYPE, ConvertedDocument
from nianbao.convert.run import Budget
from nianbao.core.errors import PageRejected
from nianbao.core.readers.common import MAX_CELLS, cell_text
from nianbao.limits import Limits, run_bounded

MAX_SHEETS = 64
MAX_ROWS = 5_000
MAX_COLUMNS = 200

Grid = list[list[str]]


def convert_sheets(body: bytes, kind: str, budget: Budget) -> ConvertedDocument:
    """An .xls or .xlsx as text lines and grids, read in a bounded child process."""
    limits = Limits(seconds=budget.left(), memory_bytes=budget.memory_bytes)
    reader = _xls_sheets if kind == "xls" else _xlsx_sheets
    try:
        sheets = run_bounded(lambda: list(reader(body)), limits)
    except PageRejected as exc:
        if exc.reason.startswith("convert_"):
            raise
        reason = "convert_timeout" if exc.reason == "parse_timeout" else "convert_failed"
        raise PageRejected("extract", reason, f"reading the {kind}: {exc.detail}") from exc
    lines: list[str] = []
    tables: list[Grid] = []
    for grid in sheets:
        _split(grid, lines, tables)
    if not lines and not tables:
        raise PageRejected("extract", "convert_failed", f"the {kind} file has no cells with text")
    payload = json.dumps({"text": "\n".join(lines), "tables": tables}, ensure_ascii=False)
    return ConvertedDocument(kind, payload.encode("utf-8"), GRIDS_TYPE, kind_library(kind))


def kind_library(kind: str) -> str:
    """The library that reads a spreadsheet kind."""
    return "xlrd" if kind == "xls" else "openpyxl"


def _split(grid: Grid, lines: list[str], tables: list[Grid]) -> None:
    """A sheet's text lines and its table (see the module docstring)."""
    rows = [row for row in grid if any(row)]
    if not rows:
        return
    if all(sum(1 for cell in row if cell) <= 1 for row in rows):
        lines.extend(next(cell for cell in row if cell) for row in rows)
        return
    while rows and len({cell for cell in rows[0] if cell}) == 1 and len(rows) > 1:
        lines.append(next(cell for cell in rows[0] if cell))
        rows = rows[1:]
    tables.append(rows)


def _cell(value: object) -> str:
    """A cell value as the text a reader sees: 12.0 → "12", dates ISO, text cleaned."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return cell_text(str(value))


def _check(rows: int, columns: int, total: int) -> int:
    """Refuse a sheet past the caps; the running cell count."""
    if rows > MAX_ROWS or columns > MAX_COLUMNS or total + rows * columns > MAX_CELLS:
        raise PageRejected(
            "extract",
            "convert_failed",
            f"a sheet of {rows} × {columns} cells is larger than any report table "
            f"(at most {MAX_ROWS} rows, {MAX_COLUMNS} columns, {MAX_CELLS} cells in all)",
        )
    return total + rows * columns


def _spread(
    grid: Grid, merges: Sequence[tuple[int, int, int, int]], rows: int, columns: int
) -> Grid:
    """Repeat each merged range's top-left text over the range (row/col bounds, end exclusive)."""
    for top, bottom, left, right in merges:
        bottom, right = min(bottom, rows), min(right, columns)
        if top >= bottom or left >= right:
            continue
        text = grid[top][left]
        for r in range(top, bottom):
            for c in range(left, right):
                grid[r][c] = text
    return grid


def _xls_sheets(body: bytes) -> Iterator[Grid]:
    """The sheets of an .xls (BIFF) workbook as grids."""
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=body, formatting_info=True, on_demand=True, logfile=io.StringIO()
        )
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct and index errors
        raise PageRejected(
            "extract", "convert_failed", f"not a readable .xls: {type(exc).__name__}: {exc}"
        ) from exc
    total = 0
    for index in range(min(book.nsheets, MAX_SHEETS)):
        sheet = book.sheet_by_index(index)
        total = _check(sheet.nrows, sheet.ncols, total)
        grid = [
            [_cell(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)
        ]
        merges = [(r0, r1, c0, c1) for r0, r1, c0, c1 in sheet.merged_cells]
        yield _spread(grid, merges, sheet.nrows, sheet.ncols)
        book.unload_sheet(index)


def _xlsx_sheets(body: bytes) -> Iterator[Grid]:
    """The sheets of an .xlsx workbook as grids (its ZIP checked against bombs first)."""
    import openpyxl

    from nianbao.core.readers.docx import check_archive

    check_archive(body)
    try:
        book = openpyxl.load_workbook(io.BytesIO(body), data_only=True)
    except PageRejected:
        raise
    except Exception as exc:  # zip, XML and key errors of many types
        raise PageRejected(
            "extract", "convert_failed", f"not a readable .xlsx: {type(exc).__name__}: {exc}"
        ) from exc
    total = 0
    for sheet in book.worksheets[:MAX_SHEETS]:
        rows, columns = sheet.max_row, sheet.max_column
        total = _check(rows, columns, total)
        grid = [
            [_cell(value) for value in row]
            for row in sheet.iter_rows(max_row=rows, max_col=columns, values_only=True)
        ]
        merges = [
            (m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in sheet.merged_cells.ranges
        ]
        yield _spread(grid, merges, rows, columns)
