"""The pre-2019 《政府信息公开情况统计表》 (统计指标 | 单位 | 统计数), from grids or flattened text.

Every value is read next to its own label: a row whose value cell is missing yields a blank
indicator and a warning, never a shifted column. The provincial form (指标名称 | 计量单位 |
2011年度 | 历年累计) has one value column per header label: column codes value (统计数),
this_year (2011年度, 本年), cumulative (历年累计). Row codes (a public contract, stable):

active, active.total, active.normative_docs, active.normative_docs_issued, active.channels,
active.gazette, active.website, active.weibo, active.wechat, active.other,
response, response.hotspots, response.channels, response.press_conferences,
response.press_conferences_leaders, response.interviews, response.interviews_leaders,
response.interpretations, response.weibo_wechat, response.other,
requests, requests.received, requests.in_person, requests.fax, requests.online,
requests.letter, requests.completed, requests.on_time, requests.extended, requests.answered,
requests.already_public, requests.granted, requests.partially_granted, requests.denied,
requests.denied_state_secret, requests.denied_commercial_secret, requests.denied_privacy,
requests.denied_security, requests.denied_not_government_info, requests.denied_other_law,
requests.not_this_agency, requests.not_exist, requests.asked_to_amend,
requests.other_channels, review.total, review.upheld, review.corrected, review.other,
litigation.total, litigation.upheld, litigation.corrected, litigation.other,
complaints.total, fees.total, staffing, staffing.offices, staffing.reading_points,
staffing.staff, staffing.full_time, staffing.part_time, staffing.budget, meetings,
meetings.meetings, meetings.trainings, meetings.trainees.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from nianbao.core.document import Table
from nianbao.core.numbers import parse_cell
from schemas.report import Indicator, ValidationWarning

COLUMN = "统计数"
UNITS = {
    "条",
    "件",
    "次",
    "篇",
    "个",
    "人",
    "人次",
    "人数",
    "万元",
    "元",
    "项",
    "——",
    "—",
    "-",
    "/",
}
_HEADER = re.compile(r"^统计指标$")
_END = re.compile(r"^(?:单位负责人|审核人|填报人|填报日期|联系电话|扫一扫)")

# (group number, normalised label core) -> code. Group numbers are the 一…九 of the table.
_GROUPS = {
    "一": "active", "二": "response", "三": "requests", "四": "review", "五": "litigation",
    "六": "complaints.total", "七": "fees.total", "八": "staffing", "九": "meetings",
}  # fmt: skip
_ROWS: dict[str, list[tuple[str, str]]] = {
    "active": [
        ("主动公开政府信息数", "active.total"),
        ("主动公开规范性文件数", "active.normative_docs"),
        ("制发规范性文件总数", "active.normative_docs_issued"),
        ("通过不同渠道和方式公开政府信息的情况", "active.channels"),
        ("政府公报公开政府信息数", "active.gazette"),
        ("政府网站公开政府信息数", "active.website"),
        ("政务微博公开政府信息数", "active.weibo"),
        ("政务微信公开政府信息数", "active.wechat"),
        ("其他方式公开政府信息数", "active.other"),
    ],
    "response": [
        ("回应公众关注热点或重大舆情数", "response.hotspots"),
        ("通过不同渠道和方式回应解读的情况", "response.channels"),
        ("参加或举办新闻发布会总次数", "response.press_conferences"),
        ("主要负责同志参加新闻发布会次数", "response.press_conferences_leaders"),
        ("政府网站在线访谈次数", "response.interviews"),
        ("主要负责同志参加政府网站在线访谈次数", "response.interviews_leaders"),
        ("政策解读稿件发布数", "response.interpretations"),
        ("微博微信回应事件数", "response.weibo_wechat"),
        ("其他方式回应事件数", "response.other"),
    ],
    "requests": [
        ("收到申请数", "requests.received"),
        ("当面申请数", "requests.in_person"),
        ("传真申请数", "requests.fax"),
        ("网络申请数", "requests.online"),
        ("信函申请数", "requests.letter"),
        ("申请办结数", "requests.completed"),
        ("按时办结数", "requests.on_time"),
        ("延期办结数", "requests.extended"),
        ("延时办结数", "requests.extended"),
        ("申请答复数", "requests.answered"),
        ("属于已主动公开范围数", "requests.already_public"),
        ("同意公开答复数", "requests.granted"),
        ("同意部分公开答复数", "requests.partially_granted"),
        ("不同意公开答复数", "requests.denied"),
        ("涉及国家秘密", "requests.denied_state_secret"),
        ("涉及商业秘密", "requests.denied_commercial_secret"),
        ("涉及个人隐私", "requests.denied_privacy"),
        ("危及国家安全公共安全经济安全和社会稳定", "requests.denied_security"),
        ("不是条例所指政府信息", "requests.denied_not_government_info"),
        ("法律法规规定的其他情形", "requests.denied_other_law"),
        ("不属于本行政机关公开数", "requests.not_this_agency"),
        ("申请信息不存在数", "requests.not_exist"),
        ("告知作出更改补充数", "requests.asked_to_amend"),
        ("告知通过其他途径办理数", "requests.other_channels"),
    ],
    "review": [
        ("维持具体行政行为数", "review.upheld"),
        ("被依法纠错数", "review.corrected"),
        ("其他情形数", "review.other"),
    ],
    "litigation": [
        ("维持具体行政行为或者驳回原告诉讼请求数", "litigation.upheld"),
        ("被依法纠错数", "litigation.corrected"),
        ("其他情形数", "litigation.other"),
    ],
    "staffing": [
        ("政府信息公开工作专门机构数", "staffing.offices"),
        ("设置政府信息公开查阅点数", "staffing.reading_points"),
        ("从事政府信息公开工作人员数", "staffing.staff"),
        ("专职人员数", "staffing.full_time"),
        ("兼职人员数", "staffing.part_time"),
        ("政府信息公开专项经费", "staffing.budget"),
        ("政府信息公开专题经费", "staffing.budget"),
    ],
    "meetings": [
        ("召开政府信息公开工作会议或专题会议数", "meetings.meetings"),
        ("举办各类培训班数", "meetings.trainings"),
        ("接受培训人员数", "meetings.trainees"),
        ("接受培训人数", "meetings.trainees"),
    ],
}
_HEADINGS = {"active", "response", "requests", "staffing", "meetings"}
# group rows whose own value is a count (四、行政复议数量 | 件 | 3), not a heading
_GROUP_TOTALS = {"review": "review.total", "litigation": "litigation.total"}

_GROUP_LABEL = re.compile(r"^([一二三四五六七八九])、")
_NUMBERING = re.compile(r"^(?:[（(][一二三四五六七八九十]+[)）]|\d+[.．、]|其中[:：]?)+")
_PARENS = re.compile(r"[（(][^（()）]*[)）]?")
_PUNCT = re.compile(r"[\s、，,。“”\"《》:：]")


def _core(label: str) -> str:
    """A label without numbering, parenthetical notes and punctuation: what identifies a row."""
    return _PUNCT.sub("", _PARENS.sub("", _NUMBERING.sub("", label.strip())))


def _compact(text: str) -> str:
    return "".join(text.split())


@dataclass(frozen=True)
class LegacyTable:
    """The indicators read from a legacy table, the warnings, and where it sat in the text."""

    indicators: list[Indicator]
    warnings: list[ValidationWarning]
    start: int | None = None  # line index of the table's header in the text, if from text


_CACHED_LABEL = 80  # labels up to this length are remembered; a hostile long label is not kept


def _code(group: str | None, label: str) -> str | None:
    """The row code of a label under its group; standard labels recur on every page of an era."""
    return _known_code(group, label) if len(label) <= _CACHED_LABEL else _find_code(group, label)


@lru_cache(maxsize=4096)
def _known_code(group: str | None, label: str) -> str | None:
    return _find_code(group, label)


def _find_code(group: str | None, label: str) -> str | None:
    core = _core(label)
    group_match = _GROUP_LABEL.match(label)
    if group_match:
        return _GROUPS.get(group_match.group(1))
    for candidate_core, code in _ROWS.get(group or "", []):
        if core == candidate_core or core.startswith(candidate_core):
            return code
    # truncated labels ("…政府网站建") still identify their row by a long enough prefix, but
    # only when exactly one row has it (主要负责同志参加… starts two rows)
    if len(core) >= 8:
        codes = {
            code
            for candidate_core, code in _ROWS.get(group or "", [])
            if candidate_core.startswith(core[:8]) and core.startswith(candidate_core[:8])
        }
        if len(codes) == 1:
            return codes.pop()
    return None


def _is_label(cell: str) -> bool:
    return bool(cell) and cell not in UNITS and parse_cell(cell) is None


def _rows_from_cells(cells: Sequence[str]) -> list[tuple[str, str | None, str | None]]:
    """Group a flat cell sequence into (label, unit, value) rows, anchored on labels."""
    rows: list[tuple[str, str | None, str | None]] = []
    i = 0
    while i < len(cells):
        cell = cells[i]
        if (
            not _is_label(cell)
            or _HEADER.match(_compact(cell))
            or _compact(cell) in {"单位", COLUMN}
        ):
            i += 1
            continue
        label = cell
        i += 1
        # a label broken over two lines: "（一）主动公开政府信息数" + "（不同渠道…计1条）"
        while (
            i < len(cells)
            and cells[i].startswith(("（", "("))
            and _is_label(cells[i])
            and (not _NUMBERING.match(cells[i]))
        ):
            label += cells[i]
            i += 1
        unit = None
        if i < len(cells) and cells[i] in UNITS:
            unit = cells[i]
            i += 1
        value = None
        if i < len(cells) and not _is_label(cells[i]):
            value = cells[i]
            i += 1
        rows.append((label, unit, value))
    return rows


def find_in_lines(lines: Sequence[str]) -> tuple[int, int] | None:
    """(start, end) line span of a flattened legacy table in text, or None."""
    start = next(
        (i for i, line in enumerate(lines) if _HEADER.match(_compact(line.rstrip("| ")))), None
    )
    if start is None:
        return None
    end = len(lines)
    for i in range(start + 1, len(lines)):
        if _END.match(_compact(lines[i])):
            end = i
            break
    return start, end


def from_lines(lines: Sequence[str], span: tuple[int, int] | None = None) -> LegacyTable | None:
    """Read a flattened legacy table (one cell per line, '|' separators or tab-indented).

    `span` is where `find_in_lines` found it, when the caller already looked.
    """
    span = span or find_in_lines(lines)
    if span is None:
        return None
    cells: list[str] = []
    for line in lines[span[0] : span[1]]:
        parts = [part.strip() for part in line.split("|")]
        if line.rstrip().endswith("|"):
            parts = parts[:-1]  # "label |" is one cell followed by a separator
        cells.extend(parts if parts else [""])
    table = _build(_rows_from_cells(cells))
    return LegacyTable(table.indicators, table.warnings, span[0])


_HEADER_LABELS = {"统计指标", "指标名称"}
_UNIT_LABELS = ("单位", "计量单位")


def _column_code(label: str) -> str:
    """The code of a value column: the cumulative count, a year's count, else the value (统计数
    or however the one value column is headed)."""
    if "累计" in label:
        return "cumulative"
    if re.search(r"(?:19|20)\d{2}年|本年", label):
        return "this_year"
    return "value"


def from_grid(table: Table) -> LegacyTable | None:
    """Read a legacy table given as a grid (HTML/DOCX/PDF) whose header row names 统计指标.

    Columns are found by their header labels (单位, 统计数): a label may span two columns
    (统计指标 colspan=2, group labels rowspanned down the first), so positions are not fixed.
    The provincial form (指标名称 | 计量单位 | 2011年度 | 历年累计) has one value column per
    header label after the unit.
    """
    header_at = next(
        (i for i, row in enumerate(table.rows) if any(_compact(c) in _HEADER_LABELS for c in row)),
        None,
    )
    if header_at is None:
        return None
    header = [_compact(cell) for cell in table.rows[header_at]]
    unit_at = next((header.index(u) for u in _UNIT_LABELS if u in header), 1)
    if COLUMN in header:
        value_columns = [header.index(COLUMN)]
    else:
        value_columns = [i for i in range(unit_at + 1, len(header)) if header[i]] or [unit_at + 1]
    label_at = max(unit_at - 1, 0)
    rows: list[tuple[str, str | None, str | None, str]] = []
    for row in table.rows[header_at + 1 :]:
        if len(row) <= value_columns[0] or _compact(row[0]) in _HEADER_LABELS:
            continue
        label = row[label_at] or row[0]
        if not label:
            continue
        for at in value_columns:
            value = row[at] if at < len(row) else None
            column = header[at] if at < len(header) and header[at] else COLUMN
            rows.append((label, row[unit_at] or None, value, column))
    return _build(rows)


_Row = tuple[str, str | None, str | None] | tuple[str, str | None, str | None, str]


def _build(rows: Sequence[_Row]) -> LegacyTable:
    """Indicators from (label, unit, value[, column]) rows, with the table's sums checked."""
    indicators: list[Indicator] = []
    warnings: list[ValidationWarning] = []
    group: str | None = None
    previous: tuple[str, str] | None = None
    for label, unit, value, *rest in rows:
        column = rest[0] if rest else COLUMN
        # the same row's next value column: its missing value was reported with the first
        repeated = previous is not None and previous[0] == label and previous[1] != column
        previous = (label, column)
        group_match = _GROUP_LABEL.match(label)
        if group_match:
            group = _GROUPS.get(group_match.group(1))
        code = _code(group, label)
        if group and code == group and group in _GROUP_TOTALS:
            code = _GROUP_TOTALS[group]
        raw = value if value is not None else ""
        quantity = parse_cell(raw) if raw else None
        if raw and quantity is None and raw not in UNITS:
            warnings.append(
                ValidationWarning(
                    rule="table.unreadable_cell",
                    message=f"统计表 row {label!r}: {raw!r} is not a number; kept as written",
                )
            )
        if value is None and code not in _HEADINGS and not repeated:
            warnings.append(
                ValidationWarning(
                    rule="table.value_missing", message=f"统计表 row {label!r} has no value cell"
                )
            )
        indicators.append(
            Indicator(
                table="legacy_stats",
                row=label,
                row_code=code,
                column=column,
                column_code=_column_code(column),
                unit=None if unit in (None, "——", "—", "-", "/") else unit,
                value=quantity.value if quantity else None,
                raw=raw,
                semantics=quantity.semantics if quantity else "blank",
            )
        )
    for column in dict.fromkeys(ind.column for ind in indicators):
        warnings.extend(_identities([ind for ind in indicators if ind.column == column]))
    return LegacyTable(indicators, warnings)


