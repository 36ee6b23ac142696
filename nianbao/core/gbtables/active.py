"""The 主动公开 table (section 二), one grid or one grid per sub-block, read by its labels."""

from __future__ import annotations

from collections.abc import Sequence

from nianbao.core.document import Table
from nianbao.core.gbtables.cells import Cell, Column, Header, Row, merge_spans, row_cells
from nianbao.core.gbtables.labels import (
    MAX_LABEL,
    bare,
    label_key,
    match_code,
    split_unit,
    without_note,
)
from nianbao.core.gbtables.maps import (
    ACTIVE,
    ACTIVE_COLUMNS,
    ACTIVE_DEFAULT_UNITS,
    ACTIVE_LABEL_HEADER,
    ACTIVE_ROWS,
    COUNT_UNIT,
)
from schemas.report import ValidationWarning


def _active_column(key: str) -> str | None:
    """The 主动公开 column code of a folded header label, or None."""
    return match_code(ACTIVE_COLUMNS, split_unit(key)[0])


def _is_active_header(keys: list[str]) -> bool:
    """Whether a row is a 主动公开 sub-block header: 信息内容, or known column labels."""
    return ACTIVE_LABEL_HEADER in keys or any(_active_column(key) for key in keys)


def _active_header(row: Row, keys: list[str], table_index: int) -> tuple[Header, list[str]]:
    """The columns of a 主动公开 sub-block from its header row, and its unknown column labels."""
    found: list[Column] = []
    label_positions = [p for p, key in enumerate(keys) if key == ACTIVE_LABEL_HEADER]
    unknown: list[str] = []
    for position, (text, key) in enumerate(zip(row, keys, strict=True)):
        if not key or key == ACTIVE_LABEL_HEADER:
            continue
        base, unit = split_unit(key)
        code = match_code(ACTIVE_COLUMNS, base)
        if code is None:
            unknown.append(text)
            continue
        if unit is None:
            unit = ACTIVE_DEFAULT_UNITS.get(code, COUNT_UNIT)
        found.append(Column(code, text, (position,), unit))
    first = min((column.positions[0] for column in found), default=0)
    if not label_positions:  # no 信息内容 cell: the labels sit left of the first column
        label_positions = list(range(first))
        unknown = [text for p, text in enumerate(row) if p > first and text in unknown]
    header = Header(merge_spans(found), tuple(label_positions), table_index, len(row))
    return header, unknown


def _first_label(row: Row, header: Header) -> str:
    """A row's label: its first non-empty cell under the label header, else before the values."""
    for position in header.label_positions:
        if position < len(row) and row[position].strip():
            return row[position]
    value_positions = {p for column in header.columns for p in column.positions}
    return next(
        (text for p, text in enumerate(row) if text.strip() and p not in value_positions), ""
    )


def read_active(tables: Sequence[Table], warnings: list[ValidationWarning]) -> list[Cell]:
    """Every cell of the 主动公开 table, whether it comes as one grid or one grid per sub-block."""
    cells: list[Cell] = []
    header: Header | None = None
    reported: set[str] = set()
    for table_index, table in enumerate(tables):
        for row in table.rows:
            keys = [label_key(text) for text in row]
            if _is_active_header(keys):
                header, unknown = _active_header(row, keys, table_index)
                for label in dict.fromkeys(unknown):
                    if label not in reported and len(label_key(label)) <= MAX_LABEL:
                        reported.add(label)
                        warnings.append(
                            ValidationWarning(
                                rule="table.unknown_column",
                                message=f"主动公开 table: column {label!r} is not in the "
                                "national template; skipped",
                            )
                        )
                continue
            if header is None or not header.applies(table_index, len(row)):
                continue
            label = _first_label(row, header)
            code = match_code(ACTIVE_ROWS, without_note(bare(label_key(label))))
            if code is not None:
                cells.extend(row_cells(ACTIVE, label, code, header, row, warnings))
    return cells
