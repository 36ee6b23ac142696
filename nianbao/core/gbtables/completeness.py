"""Repeated cells and absent rows or columns of a table, as warnings."""

from __future__ import annotations

from nianbao.core.gbtables.cells import Cell
from nianbao.core.gbtables.maps import TABLE_NAMES
from schemas.report import TableName, ValidationWarning


def dedupe(cells: list[Cell], warnings: list[ValidationWarning]) -> list[Cell]:
    """Keep the first cell for each (table, row, column); one warning if repeats disagree."""
    seen: dict[tuple[str, str, str], Cell] = {}
    kept: list[Cell] = []
    clashes: list[str] = []
    for cell in cells:
        slot = (cell.table, cell.row_code, cell.column_code)
        first = seen.get(slot)
        if first is None:
            seen[slot] = cell
            kept.append(cell)
        elif first.raw != cell.raw:
            clashes.append(f"{cell.row} / {cell.column}: {first.raw!r} then {cell.raw!r}")
    if clashes:
        shown = "; ".join(clashes[:5]) + (
            f"; and {len(clashes) - 5} more" if len(clashes) > 5 else ""
        )
        warnings.append(
            ValidationWarning(
                rule="table.duplicate_cell",
                message=f"{TABLE_NAMES[cells[0].table]} table appears more than once with "
                f"different values; kept the first: {shown}",
            )
        )
    return kept


def missing_warnings(
    table: TableName,
    expected: dict[str, tuple[str, ...]],
    labels: dict[str, str],
    column_labels: dict[str, str],
    cells: list[Cell],
) -> list[ValidationWarning]:
    """Warnings for expected rows that are absent and for absent columns of present rows."""
    present = {(cell.row_code, cell.column_code) for cell in cells}
    rows = {cell.row_code for cell in cells}
    name = TABLE_NAMES[table]
    found: list[ValidationWarning] = []
    missing_rows = [code for code in expected if code not in rows]
    if missing_rows:
        listed = "; ".join(f"{labels[code]} ({code})" for code in missing_rows)
        found.append(
            ValidationWarning(
                rule="table.row_missing", message=f"{name} table lacks rows: {listed}"
            )
        )
    missing_cells = sorted(
        {
            column
            for code, columns in expected.items()
            if code in rows
            for column in columns
            if (code, column) not in present
        }
    )
    if missing_cells:
        listed = "; ".join(f"{column_labels[code]} ({code})" for code in missing_cells)
        found.append(
            ValidationWarning(
                rule="table.column_missing", message=f"{name} table lacks columns: {listed}"
            )
        )
    return found
