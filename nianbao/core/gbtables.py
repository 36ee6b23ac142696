"""Read the national-template tables (gb2019, gb2021) of a 政府信息公开工作年度报告. Pure, no I/O.

Every cell is found by its row label and its column label, never by its place in a sequence of
numbers, so a missing or extra row cannot shift the others. Labels are compared after
normalisation (NFKC, no whitespace, one form each of （）/(), “”/"", 、/，/, and 1./1．/1、).
The one exception: a 复议/诉讼 data row whose header does not line up with it (a PDF flattened to
one line of 15 values) is read in the template's fixed order, as that table has no row labels.
Units: 件 for counts, 万元 for fee_amount, a unit written in the cell itself wins ("251000元");
procurement_amount has no unit unless its label or cell gives one.

Codes (a public contract: stable ASCII snake_case, only ever added to)

``active_disclosure`` (主动公开, section 二)
  gb2021 rows: regulations 规章, normative_documents 行政规范性文件,
    administrative_licensing 行政许可, administrative_punishment 行政处罚,
    administrative_coercion 行政强制, administrative_fees 行政事业性收费
  gb2021 columns: issued 本年制发件数, repealed 本年废止件数, in_force 现行有效件数,
    decisions 本年处理决定数量, fee_amount 本年收费金额（单位：万元）
  gb2019 rows: regulations 规章, normative_documents 规范性文件,
    administrative_licensing 行政许可, other_management_services 其他对外管理服务事项,
    administrative_punishment 行政处罚, administrative_coercion 行政强制,
    administrative_fees 行政事业性收费, government_procurement 政府集中采购,
    other_active_documents 其他主动公开文件 (an extra row some provinces add)
  A row label's trailing note in brackets is not part of it: 规章(设区的市…应提供相关数据).
  gb2019 columns: new_made 本年新制作数量, new_published 本年新公开数量,
    total_published 对外公开总数量, previous_year_items 上一年项目数量, change 本年增/减,
    decisions 处理决定数量, procurement_items 采购项目数量, procurement_amount 采购总金额
  A gb2019 column keeps its gb2019 code: 上一年项目数量 is previous_year_items, never fee_amount.

``applications`` (收到和处理政府信息公开申请, section 三)
  rows: new_received, carried_over, granted, partially_granted, denied_state_secret,
    denied_prohibited_by_law, denied_three_safeties_one_stability, denied_third_party_rights,
    denied_internal_affairs, denied_process_info, denied_law_enforcement_file,
    denied_administrative_inquiry, unable_not_held, unable_needs_creation,
    unable_unclear_after_correction, not_processed_petition, not_processed_repeat,
    not_processed_publication, not_processed_mass_repeat, not_processed_confirmation,
    other_processing (gb2019's single （六）其他处理 row), other_no_correction, other_no_fee,
    other_other (gb2021's three （六） sub-rows), total, carried_forward
  columns: natural_person 自然人, commercial 商业企业, research 科研机构,
    social_welfare 社会公益组织, legal_service 法律服务机构, other_org 其他, total 总计

``review_litigation`` (行政复议、行政诉讼, section 四)
  rows: review 行政复议, litigation_direct 未经复议直接起诉, litigation_after_review 复议后起诉
  columns: upheld 结果维持, corrected 结果纠正, other 其他结果, pending 尚未审结, total 总计

Warning rules: applications.balance, applications.total, applications.row_total,
review_litigation.total, review_litigation.unreadable, table.row_missing, table.column_missing,
table.nonstandard_column, table.unknown_column, table.unreadable_cell, table.duplicate_cell,
format.conflict.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from nianbao.core.document import Table
from nianbao.core.numbers import Quantity, parse_cell
from schemas.report import Indicator, TableName, ValidationWarning

GbFormat = Literal["gb2019", "gb2021"]
Row = tuple[str, ...]

ACTIVE: TableName = "active_disclosure"
APPLICATIONS: TableName = "applications"
REVIEW: TableName = "review_litigation"
COUNT_UNIT = "件"


@dataclass(frozen=True)
class GbTables:
    """What the national-template tables of one report hold: format, cells and broken rules."""

    format: GbFormat | None
    indicators: list[Indicator]
    warnings: list[ValidationWarning]


# --- label normalisation ---------------------------------------------------------------------

_PUNCTUATION = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "，": "、",
        ",": "、",
        "：": ":",
        "．": ".",
        "／": "/",
    }
)
_WHITESPACE = re.compile(r"\s+")
_NUMBER_MARK = re.compile(r"^(\d+)[.、]")
_ENUMERATOR = re.compile(
    r"^(?:\d+\.|[一二三四五六七八九十]+[、.]|\((?:\d+|[一二三四五六七八九十]+)\))"
)
_UNIT_SUFFIX = re.compile(r"^(.+?)\((?:单位:)?(万元|元|件|个|项|次|条)\)$")
_MAX_LABEL = 80
_NOTE = re.compile(r"\([^()]*\)$")


def _key(text: str) -> str:
    """A label folded for matching (NFKC, no whitespace, one punctuation form): never byte-exact."""
    folded = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_PUNCTUATION)
    return _NUMBER_MARK.sub(r"\1.", folded)


def _bare(key: str) -> str:
    """A folded label without its enumerator (1. 三、 (六)), so matching reads the content only."""
    return _ENUMERATOR.sub("", key, count=1)


def _without_note(key: str) -> str:
    """A folded row label without a trailing note in brackets: 规章(设区的市…应提供相关数据)."""
    return _NOTE.sub("", key) or key


def _split_unit(key: str) -> tuple[str, str | None]:
    """A folded column label and the unit it declares in a trailing （单位：万元） or （元）."""
    match = _UNIT_SUFFIX.match(key)
    return (match.group(1), match.group(2)) if match else (key, None)


def _match(patterns: Iterable[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    """The code of the first pattern that matches, or None."""
    return next((code for code, pattern in patterns if pattern.search(text)), None)


def _compile(specs: Iterable[tuple[str, str]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(code, regex) pairs with the regexes compiled."""
    return tuple((code, re.compile(regex)) for code, regex in specs)


