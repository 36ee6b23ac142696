"""The sums a filled-in template must satisfy (申请 balance and totals, 复议/诉讼 totals)."""

from __future__ import annotations

from nianbao.core.gbtables.cells import Cell
from nianbao.core.gbtables.maps import (
    APPLICANTS,
    APPLICATION_COLUMN_LABELS,
    OUTCOMES,
    REVIEW_GROUPS,
    REVIEW_RESULTS,
    GbFormat,
)
from schemas.report import ValidationWarning


def _number(value: float) -> str:
    """A sum as people write it: no trailing .0 on whole numbers."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _sum(cells: list[Cell | None]) -> float | None:
    """The sum with blank and "/" as 0; None if a cell is missing or none holds a value."""
    if any(cell is None for cell in cells):
        return None
    values = [cell.quantity.value for cell in cells if cell is not None]
    if all(value is None for value in values):
        return None
    return sum(value or 0.0 for value in values)


def _differs(left: list[Cell | None], right: list[Cell | None]) -> tuple[str, str] | None:
    """Both sides of an identity, as text, when it is checkable and does not hold, else None."""
    if _sum([*left, *right]) is None:
        return None
    sums = _sum(left), _sum(right)
    if abs((sums[0] or 0.0) - (sums[1] or 0.0)) <= 1e-6:
        return None
    shown = ["blank" if total is None else _number(total) for total in sums]
    return shown[0], shown[1]


def application_identities(cells: list[Cell], fmt: GbFormat | None) -> list[ValidationWarning]:
    """The per-column 勾稽 balance and total, and the per-row total, of the 申请 table."""
    grid = {(cell.row_code, cell.column_code): cell for cell in cells}
    columns = [code for code in APPLICATION_COLUMN_LABELS if any(c == code for _, c in grid)]
    labels = {cell.column_code: cell.column for cell in cells}
    outcomes = OUTCOMES[fmt]
    found: list[ValidationWarning] = []
    for column in columns:
        label = labels[column]
        new, old = grid.get(("new_received", column)), grid.get(("carried_over", column))
        total, forward = grid.get(("total", column)), grid.get(("carried_forward", column))
        broken = _differs([new, old], [total, forward])
        if broken:
            found.append(
                ValidationWarning(
                    rule="applications.balance",
                    message=f"申请 table, column {label}: 新收 + 上年结转 = {broken[0]}, "
                    f"but 总计 + 结转下年度 = {broken[1]}",
                )
            )
        broken = _differs([total], [grid.get((row, column)) for row in outcomes])
        if broken:
            found.append(
                ValidationWarning(
                    rule="applications.total",
                    message=f"申请 table, column {label}: （七）总计 is {broken[0]}, "
                    f"but the results add up to {broken[1]}",
                )
            )
    rows = list(dict.fromkeys(cell.row_code for cell in cells))
    row_labels = {cell.row_code: cell.row for cell in cells}
    for row in rows:
        broken = _differs(
            [grid.get((row, "total"))], [grid.get((row, code)) for code, _ in APPLICANTS]
        )
        if broken:
            found.append(
                ValidationWarning(
                    rule="applications.row_total",
                    message=f"申请 table, row {row_labels[row]}: 总计 is {broken[0]}, "
                    f"but the applicant columns add up to {broken[1]}",
                )
            )
    return found


def review_identities(cells: list[Cell]) -> list[ValidationWarning]:
    """结果维持 + 结果纠正 + 其他结果 + 尚未审结 == 总计, for each of the three groups."""
    grid = {(cell.row_code, cell.column_code): cell for cell in cells}
    found: list[ValidationWarning] = []
    for group, group_label in REVIEW_GROUPS:
        parts = [grid.get((group, code)) for code, _ in REVIEW_RESULTS[:-1]]
        broken = _differs(parts, [grid.get((group, "total"))])
        if broken:
            found.append(
                ValidationWarning(
                    rule="review_litigation.total",
                    message=f"复议/诉讼 table, {group_label}: 结果维持 + 结果纠正 + 其他结果 + "
                    f"尚未审结 = {broken[0]}, but 总计 is {broken[1]}",
                )
            )
    return found
