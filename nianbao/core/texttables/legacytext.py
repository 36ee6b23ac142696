"""Pre-2019 tables flattened into text: the provincial form (指标名称 | 计量单位 | 2011年度 |
历年累计) and the national 统计指标 | 单位 | 统计数 form, on one line or one row per line.

Each row is a label, its unit and its value text ("主动公开信息数条4251516"). A flattened row
may end with the next row's enumerator ("…条41815092.政府公报公开"): the enumerator expected
next (1 after a fresh label, n+1 after the n-th) is taken back from the digits. Rows listed
under a parent with 其中 add up to it (or, where the table's own sums are off, at least none
exceeds it), and a year's count never exceeds the cumulative count; those are the identities
the digit runs are split by.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from nianbao.core.document import Table
from nianbao.core.texttables import digits

_UNIT = r"(?:万元|人次|条|件|个|次|元|人|篇|项|期|场)"
_COLUMN = r"(?:(?:19|20)\d{2}\s*年度?|历年累计|累计数?|本年度?|上年度?|统计数|数量|数值)"
_HEADER = re.compile(
    rf"(?:指标名称|统计指标)\s*(?:计量单位|单位)\s*(?P<columns>(?:{_COLUMN}\s*){{1,4}})"
)
_COLUMNS = re.compile(_COLUMN)
_NOTE = r"[(（][^()（）]{0,80}[)）]"  # a note in brackets may hold figures: （…相同信息计1条）
_DASH = r"[—/-](?=[\s\d—/-]|$)"  # a cell written "-", "—" or "/" (not the start of a label)
_ROW = re.compile(
    rf"(?P<label>(?:其中\s*[:：]?\s*)?(?:\d{{1,2}}\s*[.、]\s*)?"
    rf"(?:[^\d\s(（]|{_NOTE})(?:[^\d(（]|{_NOTE}){{0,120}}?)"
    rf"\s*(?P<unit>{_UNIT})\s*(?P<values>(?:\d|{_DASH})(?:[\d\s.、]|{_DASH})*)"
)
_ENUM = re.compile(r"^(?:其中\s*[:：]?\s*)?(?P<n>\d{1,2})\s*[.、]")
_TRAILING_ENUM = re.compile(r"(?P<digits>\d+)\s*[.、]\s*$")
# a row label that carries heading rows before it: "一、主动公开情况（一）主动公开政府信息数"
_INNER_ENUM = re.compile(
    r"(?<=[^\s:：其中])\s*(?=[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d{1,2}[.、](?!\d))"
)
_END = re.compile(r"附件下载|单位负责人|填报人|填报日期|审核人")
MAX_ROWS = 80
_HEADING_JUNK = " \t—-/|"  # a heading row's empty unit and value cells: —— ——
_CELL_BREAK = re.compile(r"\s*[|\t]\s*")
_RULE_CELL = re.compile(r"^:?-*:?$")
_HEADER_CELLS = {"统计指标", "指标名称"}


@dataclass
class LegacyRow:
    """A row read from the text: its label, unit and value tokens."""

    label: str
    unit: str
    values: list[str]
    glued: bool = False  # the digits follow the unit with no space ("条4251516")


@dataclass
class LegacyText:
    """The header's value columns, the rows, and where the table starts in the text."""

    columns: list[str]
    rows: list[LegacyRow]
    start: int


def scan(text: str) -> LegacyText | None:
    """The first flattened 指标名称/计量单位 table in the text, or None."""
    header = _HEADER.search(text)
    if header is None:
        return None
    columns = [re.sub(r"\s+", "", c) for c in _COLUMNS.findall(header.group("columns"))]
    end = _END.search(text, header.end())
    body = text[header.end() : end.start() if end else len(text)]
    rows: list[LegacyRow] = []
    carry = ""
    for match in _ROW.finditer(body):
        if len(rows) >= MAX_ROWS:
            break
        label = carry + match.group("label").strip()
        values, carry = _next_enumerator(label, match.group("values"))
        *headings, label = _INNER_ENUM.split(label)
        headings = [heading.strip(_HEADING_JUNK) for heading in headings]
        rows += [LegacyRow(heading, "", []) for heading in headings if heading]
        glued = match.start("values") == match.end("unit")
        rows.append(LegacyRow(label, match.group("unit"), values.split(), glued))
    return LegacyText(columns, rows, header.start()) if rows and columns else None


