"""National-template tables scanned from text (gbscan), laid out as grids for gbtables.

Rows are laid out under the template's column order (the 申请 header's flattened order is
meaningless: its two header rows come out interleaved); digit runs are split under the
template's identities: each 申请 row's 总计 is the sum of its applicant columns, each column's
（七）总计 the sum of the outcomes, 新收 + 上年结转 = 总计 + 结转下年度, and each 复议/诉讼 group's
总计 the sum of its four results.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from itertools import pairwise

from nianbao.core.document import Table
from nianbao.core.texttables import digits
from nianbao.core.texttables.gbscan import (
    APP_ROW_CODES,
    REVIEW_GROUPS,
    REVIEW_RESULTS,
    Row,
    Scan,
)

_OUTCOMES = APP_ROW_CODES[2:-2]
_OTHER_2021 = ("other_no_correction", "other_no_fee", "other_other")
_UNPLACED = "申请: values printed apart from their row labels, unconfirmed by the sums; not placed"
_GROUPS_2021 = ("other_processing",)  # in 2021 only the label over its three sub-rows


@dataclass
class Grids:
    """The rebuilt grids, the cells whose digits could not be split, and why."""

    tables: list[Table] = field(default_factory=list)
    unknown: dict[tuple[str, str], str] = field(default_factory=dict)  # (row, column) -> run
    dropped: set[tuple[str, str]] = field(default_factory=set)  # cut off by the end
    inconsistent: bool = False  # some table's sums hold for no reading
    problems: list[str] = field(default_factory=list)


def _lost_separators(rows: list[Row]) -> bool:
    """Whether a table's text lost its cell separators: digits glued to a label ("规章000") or
    a token no one writes as a number ("00", "000023"). Otherwise whole numbers spaced apart
    that are fewer than the cells have lost blank cells instead."""
    return any(
        row.glued or not all(digits.is_number(value) for value in row.values)
        for row in rows
        if row.values and not row.positional
    )


def _candidates(row: Row, width: int, runs: bool) -> list[digits.Reading] | None:
    """A row's readings: as written when it has one token per cell or its cells are positional
    (the missing ones blank), else the splits of its digit runs (`runs`) or the placements of
    lost blank cells. A row the end of the text cut off is read only when its cells keep their
    places."""
    values = row.values
    if not values:
        return None
    if len(values) > width:
        return []
    if len(values) == width or row.positional:
        return [(*values, *[""] * (width - len(values)))]
    if row.kept is not None:
        return None
    return digits.readings(values, width, blanks=row.separated or not runs)


def _application_rules(rows: list[Row], width: int) -> list[digits.SumRule]:
    """Row totals, the （七）总计 column sums and the 勾稽 balance of the 申请 table."""
    keys = {row.code: index for index, row in enumerate(rows)}
    rules = [
        digits.SumRule(((i, width - 1),), tuple((i, c) for c in range(width - 1)))
        for i in range(len(rows))
    ]
    # （七）总计 is the sum of the outcomes only when every outcome row is there to add up
    common = [c for c in _OUTCOMES if c != "other_processing" and c not in _OTHER_2021]
    others = _OTHER_2021 if any(c in keys for c in _OTHER_2021) else ("other_processing",)
    complete = "total" in keys and all(c in keys for c in (*common, *others))
    outcomes = [*common, *others]
    for column in range(width):
        if complete:
            parts = tuple((keys[code], column) for code in outcomes)
            rules.append(digits.SumRule(((keys["total"], column),), parts))
        ends = ("new_received", "carried_over", "total", "carried_forward")
        if all(code in keys for code in ends):
            left = tuple((keys[code], column) for code in ends[:2])
            right = tuple((keys[code], column) for code in ends[2:])
            rules.append(digits.SumRule(left, right))
    return rules


def _review_rules() -> list[digits.SumRule]:
    """结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计, for each of the three groups."""
    return [
        digits.SumRule(((0, 5 * g + 4),), tuple((0, 5 * g + r) for r in range(4))) for g in range(3)
    ]


def _shift_values_up(rows: list[Row], width: int) -> list[Row]:
    """PDF text that centres a row's values beside its wrapped label puts them before it: a
    row with two rows' worth of values followed by a row with none gives it the second half.
    The rows that took part (the table's sums must then confirm them)."""
    moved: list[Row] = []
    for row, after in pairwise(rows):
        if len(row.values) == 2 * width and not after.values and not row.positional:
            row.values, after.values = row.values[:width], row.values[width:]
            after.separated = after.separated or row.separated
            moved += [row, after]
    return moved


def _column_major(rows: list[Row], width: int) -> list[Row]:
    """pdfminer's order: a page's row labels with nothing after them, then the header, then
    the values column by column. The k rows since the last row with values take a block of
    k × width values when every row's 总计 is then the sum of its other cells (the table's
    sums must confirm them too). The rows that took values."""
    moved: list[Row] = []
    run: list[Row] = []
    groups = _GROUPS_2021 if any(row.code in _OTHER_2021 for row in rows) else ()
    for row in rows:
        block = row.block or (row.values if len(row.values) > width else [])
        if row.values and not block:
            run = []
            continue
        if row.code not in groups:
            run.append(row)
        count = len(block) // width
        if not block or len(block) % width or count != len(run) or count < 2:
            continue
        grid = [[block[c * count + j] for c in range(width)] for j in range(count)]
        if all(_adds_up(cells) for cells in grid):
            for target, cells in zip(run, grid, strict=True):
                target.values, target.separated, target.unknown = cells, True, False
            moved += run
        run = []
    return moved


def _adds_up(cells: list[str]) -> bool:
    """Whether the last cell is the sum of the others (a 申请 row's 总计)."""
    if not all(digits.is_number(cell) for cell in cells):
        return False
    return sum(digits.number(cell) for cell in cells[:-1]) == digits.number(cells[-1])


def _known(rows: list[Row]) -> list[Row]:
    """The rows whose cells are known: in a table with values anywhere, a row with nothing
    after its label (and no pipes to show its cells empty) has its values elsewhere."""
    rows = [row for row in rows if not row.unknown]
    if not any(row.values for row in rows):
        return rows  # an empty table: every row blank
    return [row for row in rows if row.values or row.positional]


def _checked(rows: list[Row], width: int) -> set[int]:
    """Indexes of the rows that a rule across rows reads (their sums can confirm them)."""
    rules = _application_rules(rows, width)
    return {
        cell[0] for rule in rules if len({c[0] for c in rule.cells()}) > 1 for cell in rule.cells()
    }


def _applications(found: Scan, grids: Grids, prefer: Callable[[digits.Reading], int]) -> None:
    """The 申请 grid: values set before their labels are moved only where the sums confirm."""
    columns = list(found.app_columns)
    width = len(columns)
    moved = _column_major(found.applications, width)
    moved += _shift_values_up(found.applications, width)
    rows = _known(found.applications)
    if moved:
        checked = _checked(rows, width)
        trial = Grids()
        cells = _resolve("申请", rows, columns, _application_rules(rows, width), trial, prefer)
        confirmed = cells is not None and not trial.inconsistent
        if not confirmed or any(rows.index(row) not in checked for row in moved if row in rows):
            rows = [row for row in rows if row not in moved]  # unknown, not guessed
            grids.problems.append(_UNPLACED)
    cells = _resolve("申请", rows, columns, _application_rules(rows, width), grids, prefer)
    if cells is not None:
        body = [(row.label, *c) for row, c in zip(rows, cells, strict=True)]
        grids.tables.append(Table((("申请人情况", *columns), *body)))


def _resolve(
    name: str,
    rows: list[Row],
    columns: list[str],
    rules: list[digits.SumRule],
    grids: Grids,
    prefer: Callable[[digits.Reading], int],
) -> list[list[str]] | None:
    """The cell texts of the rows: runs split where the rules decide; None when the values
    cannot be placed under their rows at all."""
    width = len(columns)
    if any(len(r.values) > width for r in rows) and any(not r.values for r in rows):
        # values gathered under one label while others have none: the text is in column or
        # block order (pdfminer), not row order; no cell can be placed
        grids.problems.append(f"{name}: the values do not follow their row labels; not read")
        return None
    candidates: dict[Hashable, list[digits.Reading]] = {}
    total, runs = 0, _lost_separators(rows)
    for index, row in enumerate(rows):
        found = _candidates(row, width, runs) if total <= digits.MAX_TABLE_READINGS else None
        total += len(found or ())
        if found is None and row.values:
            grids.problems.append(f"{name} {row.label}: {' '.join(row.values)!r} cannot be split")
        candidates[index] = found or []
    solution = digits.solve(candidates, rules, prefer)
    grids.inconsistent |= solution.inconsistent
    if solution.gave_up:
        grids.problems.append(f"{name}: too many readings of its digit runs; gave up")
    if solution.inconsistent and any(len(found) > 1 for found in candidates.values()):
        grids.problems.append(f"{name}: no split of its digit runs satisfies the table's sums")
    out: list[list[str]] = []
    for index, row in enumerate(rows):
        cells = []
        for column in range(width):
            text = solution.cells.get((index, column)) if row.values else ""
            if row.kept is not None and column >= row.kept:
                grids.dropped.add((row.label, columns[column]))
            if text is None:
                grids.unknown[(row.label, columns[column])] = " ".join(row.values)
                text = ""
            cells.append(text)
        out.append(cells)
    return out


def build(found: Scan, prefer: Callable[[digits.Reading], int]) -> Grids:
    """The grids of the scanned tables, laid out as the template lays them out."""
    grids = Grids()
    for block in found.active:
        rows = _known(block.rows)
        cells = _resolve("主动公开", rows, block.columns, [], grids, prefer)
        if cells is not None:
            body = [(row.label, *c) for row, c in zip(rows, cells, strict=True)]
            grids.tables.append(Table((("信息内容", *block.columns), *body)))
    if found.applications:
        _applications(found, grids, prefer)
    if found.review and (found.review.values or found.review_blank):
        columns = [f"{g}/{r}" for g in REVIEW_GROUPS for r in REVIEW_RESULTS]
        cells = _resolve("复议/诉讼", [found.review], columns, _review_rules(), grids, prefer)
        if cells is not None:
            header = (
                tuple(["行政复议"] * 5 + ["行政诉讼"] * 10),
                tuple(g for g in REVIEW_GROUPS for _ in REVIEW_RESULTS),
                tuple(r for _ in REVIEW_GROUPS for r in REVIEW_RESULTS),
            )
            grids.tables.append(Table((*header, tuple(cells[0]))))
    return grids