_SUMS = [
    ("requests.received", ["requests.in_person", "requests.fax", "requests.online",
                           "requests.letter"]),
    ("requests.completed", ["requests.on_time", "requests.extended"]),
    ("requests.answered", ["requests.already_public", "requests.granted",
                           "requests.partially_granted", "requests.denied",
                           "requests.not_this_agency", "requests.not_exist",
                           "requests.asked_to_amend", "requests.other_channels"]),
    ("requests.denied", ["requests.denied_state_secret", "requests.denied_commercial_secret",
                         "requests.denied_privacy", "requests.denied_security",
                         "requests.denied_not_government_info", "requests.denied_other_law"]),
    ("review.total", ["review.upheld", "review.corrected", "review.other"]),
    ("litigation.total", ["litigation.upheld", "litigation.corrected", "litigation.other"]),
    ("staffing.staff", ["staffing.full_time", "staffing.part_time"]),
]  # fmt: skip


def _identities(indicators: list[Indicator]) -> list[ValidationWarning]:
    """The table's own sums; blank counts as 0 only when another cell of the sum has a number."""
    by_code = {ind.row_code: ind for ind in indicators if ind.row_code}
    warnings = []
    for total_code, part_codes in _SUMS:
        cells = [by_code.get(code) for code in [total_code, *part_codes]]
        if any(cell is None for cell in cells):
            continue
        if all(cell.value is None for cell in cells if cell):
            continue
        total_cell = by_code[total_code]
        total = total_cell.value or 0
        parts = sum(by_code[code].value or 0 for code in part_codes)
        if abs(total - parts) > 1e-9:
            shown = "blank" if total_cell.value is None else f"{total:g}"
            warnings.append(
                ValidationWarning(
                    rule="legacy.sum",
                    message=f"{total_cell.row} is {shown}, its parts add up to {parts:g}",
                )
            )
    return warnings