# --- vocabularies ----------------------------------------------------------------------------

# 主动公开: rows are matched on the whole label (after the enumerator), columns on the whole
# header (after a trailing unit).
_ACTIVE_ROWS = _compile(
    [
        ("regulations", r"^规章$"),
        ("normative_documents", r"^(?:行政)?规范性文件$"),
        ("administrative_licensing", r"^行政许可$"),
        ("other_management_services", r"^其他对外管理服务事项$"),
        ("administrative_punishment", r"^行政处罚$"),
        ("administrative_coercion", r"^行政强制$"),
        ("administrative_fees", r"^行政事业性收费$"),
        ("government_procurement", r"^政府集中采购$"),
        ("other_active_documents", r"^其他主动公开文件$"),
    ]
)
_ACTIVE_COLUMNS = _compile(
    [
        ("issued", r"^本年新?制发件数$"),
        ("repealed", r"^本年废止件数$"),
        ("in_force", r"^现行有效件数$"),
        ("decisions", r"^(?:本年)?处理决定数量$"),
        ("fee_amount", r"^本年收费金额$"),
        ("new_made", r"^本年新制作数量$"),
        ("new_published", r"^本年新公开数量$"),
        ("total_published", r"^对外公开总数量$"),
        ("previous_year_items", r"^上一?年项目数量$"),
        ("change", r"^本年增/?减(?:数量)?$"),
        ("procurement_items", r"^采购项目数量?$"),
        ("procurement_amount", r"^采购总金额$"),
    ]
)
_ACTIVE_LABEL_HEADER = "信息内容"
_ACTIVE_DEFAULT_UNITS = {"fee_amount": "万元", "procurement_amount": None}
_ACTIVE_EXPECTED: dict[GbFormat, dict[str, tuple[str, ...]]] = {
    "gb2021": {
        "regulations": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "administrative_licensing": ("decisions",),
        "administrative_punishment": ("decisions",),
        "administrative_coercion": ("decisions",),
        "administrative_fees": ("fee_amount",),
    },
    "gb2019": {
        "regulations": ("new_made", "new_published", "total_published"),
        "normative_documents": ("new_made", "new_published", "total_published"),
        "administrative_licensing": ("previous_year_items", "change", "decisions"),
        "other_management_services": ("previous_year_items", "change", "decisions"),
        "administrative_punishment": ("previous_year_items", "change", "decisions"),
        "administrative_coercion": ("previous_year_items", "change", "decisions"),
        "administrative_fees": ("previous_year_items", "change"),
        "government_procurement": ("procurement_items", "procurement_amount"),
    },
}
_ACTIVE_LABELS = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件 / 规范性文件",
    "administrative_licensing": "行政许可",
    "other_management_services": "其他对外管理服务事项",
    "administrative_punishment": "行政处罚",
    "administrative_coercion": "行政强制",
    "administrative_fees": "行政事业性收费",
    "government_procurement": "政府集中采购",
    "other_active_documents": "其他主动公开文件",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "处理决定数量",
    "fee_amount": "本年收费金额",
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "previous_year_items": "上一年项目数量",
    "change": "本年增/减",
    "procurement_items": "采购项目数量",
    "procurement_amount": "采购总金额",
}
_ACTIVE_2021_COLUMNS = {"issued", "repealed", "in_force", "fee_amount"}
_ACTIVE_2019_COLUMNS = {
    "new_made",
    "new_published",
    "total_published",
    "previous_year_items",
    "change",
    "procurement_items",
    "procurement_amount",
}
_ACTIVE_2019_ROWS = {"other_management_services", "government_procurement"}

