"""OCR'd figures are kept only where the table's own identities vouch for them.

OCR misreads digits (8 for 3, a lost 1) and a misread digit looks like any other figure. The
statistics tables check themselves: 新收 + 上年结转 = 总计 + 结转下年度 in every 申请 column, each
column's 总计 is the sum of its results, each row's 总计 the sum of its applicant columns, each
复议/诉讼 group's 总计 its results' sum, the pre-2019 table's totals their parts. A misread figure
breaks every identity it is in, so on an OCR'd record a figure is kept only when:

* an identity it is in can be checked and holds, and none it is in fails; in the 申请 table one
  of them must be a column's (balance or total), as only those tie a row to its label (a row's
  own total holds wherever the row is put);
* the table reader said nothing structural about its table (a duplicate or missing column, a
  header it could not read); an unreadable cell or a missing row only leaves the identities it
  is in uncheckable;
* for the pre-2019 统计表: the whole table's sums hold and nothing was said about it.

A cell OCR read two ways that the identities did not settle (`resolve`, an ``ocr.ambiguous``
warning) counts as unread. Every other figure (the 主动公开 table and the prose's figures have
no identity) becomes null, its raw text kept, with an ``ocr.unverified`` warning. Never a value
that was not vouched for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nianbao.core.gbtables.maps import (
    APPLICANTS,
    APPLICATION_COLUMN_LABELS,
    OUTCOMES,
    REVIEW_GROUPS,
    REVIEW_RESULTS,
)
from schemas.report import AnnualReport, Indicator, ValidationWarning

Key = tuple[str, str | None, str | None]  # table, row code, column code
Side = list[Key]

# The tables whose identities are checked here, and the words reader warnings name them by.
CHECKED = {
    "applications": ("申请",),
    "review_litigation": ("复议", "诉讼"),
    "legacy_stats": ("统计表",),
}
# Reader warnings that leave only some identities uncheckable (handled cell by cell).
_CELL_LEVEL = ("table.unreadable_cell", "table.row_missing")
_EPSILON = 1e-6
AMBIGUOUS = "ocr.ambiguous"  # a warning naming cells read two ways the identities did not settle
_NAMED_CELL = re.compile(r"(\w+)/(\w+)/(\w+) = ")


def _key(indicator: Indicator) -> Key:
    return indicator.table, indicator.row_code, indicator.column_code


def _outcomes(rows: set[str | None]) -> tuple[str, ...]:
    """The 申请 result rows of the table's own format: 2021's three （六） rows or 2019's one."""
    if rows & set(OUTCOMES["gb2021"][-3:]):
        return OUTCOMES["gb2021"]
    if "other_processing" in rows:
        return OUTCOMES["gb2019"]
    return OUTCOMES[None]


def identities(rows: set[str | None]) -> Iterator[tuple[Side, Side, bool]]:
    """Each identity of the 2019/2021 tables as (left, right, ties rows to labels), the 申请
    table's for the result rows it has (`rows`)."""
    outcomes = _outcomes(rows)
    table = "applications"
    for column in APPLICATION_COLUMN_LABELS:
        yield (
            [(table, "new_received", column), (table, "carried_over", column)],
            [(table, "total", column), (table, "carried_forward", column)],
            True,
        )
        yield [(table, "total", column)], [(table, row, column) for row in outcomes], True
    for row in ("new_received", "carried_over", *outcomes, "total", "carried_forward"):
        yield (
            [(table, row, "total")],
            [(table, row, code) for code, _ in APPLICANTS],
            False,
        )
    for group, _ in REVIEW_GROUPS:
        parts = [("review_litigation", group, code) for code, _ in REVIEW_RESULTS[:-1]]
        yield parts, [("review_litigation", group, "total")], True


def holds(values: dict[Key, float | None], left: Side, right: Side) -> bool | None:
    """Whether an identity holds; None when it cannot be checked (a cell absent or all blank).

    Blank counts as 0 when another cell of the identity has a number, as the core checks it.
    """
    cells = [*left, *right]
    if any(key not in values for key in cells):
        return None
    if all(values[key] is None for key in cells):
        return None
    total = sum(values[key] or 0.0 for key in left) - sum(values[key] or 0.0 for key in right)
    return abs(total) <= _EPSILON


def _complaints(record: AnnualReport, table: str, cell_level: bool) -> bool:
    """Whether a reader warned about the table (structural only, unless cell_level)."""
    names = CHECKED[table]
    for warning in record.warnings:
        if table == "legacy_stats" and warning.rule.startswith("legacy."):
            return True
        if warning.rule == "review_litigation.unreadable" and table == "review_litigation":
            return True
        if not warning.rule.startswith("table.") or not any(n in warning.message for n in names):
            continue
        if cell_level or warning.rule not in _CELL_LEVEL:
            return True
    return False


def ambiguous_cells(record: AnnualReport) -> set[Key]:
    """The cells OCR read two ways that no identity settled (named by an ``ocr.ambiguous``
    warning): unread, as if their text were not a quantity."""
    return {
        (table, row, column)
        for warning in record.warnings
        if warning.rule == AMBIGUOUS
        for table, row, column in _NAMED_CELL.findall(warning.message)
    }


def vouched_cells(record: AnnualReport) -> set[Key]:
    """The figures of the record its table identities vouch for (see the module's rules)."""
    doubtful = ambiguous_cells(record)
    values = {
        _key(i): i.value
        for i in record.indicators
        if i.table in CHECKED and _key(i) not in doubtful
    }
    held: set[Key] = set()
    tied: set[Key] = set()
    failed: set[Key] = set()
    rows = {i.row_code for i in record.indicators if i.table == "applications"}
    for left, right, ties in identities(rows):
        result = holds(values, left, right)
        if result is None:
            continue
        for key in (*left, *right):
            (held if result else failed).add(key)
            if result and ties:
                tied.add(key)
    vouched = {
        key
        for key in held - failed
        if key[0] != "applications" or key in tied  # a row's own total does not place it
    }
    out = {key for key in vouched if not _complaints(record, key[0], cell_level=False)}
    if "legacy_stats" in {i.table for i in record.indicators} and not _complaints(
        record, "legacy_stats", cell_level=True
    ):
        out |= {key for key in values if key[0] == "legacy_stats"}
    return out


def check_ocr(record: AnnualReport) -> AnnualReport:
    """The OCR'd record with every figure the identities do not vouch for set to null."""
    vouched = vouched_cells(record)
    indicators: list[Indicator] = []
    nulled: dict[str, int] = {}
    for indicator in record.indicators:
        if indicator.value is not None and _key(indicator) not in vouched:
            indicator = indicator.model_copy(update={"value": None})
            nulled[indicator.table] = nulled.get(indicator.table, 0) + 1
        indicators.append(indicator)
    if not nulled:
        return record
    warnings = [
        *record.warnings,
        *(
            ValidationWarning(
                rule="ocr.unverified",
                message=f"OCR'd {table} figures: no table identity vouches for them (none "
                f"exists, one fails or cannot be checked), so {count} are left null (raw "
                "text kept)",
            )
            for table, count in sorted(nulled.items())
        ),
    ]
    return record.model_copy(update={"indicators": indicators, "warnings": warnings})
