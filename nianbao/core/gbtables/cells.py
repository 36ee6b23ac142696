"""Numeric cells matched to their row and column labels, and the headers that place them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from nianbao.core.gbtables.maps import TABLE_NAMES
from nianbao.core.numbers import Quantity, parse_cell
from schemas.report import Indicator, TableName, ValidationWarning

Row = tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    """One numeric cell matched to its labels, before it becomes an Indicator."""

    table: TableName
    row: str
    row_code: str
    column: str
    column_code: str
    unit: str | None
    raw: str
    quantity: Quantity

    def indicator(self) -> Indicator:
        """The public record of this cell."""
        return Indicator(
            table=self.table,
            row=self.row,
            row_code=self.row_code,
            column=self.column,
            column_code=self.column_code,
            unit=self.quantity.unit or self.unit,
            value=self.quantity.value,
            raw=self.raw,
            semantics=self.quantity.semantics,
        )


@dataclass(frozen=True)
class Column:
    """A column found in a header: its code, verbatim label, grid positions and unit."""

    code: str
    label: str
    positions: tuple[int, ...]
    unit: str | None
    group: str | None = None  # 复议/诉讼 only: the column group's code and verbatim label
    group_label: str | None = None


@dataclass(frozen=True)
class Header:
    """The columns of one table, where its row labels sit, and which grid it came from."""

    columns: tuple[Column, ...]
    label_positions: tuple[int, ...]
    table_index: int
    width: int

    def applies(self, table_index: int, width: int) -> bool:
        """Whether this header reads a row: same grid, or a continuation grid of equal width."""
        return table_index == self.table_index or width == self.width


def cell_text(row: Row, positions: tuple[int, ...]) -> str:
    """The text under a (possibly spanning) column: its first non-empty position, else ""."""
    texts = [row[p] for p in positions if p < len(row)]
    return next((text for text in texts if text.strip()), "")


def merge_spans(found: list[Column]) -> tuple[Column, ...]:
    """Merge adjacent single-position columns that are the same column (a colspan) into one."""
    merged: list[Column] = []
    for column in sorted(found, key=lambda c: c.positions[0]):
        last = merged[-1] if merged else None
        if (
            last is not None
            and replace(last, positions=column.positions) == column
            and last.positions[-1] == column.positions[0] - 1
        ):
            merged[-1] = replace(last, positions=(*last.positions, *column.positions))
        else:
            merged.append(column)
    return tuple(merged)


def _unreadable(table: TableName, row: str, column: str, raw: str) -> ValidationWarning:
    """The warning for a value cell that holds text instead of a quantity."""
    return ValidationWarning(
        rule="table.unreadable_cell",
        message=f"{TABLE_NAMES[table]} table, row {row}, column {column}: "
        f"cell {raw!r} is not a quantity",
    )


def row_cells(
    table: TableName,
    label: str,
    code: str,
    header: Header,
    row: Row,
    warnings: list[ValidationWarning],
) -> list[Cell]:
    """Read one data row under its header, one cell per column; text cells are warnings."""
    cells: list[Cell] = []
    for column in header.columns:
        raw = cell_text(row, column.positions)
        quantity = parse_cell(raw)
        if quantity is None:
            warnings.append(_unreadable(table, label, column.label, raw))
            continue
        cells.append(
            Cell(table, label, code, column.label, column.code, column.unit, raw, quantity)
        )
    return cells