# 申请: rows are matched on the label content (after the enumerator), in this order.
_APPLICATION_ROW_SPECS: tuple[tuple[str, str, str], ...] = (
    ("new_received", "一、本年新收政府信息公开申请数量", r"^本年新收"),
    ("carried_over", "二、上年结转政府信息公开申请数量", r"^上年结转"),
    ("granted", "（一）予以公开", r"^予以公开$"),
    ("partially_granted", "（二）部分公开", r"^部分公开"),
    ("denied_state_secret", "1.属于国家秘密", r"国家秘密"),
    ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", r"禁止公开|法律行政法规|^其他法律"),
    ("denied_three_safeties_one_stability", "3.危及“三安全一稳定”", r"三安全一稳定"),
    ("denied_third_party_rights", "4.保护第三方合法权益", r"第三方"),
    ("denied_internal_affairs", "5.属于三类内部事务信息", r"内部事务"),
    ("denied_process_info", "6.属于四类过程性信息", r"过程性信息"),
    ("denied_law_enforcement_file", "7.属于行政执法案卷", r"执法案卷"),
    ("denied_administrative_inquiry", "8.属于行政查询事项", r"行政查询|查询事项"),
    ("unable_not_held", "1.本机关不掌握相关政府信息", r"不掌握"),
    ("unable_needs_creation", "2.没有现成信息需要另行制作", r"另行制作|没有现成"),
    ("unable_unclear_after_correction", "3.补正后申请内容仍不明确", r"仍不明确|补正后"),
    ("not_processed_petition", "1.信访举报投诉类申请", r"^信访|举报投诉"),
    ("not_processed_repeat", "2.重复申请", r"^重复申请$"),
    ("not_processed_publication", "3.要求提供公开出版物", r"出版物"),
    ("not_processed_mass_repeat", "4.无正当理由大量反复申请", r"大量反复"),
    ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", r"重新出具|确认或"),
    ("other_processing", "（六）其他处理", r"^其他处理$"),
    ("other_no_correction", "1.申请人无正当理由逾期不补正…", r"不补正"),
    ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用…", r"缴纳费用|收费通知"),
    ("other_other", "3.其他", r"^其他$"),
    ("total", "（七）总计", r"^总计(?:\((?:\d+|七)\))?$"),
    ("carried_forward", "四、结转下年度继续办理", r"^结转下"),
)
_APPLICATION_ROWS = _compile((code, regex) for code, _, regex in _APPLICATION_ROW_SPECS)
_APPLICATION_ROW_LABELS = {code: label for code, label, _ in _APPLICATION_ROW_SPECS}
_OTHER_2021 = ("other_no_correction", "other_no_fee", "other_other")
_OUTCOMES_COMMON = (
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_prohibited_by_law",
    "denied_three_safeties_one_stability",
    "denied_third_party_rights",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_law_enforcement_file",
    "denied_administrative_inquiry",
    "unable_not_held",
    "unable_needs_creation",
    "unable_unclear_after_correction",
    "not_processed_petition",
    "not_processed_repeat",
    "not_processed_publication",
    "not_processed_mass_repeat",
    "not_processed_confirmation",
)
_OUTCOMES: dict[GbFormat | None, tuple[str, ...]] = {
    "gb2021": (*_OUTCOMES_COMMON, *_OTHER_2021),
    "gb2019": (*_OUTCOMES_COMMON, "other_processing"),
    None: _OUTCOMES_COMMON,
}
_APPLICATION_EXPECTED_ROWS: dict[GbFormat | None, tuple[str, ...]] = {
    fmt: ("new_received", "carried_over", *outcomes, "total", "carried_forward")
    for fmt, outcomes in _OUTCOMES.items()
}
_APPLICANTS = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
)
_APPLICATION_COLUMNS = {**{label: code for code, label in _APPLICANTS}, "总计": "total"}
_APPLICATION_COLUMN_LABELS = {code: label for label, code in _APPLICATION_COLUMNS.items()}
_SUBTOTAL_COLUMNS = {"法人或其他组织小计", "法人或者其他组织小计", "小计"}
_LEGAL_PERSON_SPAN = {"法人或其他组织", "法人或者其他组织"}
_APPLICATION_HEADER_MARKS = {"申请人情况", *_SUBTOTAL_COLUMNS, *_LEGAL_PERSON_SPAN} | set(
    _APPLICATION_COLUMNS
) - {"其他", "总计"}
_NONSTANDARD = "nonstandard"