def _next_enumerator(label: str, values: str) -> tuple[str, str]:
    """The row's value text without the next row's enumerator glued to its end, and that
    enumerator ("41815092." after "1.网站公开" is 4181509 and "2.")."""
    enum = _ENUM.match(label)
    expected = str(int(enum.group("n")) + 1) if enum else "1"
    trailing = _TRAILING_ENUM.search(values)
    if trailing is None:
        return values, ""
    run = trailing.group("digits")
    spaced = run == expected and values[: trailing.start()].strip() != ""
    if not spaced and (run == expected or not run.endswith(expected)):
        return values, ""
    carry = expected + values[trailing.end("digits") : trailing.end()].strip()
    return values[: trailing.start("digits")] + run[: -len(expected)], carry


def _readings(
    row: LegacyRow, width: int, year_first: bool, runs: bool
) -> list[digits.Reading] | None:
    """A row's readings: as written with one token per cell, else its digit splits (`runs`:
    the table lost its separators) or the placements of lost blank cells; those where the
    year's count exceeds the cumulative count are dropped (unless all are)."""
    if len(row.values) == width:
        return [tuple(row.values)]
    found = digits.readings(row.values, width, blanks=not runs)
    if found and year_first:
        kept = [r for r in found if not all(r) or digits.number(r[0]) <= digits.number(r[1])]
        found = kept or found
    return found


def _parents(rows: list[LegacyRow]) -> list[tuple[int, list[int]]]:
    """(parent, children) for each row followed by a 其中 list of enumerated rows."""
    found = []
    for index, row in enumerate(rows):
        if not row.label.startswith("其中") or index == 0:
            continue
        children = [index]
        for later in range(index + 1, len(rows)):
            if not _ENUM.match(rows[later].label) or rows[later].label.startswith("其中"):
                break
            children.append(later)
        found.append((index - 1, children))
    return found


def grid(
    table: LegacyText, prefer: Callable[[digits.Reading], int]
) -> tuple[Table, dict[tuple[str, str], str], list[str]]:
    """The table as a grid for legacy.from_grid, the cells left unknown, and the problems."""
    width = len(table.columns)
    year_first = width == 2 and "累计" in table.columns[1] and "累计" not in table.columns[0]
    candidates: dict[Hashable, list[digits.Reading]] = {}
    problems: list[str] = []
    runs = any(
        row.glued or not all(digits.is_number(value) for value in row.values)
        for row in table.rows
        if row.values
    )
    for index, row in enumerate(table.rows):
        if not row.values:  # a heading row
            candidates[index] = []
            continue
        found = _readings(row, width, year_first, runs)
        if found is None:
            problems.append(f"统计表 {row.label}: {' '.join(row.values)!r} cannot be split")
        candidates[index] = found or []
    rules: list[digits.SumRule] = []
    for parent, children in _parents(table.rows):
        for c in range(width):
            if len(children) > 1:  # one 其中 row alone is a part, not a breakdown
                parts = tuple((child, c) for child in children)
                rules.append(digits.SumRule(((parent, c),), parts))
            rules += [
                digits.SumRule(((child, c),), ((parent, c),), at_most=True) for child in children
            ]
    solution = digits.solve(candidates, rules, prefer)
    if solution.gave_up:
        problems.append("统计表: too many readings of its digit runs; gave up")
    if solution.inconsistent and any(len(found) > 1 for found in candidates.values()):
        problems.append("统计表: no split of its digit runs satisfies the table's sums")
    unknown: dict[tuple[str, str], str] = {}
    body = []
    for index, row in enumerate(table.rows):
        cells = []
        for column in range(width):
            text = solution.cells.get((index, column)) if row.values else ""
            if text is None:
                unknown[(row.label, table.columns[column])] = " ".join(row.values)
                text = ""
            cells.append(text)
        body.append((row.label, row.unit, *cells))
    header = ("指标名称", "计量单位", *table.columns)
    return Table((header, *body)), unknown, problems


def grid_from_lines(lines: Sequence[str]) -> Table | None:
    """A 统计指标/指标名称 table written one row per line, cells between pipes or tabs."""
    rows: list[list[str]] = []
    for line in lines:
        if "|" not in line and "\t" not in line:
            if rows:
                break
            continue
        cells = _CELL_BREAK.split(line.strip().strip("|").strip())
        if not rows:
            if any(re.sub(r"\s+", "", cell) in _HEADER_CELLS for cell in cells):
                rows.append(cells)
            continue
        if all(_RULE_CELL.match(cell) for cell in cells):
            continue  # markdown's |---|---|
        rows.append(cells)
        if len(rows) > MAX_ROWS:
            break
    if len(rows) < 2:
        return None
    width = max(len(row) for row in rows)
    return Table(tuple(tuple(row + [""] * (width - len(row))) for row in rows))
