"""The 复议/诉讼 table (section 四): 15 cells under a two-level header, or a flattened row.

A data row whose header does not line up with it (a PDF flattened to one line of 15 values) is
read in the template's fixed order, as that table has no row labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from nianbao.core.document import Table
from nianbao.core.gbtables.cells import Cell, Column, Header, Row, cell_text, merge_spans
from nianbao.core.gbtables.labels import label_key
from nianbao.core.gbtables.maps import (
    COUNT_UNIT,
    REVIEW,
    REVIEW_CELLS,
    REVIEW_GROUP_KEYS,
    REVIEW_HEADER_MARKS,
    REVIEW_RESULT_KEYS,
)
from nianbao.core.numbers import parse_cell
from schemas.report import ValidationWarning


def _is_review_header(keys: list[str]) -> bool:
    """Whether a row belongs to the 复议/诉讼 header (also a flattened header line)."""
    return any(key in REVIEW_HEADER_MARKS or "结果维持" in key for key in keys)


def _names_results(block: list[Row]) -> bool:
    """Whether header rows name the results (结果维持 ...), as only the 复议/诉讼 table does."""
    return any(
        "结果维持" in key or (key in REVIEW_RESULT_KEYS and key != "总计")
        for row in block
        for key in map(label_key, row)
    )


def _review_header(block: list[Row], table_index: int) -> Header:
    """The 15 复议/诉讼 columns: each position takes its lowest group and lowest result label."""
    width = max(len(row) for row in block)
    found: list[Column] = []
    for position in range(width):
        group: tuple[str, str] | None = None
        result: tuple[str, str] | None = None
        for row in reversed(block):
            if position >= len(row):
                continue
            key = label_key(row[position])
            if result is None and key in REVIEW_RESULT_KEYS:
                result = (REVIEW_RESULT_KEYS[key], row[position])
            if group is None and key in REVIEW_GROUP_KEYS:
                group = (REVIEW_GROUP_KEYS[key], row[position])
        if group and result:
            found.append(Column(result[0], result[1], (position,), COUNT_UNIT, group[0], group[1]))
    return Header(merge_spans(found), (), table_index, width)


def _review_complete(header: Header) -> bool:
    """Whether the header's columns are exactly the 15 (group, result) pairs of the template."""
    codes = [(column.group, column.code) for column in header.columns]
    return sorted(codes) == sorted((g, r) for g, _, r, _ in REVIEW_CELLS)


def _flat_values(row: Row) -> list[str] | None:
    """15 cell texts from a flattened row (15 cells, or one line of 15 numbers), else None."""
    candidates = [
        list(row),
        [text for text in row if text.strip()],
        [token for text in row for token in text.split()],
    ]
    for values in candidates:
        if len(values) == len(REVIEW_CELLS) and all(parse_cell(v) is not None for v in values):
            return values
    return None


def _review_cells(header: Header, row: Row) -> list[Cell] | None:
    """The 15 复议/诉讼 cells of a data row: by header labels, or in template order if flattened."""
    slots: list[tuple[str, str, str, str, str]] = []  # group code and label, code, label, raw
    if _review_complete(header):
        slots = [
            (c.group or "", c.group_label or "", c.code, c.label, cell_text(row, c.positions))
            for c in header.columns
        ]
    if not slots or any(parse_cell(raw) is None for *_, raw in slots):
        flat = _flat_values(row)
        if flat is None:
            return None
        slots = [(*cell, raw) for cell, raw in zip(REVIEW_CELLS, flat, strict=True)]
    cells: list[Cell] = []
    for group, group_label, code, label, raw in slots:
        quantity = parse_cell(raw)
        if quantity is None:  # pragma: no cover - every slot was checked above
            return None
        cells.append(Cell(REVIEW, group_label, group, label, code, COUNT_UNIT, raw, quantity))
    return cells


def read_review(tables: Sequence[Table], warnings: list[ValidationWarning]) -> list[Cell]:
    """The 复议/诉讼 cells: the first row with content after the header (placeholders skipped)."""
    cells: list[Cell] = []
    header: Header | None = None
    blank: Row | None = None
    rows_after = 0

    def finish() -> None:
        """Close a header whose data row never came: an all-blank row is its data, else warn."""
        nonlocal header, blank
        if header is None:
            return
        found = _review_cells(header, blank) if blank is not None else None
        if found is None:
            warnings.append(
                ValidationWarning(
                    rule="review_litigation.unreadable",
                    message="复议/诉讼 table: found its header but no row of 15 values",
                )
            )
        else:
            cells.extend(found)
        header, blank = None, None

    for table_index, table in enumerate(tables):
        if header is not None and (rows_after > 0 or header.table_index != table_index - 1):
            finish()
        block: list[Row] = []
        for row in table.rows:
            keys = [label_key(text) for text in row]
            if _is_review_header(keys):
                if not block:
                    finish()
                block.append(row)
                if _names_results(block):  # 行政复议 alone is a title, not this table
                    header, blank, rows_after = _review_header(block, table_index), None, 0
                continue
            if header is None:
                block = []
                continue
            rows_after += 1
            if not any(text.strip() for text in row):
                blank = blank or row  # a placeholder row, or the data row of an empty table
                continue
            block = []
            found = _review_cells(header, row)
            if found is None:
                warnings.append(
                    ValidationWarning(
                        rule="review_litigation.unreadable",
                        message=f"复议/诉讼 table: cannot read the row {' '.join(row)!r}",
                    )
                )
            else:
                cells.extend(found)
            header, blank = None, None
    finish()
    return cells