# 复议/诉讼
_REVIEW_GROUPS = (
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
)
_REVIEW_RESULTS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
_REVIEW_GROUP_KEYS = {label: code for code, label in _REVIEW_GROUPS}
_REVIEW_RESULT_KEYS = {label: code for code, label in _REVIEW_RESULTS}
_REVIEW_HEADER_MARKS = {"行政诉讼", *_REVIEW_GROUP_KEYS, *_REVIEW_RESULT_KEYS} - {"总计"}
_REVIEW_CELLS = tuple((g, gl, r, rl) for g, gl in _REVIEW_GROUPS for r, rl in _REVIEW_RESULTS)

_TABLE_NAMES = {ACTIVE: "主动公开", APPLICATIONS: "申请", REVIEW: "复议/诉讼"}


# --- cells -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
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
class _Column:
    """A column found in a header: its code, verbatim label, grid positions and unit."""

    code: str
    label: str
    positions: tuple[int, ...]
    unit: str | None
    group: str | None = None  # 复议/诉讼 only: the column group's code and verbatim label
    group_label: str | None = None


@dataclass(frozen=True)
class _Header:
    """The columns of one table, where its row labels sit, and which grid it came from."""

    columns: tuple[_Column, ...]
    label_positions: tuple[int, ...]
    table_index: int
    width: int

    def applies(self, table_index: int, width: int) -> bool:
        """Whether this header reads a row: same grid, or a continuation grid of equal width."""
        return table_index == self.table_index or width == self.width


def _cell_text(row: Row, positions: tuple[int, ...]) -> str:
    """The text under a (possibly spanning) column: its first non-empty position, else ""."""
    texts = [row[p] for p in positions if p < len(row)]
    return next((text for text in texts if text.strip()), "")


def _merge_spans(found: list[_Column]) -> tuple[_Column, ...]:
    """Merge adjacent single-position columns that are the same column (a colspan) into one."""
    merged: list[_Column] = []
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
        message=f"{_TABLE_NAMES[table]} table, row {row}, column {column}: "
        f"cell {raw!r} is not a quantity",
    )


def _row_cells(
    table: TableName,
    label: str,
    code: str,
    header: _Header,
    row: Row,
    warnings: list[ValidationWarning],
) -> list[_Cell]:
    """Read one data row under its header, one cell per column; text cells are warnings."""
    cells: list[_Cell] = []
    for column in header.columns:
        raw = _cell_text(row, column.positions)
        quantity = parse_cell(raw)
        if quantity is None:
            warnings.append(_unreadable(table, label, column.label, raw))
            continue
        cells.append(
            _Cell(table, label, code, column.label, column.code, column.unit, raw, quantity)
        )
    return cells


