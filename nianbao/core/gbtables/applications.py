"""The 申请 table (section 三): rows matched by label content, columns by the header rows."""

from __future__ import annotations

from collections.abc import Sequence

from nianbao.core.document import Table
from nianbao.core.gbtables.cells import Cell, Column, Header, Row, merge_spans, row_cells
from nianbao.core.gbtables.labels import MAX_LABEL, bare, label_key, match_code
from nianbao.core.gbtables.maps import (
    APPLICATION_COLUMNS,
    APPLICATION_HEADER_MARKS,
    APPLICATION_ROWS,
    APPLICATIONS,
    COUNT_UNIT,
    LEGAL_PERSON_SPAN,
    NONSTANDARD,
    OTHER_2021,
    SUBTOTAL_COLUMNS,
)
from schemas.report import ValidationWarning


def _is_application_header(keys: list[str]) -> bool:
    """Whether a row belongs to the 申请 table's header (申请人情况 / 自然人 / 商业企业 ...)."""
    return any(key in APPLICATION_HEADER_MARKS for key in keys)


def _application_header(block: list[Row], table_index: int) -> Header | None:
    """The 申请 columns from its header rows: each position takes its lowest known label."""
    width = max(len(row) for row in block)
    found: list[Column] = []
    for position in range(width):
        for row in reversed(block):
            if position >= len(row):
                continue
            key = label_key(row[position])
            if key in APPLICATION_COLUMNS:
                found.append(
                    Column(APPLICATION_COLUMNS[key], row[position], (position,), COUNT_UNIT)
                )
                break
            if key in SUBTOTAL_COLUMNS or key in LEGAL_PERSON_SPAN:
                # 法人或其他组织 with no applicant type under it is a subtotal column.
                found.append(Column(NONSTANDARD, row[position], (position,), COUNT_UNIT))
                break
    if not found:
        return None
    first = min(column.positions[0] for column in found)
    return Header(merge_spans(found), tuple(range(first)), table_index, width)


def _last_label(row: Row, header: Header) -> str:
    """A 申请 row's own label: the last non-empty cell left of the values (not its group)."""
    texts = [row[p] for p in header.label_positions if p < len(row) and row[p].strip()]
    return texts[-1] if texts else ""


def read_applications(tables: Sequence[Table], warnings: list[ValidationWarning]) -> list[Cell]:
    """Every cell of the 申请 table, rows matched by label and columns by header."""
    cells: list[Cell] = []
    header: Header | None = None
    block: list[Row] = []
    reported: set[str] = set()
    for table_index, table in enumerate(tables):
        in_header = False
        for row in table.rows:
            keys = [label_key(text) for text in row]
            if _is_application_header(keys):
                block = [*block, row] if in_header else [row]
                in_header = True
                header = _application_header(block, table_index) or header
                continue
            in_header = False
            if header is None or not header.applies(table_index, len(row)):
                continue
            label = _last_label(row, header)
            key = label_key(label)
            if not label or len(key) > MAX_LABEL:
                continue
            code = match_code(APPLICATION_ROWS, bare(key))
            if code is None:
                continue
            standard = tuple(c for c in header.columns if c.code != NONSTANDARD)
            for column in header.columns:
                if column.code == NONSTANDARD and column.label not in reported:
                    reported.add(column.label)
                    warnings.append(
                        ValidationWarning(
                            rule="table.nonstandard_column",
                            message=f"申请 table: column {column.label!r} is not in the "
                            "national template (it has no 法人或其他组织 subtotal); skipped",
                        )
                    )
            read = Header(standard, header.label_positions, header.table_index, header.width)
            cells.extend(row_cells(APPLICATIONS, label, code, read, row, warnings))
    return _drop_group_row(cells)


def _drop_group_row(cells: list[Cell]) -> list[Cell]:
    """Drop an all-blank （六）其他处理 row that is only the group label over gb2021 sub-rows."""
    codes = {cell.row_code for cell in cells}
    group = [cell for cell in cells if cell.row_code == "other_processing"]
    if group and codes & set(OTHER_2021) and all(c.quantity.value is None for c in group):
        return [cell for cell in cells if cell.row_code != "other_processing"]
    return cells