# --- 主动公开 ---------------------------------------------------------------------------------


def _active_column(key: str) -> str | None:
    """The 主动公开 column code of a folded header label, or None."""
    return _match(_ACTIVE_COLUMNS, _split_unit(key)[0])


def _is_active_header(keys: list[str]) -> bool:
    """Whether a row is a 主动公开 sub-block header: 信息内容, or known column labels."""
    return _ACTIVE_LABEL_HEADER in keys or any(_active_column(key) for key in keys)


def _active_header(row: Row, keys: list[str], table_index: int) -> tuple[_Header, list[str]]:
    """The columns of a 主动公开 sub-block from its header row, and its unknown column labels."""
    found: list[_Column] = []
    label_positions = [p for p, key in enumerate(keys) if key == _ACTIVE_LABEL_HEADER]
    unknown: list[str] = []
    for position, (text, key) in enumerate(zip(row, keys, strict=True)):
        if not key or key == _ACTIVE_LABEL_HEADER:
            continue
        base, unit = _split_unit(key)
        code = _match(_ACTIVE_COLUMNS, base)
        if code is None:
            unknown.append(text)
            continue
        if unit is None:
            unit = _ACTIVE_DEFAULT_UNITS.get(code, COUNT_UNIT)
        found.append(_Column(code, text, (position,), unit))
    first = min((column.positions[0] for column in found), default=0)
    if not label_positions:  # no 信息内容 cell: the labels sit left of the first column
        label_positions = list(range(first))
        unknown = [text for p, text in enumerate(row) if p > first and text in unknown]
    header = _Header(_merge_spans(found), tuple(label_positions), table_index, len(row))
    return header, unknown


def _first_label(row: Row, header: _Header) -> str:
    """A row's label: its first non-empty cell under the label header, else before the values."""
    for position in header.label_positions:
        if position < len(row) and row[position].strip():
            return row[position]
    value_positions = {p for column in header.columns for p in column.positions}
    return next(
        (text for p, text in enumerate(row) if text.strip() and p not in value_positions), ""
    )


def _read_active(tables: Sequence[Table], warnings: list[ValidationWarning]) -> list[_Cell]:
    """Every cell of the 主动公开 table, whether it comes as one grid or one grid per sub-block."""
    cells: list[_Cell] = []
    header: _Header | None = None
    reported: set[str] = set()
    for table_index, table in enumerate(tables):
        for row in table.rows:
            keys = [_key(text) for text in row]
            if _is_active_header(keys):
                header, unknown = _active_header(row, keys, table_index)
                for label in dict.fromkeys(unknown):
                    if label not in reported and len(_key(label)) <= _MAX_LABEL:
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
            code = _match(_ACTIVE_ROWS, _without_note(_bare(_key(label))))
            if code is not None:
                cells.extend(_row_cells(ACTIVE, label, code, header, row, warnings))
    return cells


# --- 申请 -------------------------------------------------------------------------------------


def _is_application_header(keys: list[str]) -> bool:
    """Whether a row belongs to the 申请 table's header (申请人情况 / 自然人 / 商业企业 ...)."""
    return any(key in _APPLICATION_HEADER_MARKS for key in keys)


def _application_header(block: list[Row], table_index: int) -> _Header | None:
    """The 申请 columns from its header rows: each position takes its lowest known label."""
    width = max(len(row) for row in block)
    found: list[_Column] = []
    for position in range(width):
        for row in reversed(block):
            if position >= len(row):
                continue
            key = _key(row[position])
            if key in _APPLICATION_COLUMNS:
                found.append(
                    _Column(_APPLICATION_COLUMNS[key], row[position], (position,), COUNT_UNIT)
                )
                break
            if key in _SUBTOTAL_COLUMNS or key in _LEGAL_PERSON_SPAN:
                # 法人或其他组织 with no applicant type under it is a subtotal column.
                found.append(_Column(_NONSTANDARD, row[position], (position,), COUNT_UNIT))
                break
    if not found:
        return None
    first = min(column.positions[0] for column in found)
    return _Header(_merge_spans(found), tuple(range(first)), table_index, width)


def _last_label(row: Row, header: _Header) -> str:
    """A 申请 row's own label: the last non-empty cell left of the values (not its group)."""
    texts = [row[p] for p in header.label_positions if p < len(row) and row[p].strip()]
    return texts[-1] if texts else ""


def _read_applications(tables: Sequence[Table], warnings: list[ValidationWarning]) -> list[_Cell]:
    """Every cell of the 申请 table, rows matched by label and columns by header."""
    cells: list[_Cell] = []
    header: _Header | None = None
    block: list[Row] = []
    reported: set[str] = set()
    for table_index, table in enumerate(tables):
        in_header = False
        for row in table.rows:
            keys = [_key(text) for text in row]
            if _is_application_header(keys):
                block = [*block, row] if in_header else [row]
                in_header = True
                header = _application_header(block, table_index) or header
                continue
            in_header = False
            if header is None or not header.applies(table_index, len(row)):
                continue
            label = _last_label(row, header)
            key = _key(label)
            if not label or len(key) > _MAX_LABEL:
                continue
            code = _match(_APPLICATION_ROWS, _bare(key))
            if code is None:
                continue
            standard = tuple(c for c in header.columns if c.code != _NONSTANDARD)
            for column in header.columns:
                if column.code == _NONSTANDARD and column.label not in reported:
                    reported.add(column.label)
                    warnings.append(
                        ValidationWarning(
                            rule="table.nonstandard_column",
                            message=f"申请 table: column {column.label!r} is not in the "
                            "national template (it has no 法人或其他组织 subtotal); skipped",
                        )
                    )
            read = _Header(standard, header.label_positions, header.table_index, header.width)
            cells.extend(_row_cells(APPLICATIONS, label, code, read, row, warnings))
    return _drop_group_row(cells)


def _drop_group_row(cells: list[_Cell]) -> list[_Cell]:
    """Drop an all-blank （六）其他处理 row that is only the group label over gb2021 sub-rows."""
    codes = {cell.row_code for cell in cells}
    group = [cell for cell in cells if cell.row_code == "other_processing"]
    if group and codes & set(_OTHER_2021) and all(c.quantity.value is None for c in group):
        return [cell for cell in cells if cell.row_code != "other_processing"]
    return cells


# --- 复议/诉讼 ---------------------------------------------------------------------------------


def _is_review_header(keys: list[str]) -> bool:
    """Whether a row belongs to the 复议/诉讼 header (also a flattened header line)."""
    return any(key in _REVIEW_HEADER_MARKS or "结果维持" in key for key in keys)


def _names_results(block: list[Row]) -> bool:
    """Whether header rows name the results (结果维持 ...), as only the 复议/诉讼 table does."""
    return any(
        "结果维持" in key or (key in _REVIEW_RESULT_KEYS and key != "总计")
        for row in block
        for key in map(_key, row)
    )


def _review_header(block: list[Row], table_index: int) -> _Header:
    """The 15 复议/诉讼 columns: each position takes its lowest group and lowest result label."""
    width = max(len(row) for row in block)
    found: list[_Column] = []
    for position in range(width):
        group: tuple[str, str] | None = None
        result: tuple[str, str] | None = None
        for row in reversed(block):
            if position >= len(row):
                continue
            key = _key(row[position])
            if result is None and key in _REVIEW_RESULT_KEYS:
                result = (_REVIEW_RESULT_KEYS[key], row[position])
            if group is None and key in _REVIEW_GROUP_KEYS:
                group = (_REVIEW_GROUP_KEYS[key], row[position])
        if group and result:
            found.append(_Column(result[0], result[1], (position,), COUNT_UNIT, group[0], group[1]))
    return _Header(_merge_spans(found), (), table_index, width)


def _review_complete(header: _Header) -> bool:
    """Whether the header's columns are exactly the 15 (group, result) pairs of the template."""
    codes = [(column.group, column.code) for column in header.columns]
    return sorted(codes) == sorted((g, r) for g, _, r, _ in _REVIEW_CELLS)


def _flat_values(row: Row) -> list[str] | None:
    """15 cell texts from a flattened row (15 cells, or one line of 15 numbers), else None."""
    candidates = [
        list(row),
        [text for text in row if text.strip()],
        [token for text in row for token in text.split()],
    ]
    for values in candidates:
        if len(values) == len(_REVIEW_CELLS) and all(parse_cell(v) is not None for v in values):
            return values
    return None


def _review_cells(header: _Header, row: Row) -> list[_Cell] | None:
    """The 15 复议/诉讼 cells of a data row: by header labels, or in template order if flattened."""
    slots: list[tuple[str, str, str, str, str]] = []  # group code and label, code, label, raw
    if _review_complete(header):
        slots = [
            (c.group or "", c.group_label or "", c.code, c.label, _cell_text(row, c.positions))
            for c in header.columns
        ]
    if not slots or any(parse_cell(raw) is None for *_, raw in slots):
        flat = _flat_values(row)
        if flat is None:
            return None
        slots = [(*cell, raw) for cell, raw in zip(_REVIEW_CELLS, flat, strict=True)]
    cells: list[_Cell] = []
    for group, group_label, code, label, raw in slots:
        quantity = parse_cell(raw)
        if quantity is None:  # pragma: no cover - every slot was checked above
            return None
        cells.append(_Cell(REVIEW, group_label, group, label, code, COUNT_UNIT, raw, quantity))
    return cells


def _read_review(tables: Sequence[Table], warnings: list[ValidationWarning]) -> list[_Cell]:
    """The 复议/诉讼 cells: the first row with content after the header (placeholders skipped)."""
    cells: list[_Cell] = []
    header: _Header | None = None
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
            keys = [_key(text) for text in row]
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


# --- format, completeness and identities ------------------------------------------------------


def _active_format(cells: list[_Cell]) -> tuple[GbFormat | None, bool]:
    """The format the 主动公开 labels point to, and whether they point both ways."""
    votes = {"gb2019": 0, "gb2021": 0}
    for cell in cells:
        if cell.column_code in _ACTIVE_2021_COLUMNS:
            votes["gb2021"] += 1
        if cell.column_code in _ACTIVE_2019_COLUMNS or cell.row_code in _ACTIVE_2019_ROWS:
            votes["gb2019"] += 1
        if cell.row_code == "normative_documents" and _bare(_key(cell.row)).startswith("行政"):
            votes["gb2021"] += 1  # plain 规范性文件 is common in 2021 reports too: no evidence
    return _vote(votes)


def _application_format(cells: list[_Cell]) -> tuple[GbFormat | None, bool]:
    """The format the 申请 rows point to: three （六） sub-rows (2021) or one row (2019)."""
    codes = {cell.row_code for cell in cells}
    votes = {"gb2021": len(codes & set(_OTHER_2021)), "gb2019": int("other_processing" in codes)}
    return _vote(votes)


def _vote(votes: dict[str, int]) -> tuple[GbFormat | None, bool]:
    """The format with more evidence (None on a tie), and whether there was evidence for both."""
    mixed = votes["gb2019"] > 0 and votes["gb2021"] > 0
    if votes["gb2021"] > votes["gb2019"]:
        return "gb2021", mixed
    if votes["gb2019"] > votes["gb2021"]:
        return "gb2019", mixed
    return None, mixed


def _dedupe(cells: list[_Cell], warnings: list[ValidationWarning]) -> list[_Cell]:
    """Keep the first cell for each (table, row, column); one warning if repeats disagree."""
    seen: dict[tuple[str, str, str], _Cell] = {}
    kept: list[_Cell] = []
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
                message=f"{_TABLE_NAMES[cells[0].table]} table appears more than once with "
                f"different values; kept the first: {shown}",
            )
        )
    return kept


def _missing_warnings(
    table: TableName,
    expected: dict[str, tuple[str, ...]],
    labels: dict[str, str],
    column_labels: dict[str, str],
    cells: list[_Cell],
) -> list[ValidationWarning]:
    """Warnings for expected rows that are absent and for absent columns of present rows."""
    present = {(cell.row_code, cell.column_code) for cell in cells}
    rows = {cell.row_code for cell in cells}
    name = _TABLE_NAMES[table]
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


def _number(value: float) -> str:
    """A sum as people write it: no trailing .0 on whole numbers."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _sum(cells: list[_Cell | None]) -> float | None:
    """The sum with blank and "/" as 0; None if a cell is missing or none holds a value."""
    if any(cell is None for cell in cells):
        return None
    values = [cell.quantity.value for cell in cells if cell is not None]
    if all(value is None for value in values):
        return None
    return sum(value or 0.0 for value in values)


def _differs(left: list[_Cell | None], right: list[_Cell | None]) -> tuple[str, str] | None:
    """Both sides of an identity, as text, when it is checkable and does not hold, else None."""
    if _sum([*left, *right]) is None:
        return None
    sums = _sum(left), _sum(right)
    if abs((sums[0] or 0.0) - (sums[1] or 0.0)) <= 1e-6:
        return None
    shown = ["blank" if total is None else _number(total) for total in sums]
    return shown[0], shown[1]


def _application_identities(cells: list[_Cell], fmt: GbFormat | None) -> list[ValidationWarning]:
    """The per-column 勾稽 balance and total, and the per-row total, of the 申请 table."""
    grid = {(cell.row_code, cell.column_code): cell for cell in cells}
    columns = [code for code in _APPLICATION_COLUMN_LABELS if any(c == code for _, c in grid)]
    labels = {cell.column_code: cell.column for cell in cells}
    outcomes = _OUTCOMES[fmt]
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
            [grid.get((row, "total"))], [grid.get((row, code)) for code, _ in _APPLICANTS]
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


def _review_identities(cells: list[_Cell]) -> list[ValidationWarning]:
    """结果维持 + 结果纠正 + 其他结果 + 尚未审结 == 总计, for each of the three groups."""
    grid = {(cell.row_code, cell.column_code): cell for cell in cells}
    found: list[ValidationWarning] = []
    for group, group_label in _REVIEW_GROUPS:
        parts = [grid.get((group, code)) for code, _ in _REVIEW_RESULTS[:-1]]
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


# --- entry point -----------------------------------------------------------------------------


def parse_gb_tables(tables: Sequence[Table]) -> GbTables:
    """Find the 主动公开, 申请 and 复议/诉讼 tables among the grids and read every cell by its row and column labels."""  # noqa: E501
    warnings: list[ValidationWarning] = []
    active = _dedupe(_read_active(tables, warnings), warnings)
    applications = _dedupe(_read_applications(tables, warnings), warnings)
    review = _dedupe(_read_review(tables, warnings), warnings)

    active_format, active_mixed = _active_format(active)
    application_format, application_mixed = _application_format(applications)
    fmt = active_format or application_format
    conflicts = [
        f"{name} labels point to both gb2019 and gb2021"
        for name, mixed in (("主动公开", active_mixed), ("申请", application_mixed))
        if mixed
    ]
    if active_format and application_format and active_format != application_format:
        conflicts.append(f"主动公开 says {active_format}, 申请 says {application_format}")
    if conflicts:
        warnings.append(
            ValidationWarning(
                rule="format.conflict",
                message=f"the tables disagree on the format: {'; '.join(conflicts)}; using {fmt}",
            )
        )

    active_expected = active_format or fmt
    if active and active_expected:
        expected = _ACTIVE_EXPECTED[active_expected]
        warnings.extend(_missing_warnings(ACTIVE, expected, _ACTIVE_LABELS, _ACTIVE_LABELS, active))
    if applications:
        rows = _APPLICATION_EXPECTED_ROWS[application_format or fmt]
        expected_rows = {code: tuple(_APPLICATION_COLUMN_LABELS) for code in rows}
        warnings.extend(
            _missing_warnings(
                APPLICATIONS,
                expected_rows,
                _APPLICATION_ROW_LABELS,
                _APPLICATION_COLUMN_LABELS,
                applications,
            )
        )
        warnings.extend(_application_identities(applications, application_format or fmt))
    if review:
        groups = {code: tuple(r for r, _ in _REVIEW_RESULTS) for code, _ in _REVIEW_GROUPS}
        warnings.extend(
            _missing_warnings(
                REVIEW,
                groups,
                dict(_REVIEW_GROUPS),
                dict(_REVIEW_RESULTS),
                review,
            )
        )
        warnings.extend(_review_identities(review))

    indicators = [cell.indicator() for cell in (*active, *applications, *review)]
    return GbTables(format=fmt, indicators=indicators, warnings=warnings)
