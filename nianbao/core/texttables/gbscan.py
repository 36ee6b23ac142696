"""National-template tables (gb2019, gb2021) flattened into text: their labels and values.

The text is scanned for the template's own labels (row labels, column headers, sub-block
markers), whitespace and cell breaks allowed inside them; what lies between two labels is the
value text of the row before it: cells between pipes (positional, an empty cell blank), values
on lines of their own (each one cell), or tokens on the label's line (digit runs that may hold
several cells). gbgrid lays the rows out as grids for gbtables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice

from nianbao.core.numbers import parse_cell

MAX_LABELS = 400  # the three tables have under 150 labels; a page with more is not scanned on
SEP = "\x1f"  # a cell boundary that was a pipe, a tab or an HTML cell
_S = rf"[\s{SEP}]*"
# a note in brackets after a row label, never the next row's enumerator "(四)"
_PARENTHETICAL = rf"(?:{_S}\((?!{_S}[一二三四五六七八九十]+{_S}\))[^()\d{SEP}]{{0,240}}\))?"
_BRACKETED = re.compile(r"\([^()]*\)")
_SENTENCE = re.compile(r"[^\s\d,.;。]{2}[,;。]")
_GOES_ON = re.compile(r"^[(、,]")
_HEADER_PIECE = re.compile(r"[^\d\s,。]{1,6}")
_MAX_HEADER_REST = 40
_MAX_GOES_ON = 4
_TOKENS = re.compile(rf"[\s{SEP}]+")


def _loose(text: str) -> str:
    """A regex for literal text that tolerates whitespace and cell breaks between characters."""
    return _S.join(re.escape(char) for char in text)


def _enum(mark: str) -> str:
    """An optional enumerator: 一、/一./(一) for Chinese ordinals, 1./1、 for digits."""
    if mark.isdigit():
        return rf"(?:{mark}{_S}[.、]{_S})?"
    if mark.startswith("("):
        return rf"(?:\({_S}{mark[1:-1]}{_S}\){_S})?"
    return rf"(?:{mark}{_S}[、.]{_S})?"


def _required(mark: str) -> str:
    """A required enumerator (for labels that are common words alone: 其他, 总计)."""
    return _enum(mark)[3:-2]


@dataclass(frozen=True)
class _Spec:
    """A label the scanner knows: what kind of label, its code, and its regex."""

    kind: str
    code: str
    pattern: str


_QUOTE = "[\"'“”‘’]?"
_APP_ROWS: tuple[tuple[str, str, str], ...] = (
    ("new_received", "一", "本年新收政府信息公开申请数量"),
    ("carried_over", "二", "上年结转政府信息公开申请数量"),
    ("granted", "(一)", "予以公开"),
    ("partially_granted", "(二)", "部分公开"),
    ("denied_state_secret", "1", "属于国家秘密"),
    ("denied_prohibited_by_law", "2", "其他法律行政法规禁止公开"),
    ("denied_three_safeties_one_stability", "3", "危及*三安全一稳定*"),
    ("denied_third_party_rights", "4", "保护第三方合法权益"),
    ("denied_internal_affairs", "5", "属于三类内部事务信息"),
    ("denied_process_info", "6", "属于四类过程性信息"),
    ("denied_law_enforcement_file", "7", "属于行政执法案卷"),
    ("denied_administrative_inquiry", "8", "属于行政查询事项"),
    ("unable_not_held", "1", "本机关不掌握相关政府信息"),
    ("unable_needs_creation", "2", "没有现成信息需要另行制作"),
    ("unable_unclear_after_correction", "3", "补正后申请内容仍不明确"),
    ("not_processed_petition", "1", "信访举报投诉类申请"),
    ("not_processed_repeat", "2", "重复申请"),
    ("not_processed_publication", "3", "要求提供公开出版物"),
    ("not_processed_mass_repeat", "4", "无正当理由大量反复申请"),
    ("not_processed_confirmation", "5", "要求行政机关确认或重新出具已获取信息"),
    ("other_processing", "(六)", "其他处理"),
    ("other_no_correction", "1", "申请人无正当理由逾期不补正"),
    ("other_no_fee", "2", "申请人逾期未按收费通知要求缴纳费用"),
    ("other_other", "3!", "其他"),
    ("total", "(七)!", "总计"),
    ("carried_forward", "四", "结转下年度继续办理"),
)
_OTHER_TAIL = rf"(?:{_S}[、,]?{_S}{_loose('行政机关不再处理其政府信息公开申请')})?"
_APP_GROUPS = (
    ("三", "本年度办理结果"),
    ("(三)", "不予公开"),
    ("(四)", "无法提供"),
    ("(五)", "不予处理"),
)
APP_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
_LEGAL_PERSON = ("法人或其他组织", "法人或者其他组织")
# a 申请 table whose legal persons are one column (no 商业企业 … under 法人或其他组织)
APP_COLUMNS_SHORT = ("自然人", "法人或其他组织", "总计")
_APP_HEADER = ("申请人情况", *_LEGAL_PERSON, "小计", *APP_COLUMNS)
_ACTIVE_ROWS = (
    "规章", "行政规范性文件", "规范性文件", "行政许可", "其他对外管理服务事项", "行政处罚",
    "行政强制", "行政事业性收费", "政府集中采购", "其他主动公开文件",
)  # fmt: skip
_ACTIVE_COLUMNS = (
    "本年新制发件数", "本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量",
    "处理决定数量", "本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量",
    "上年项目数量", "采购项目数量", "采购项目数", "采购总金额",
)  # fmt: skip
REVIEW_GROUPS = ("行政复议", "未经复议直接起诉", "复议后起诉")
REVIEW_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
_REVIEW_HEADER = ("行政诉讼", *REVIEW_GROUPS, *REVIEW_RESULTS)


def _row_pattern(mark: str, label: str) -> str:
    """An enumerated row label, optionally followed by a note in brackets."""
    required = mark.endswith("!")
    mark = mark.rstrip("!")
    enum = _required(mark) if required else _enum(mark)
    core = _S.join(_QUOTE if char == "*" else re.escape(char) for char in label)
    tail = _OTHER_TAIL if label.startswith("申请人") else ""
    return enum + core + tail + _PARENTHETICAL


_FEE = _loose("本年收费金额") + rf"(?:{_S}\({_S}(?:{_loose('单位:')}{_S})?{_loose('万元')}{_S}\))?"


def _specs() -> list[_Spec]:
    """Every label the scanner knows, longest pattern first so 其他对外… wins over 其他."""
    specs = [
        _Spec("block", "", rf"第{_S}二十{_S}条{_S}第{_S}\({_S}[一二三四五六七八九十]+{_S}\){_S}项"),
        _Spec("content", "", _loose("信息内容")),
        _Spec("fee", "fee", _FEE),
        _Spec("change", "change", _loose("本年增") + rf"{_S}/?{_S}" + _loose("减")),
        _Spec("apps", "", _enum("三") + _loose("收到和处理政府信息公开申请情况")),
        _Spec("review", "", _enum("四") + _loose("政府信息公开行政复议") + rf"{_S}[、,]?{_S}" + _loose("行政诉讼情况")),  # noqa: E501
        _Spec("end", "", rf"[五六七]{_S}、[^、。\d{SEP}]{{0,16}}?(?:存在|问题|改进|其他需要报告)"),
    ]  # fmt: skip
    specs += [_Spec("active_row", label, _loose(label) + _PARENTHETICAL) for label in _ACTIVE_ROWS]
    specs += [_Spec("active_col", label, _loose(label)) for label in _ACTIVE_COLUMNS]
    specs += [_Spec("app_row", code, _row_pattern(mark, label)) for code, mark, label in _APP_ROWS]
    specs += [_Spec("app_group", label, _enum(mark) + _loose(label)) for mark, label in _APP_GROUPS]
    specs += [_Spec("app_header", label, _loose(label)) for label in _APP_HEADER]
    specs += [_Spec("review_header", label, _loose(label)) for label in _REVIEW_HEADER]
    return sorted(specs, key=lambda spec: -len(spec.pattern))


_SPECS = _specs()
_SCANNER = re.compile("|".join(f"(?P<s{i}>{spec.pattern})" for i, spec in enumerate(_SPECS)))
# Where a flattened template table starts: a 主动公开 header, or the 申请 header. A citation of
# 第二十条 or a 予以公开 in the prose is not a table.
_ANY_ACTIVE_COLUMN = "|".join(_loose(c) for c in (*_ACTIVE_COLUMNS, "本年收费金额"))
_START = re.compile(
    rf"第{_S}二十{_S}条{_S}第{_S}\({_S}一{_S}\){_S}项{_S}{_loose('信息内容')}"
    rf"|{_loose('信息内容')}{_S}(?:{_ANY_ACTIVE_COLUMN})"
    rf"|{_loose('申请人情况')}"
    rf"|{_loose('行政复议')}{_S}{_loose('行政诉讼')}{_S}{_loose('结果维持')}"
)
_APP_SWITCH = frozenset({"申请人情况", "自然人"})
_ACTIVE_HEADER_KINDS = frozenset({"block", "content", "active_col", "fee", "change"})
MAX_ROWS = 80  # rows of the 申请 table (the template has 26)


@dataclass
class Row:
    """One data row: its label as written, its code, the value texts after it, and whether
    they are positional cells (between pipes) rather than tokens that may need splitting."""

    label: str
    code: str
    values: list[str] = field(default_factory=list)
    positional: bool = False
    separated: bool = False  # its values stand on lines of their own: each is one whole cell
    glued: bool = False  # its digits follow the label with no space ("规章000"): runs
    kept: int | None = None  # cut off by the end of the text: only this many cells are shown
    unknown: bool = False  # its label is followed by other text: its values are elsewhere
    block: list[str] = field(default_factory=list)  # values found after header pieces


@dataclass
class Block:
    """A 主动公开 sub-block: its column labels and its rows."""

    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


@dataclass
class Scan:
    """The template's labels and value texts found in the text, per table."""

    active: list[Block] = field(default_factory=list)
    applications: list[Row] = field(default_factory=list)
    review: Row | None = None
    review_blank: bool = False
    app_header: set[str] = field(default_factory=set)  # the 申请 header labels seen

    @property
    def app_columns(self) -> tuple[str, ...]:
        """The 申请 columns in value order: the template's seven, or three when the header
        names 法人或其他组织 but none of its five kinds and no row has more values."""
        kinds = set(APP_COLUMNS[1:-1]) - {"其他"}
        widest = max((len(row.values) for row in self.applications), default=0)
        short = self.app_header & set(_LEGAL_PERSON) and not self.app_header & kinds
        return APP_COLUMNS_SHORT if short and widest <= len(APP_COLUMNS_SHORT) else APP_COLUMNS

    start: int = 0
    found: bool = False


def _values(gap: str, header: bool = False) -> tuple[list[str], bool, str]:
    """The value cells at the start of a gap, whether they are positional, and the text after
    them. Between pipes each cell keeps its place (an empty cell is ""); otherwise the values
    are the quantity tokens up to the first token that is not one (a run of digits may hold
    several cells). After a `header` (the 复议/诉讼 data row) the pieces of header words the
    scanner did not match ("维持 纠正 结果 审结") come first and are passed over."""
    if SEP in gap:
        pieces = gap.split(SEP)
        start = 1 if not pieces[0].strip() else 0
        cells: list[str] = []
        for used, piece in enumerate(pieces[start:], start):
            text = piece.strip()
            if _TOKENS.search(text):  # a cell holding several tokens: read them as tokens
                break
            if text and parse_cell(text) is None:  # text: the row's cells end here
                return _trimmed(cells), True, SEP.join(pieces[used:])
            cells.append(text)
        else:
            return _trimmed(cells), True, ""
    tokens = _TOKENS.split(gap.strip(f" \t\n{SEP}"))
    skip = _header_rest(tokens) if header else _continuation(tokens)
    values = []
    for token in tokens[skip:]:
        if not token or parse_cell(token) is None:
            break
        values.append(token)
    return values, False, " ".join(tokens[skip + len(values) :])


def _header_rest(tokens: list[str]) -> int:
    """How many leading tokens are pieces of header words (short, no digits) before a row."""
    skip = 0
    while skip < min(len(tokens), _MAX_HEADER_REST) and _HEADER_PIECE.fullmatch(tokens[skip]):
        skip += 1
    return skip


def _continuation(tokens: list[str]) -> int:
    """How many leading tokens still belong to the label, wrapped around its values in PDF
    text ("（区分处理的，只计这一情 447 7 … 形，不计其他情形）", "、行政机关不再处理其政府信
    67 3 …"): text that opens a note or goes on with 、 or ，, never a new enumerated label."""
    if not tokens or parse_cell(tokens[0]) is not None or not _GOES_ON.match(tokens[0]):
        return 0
    skip = 0
    while skip < len(tokens) and parse_cell(tokens[skip]) is None and skip < _MAX_GOES_ON:
        skip += 1
    return skip if skip < len(tokens) and parse_cell(tokens[skip]) is not None else 0


def _trimmed(cells: list[str]) -> list[str]:
    """Cells without the empty ones at the end (a row's trailing | | |)."""
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _is_prose(rest: str) -> bool:
    """Whether text after a row's values is a sentence (the prose after the tables), not a
    note in brackets or a header the scanner does not know."""
    return bool(_SENTENCE.search(_BRACKETED.sub("", rest)))


def _header_texts(gap: str) -> list[str]:
    """Header cells in a gap that no template label matched ("本年新" cut short): they keep
    their column's place."""
    texts = [t.strip() for t in re.split(rf"[\n{SEP}]", gap)]
    return [t for t in texts if t and parse_cell(t) is None and not t.startswith("(")]


def _label(text: str) -> str:
    """A matched label as a cell text: the whitespace and cell breaks inside it removed."""
    return _TOKENS.sub("", text)


@dataclass
class _Scanner:
    """The state of one pass over the labels: which table, which 主动公开 sub-block."""

    result: Scan
    section: str = "active"
    block: Block | None = None

    def switch(self, spec: _Spec) -> None:
        """Move to the 申请 or 复议/诉讼 table at its title or at its own header or rows."""
        kind = spec.kind
        if kind in ("apps", "app_row") or (kind == "app_header" and spec.code in _APP_SWITCH):
            self.section = "applications"
        if kind == "review" or (kind == "review_header" and spec.code != "总计"):
            self.section = "review"

    def header(self, spec: _Spec, label: str, gap: str, at_end: bool) -> None:
        """A 主动公开 header cell: 信息内容 starts a sub-block, a column label extends it."""
        if spec.kind == "block":
            self.block = None
            return
        if spec.kind == "content" or self.block is None or self.block.rows:
            self.block = Block()
            self.result.active.append(self.block)
        if spec.kind != "content":
            self.block.columns.append(label)
        if not at_end:  # at the end it may be the cut-off start of a row label
            self.block.columns += _header_texts(gap)

    def row(self, spec: _Spec, label: str) -> Row | None:
        """The row this label starts, in the table the scan is in, or None."""
        if self.section == "active" and spec.kind == "active_row" and self.block is not None:
            return Row(label, spec.code)
        if self.section == "applications" and spec.kind == "app_row":
            return Row(label, spec.code)
        if self.section == "review" and spec.kind in ("review_header", "app_header"):
            return Row("", "review")  # the data row comes after the last header label
        return None

    def values_after_header(self, gap: str) -> None:
        """Values after a 申请 header word or group label: pdfminer prints a page's labels,
        then the header, then the values; they are kept beside the last row (gbgrid)."""
        rows = self.result.applications
        if self.section == "applications" and rows and not rows[-1].values:
            rows[-1].block += _values(gap, header=True)[0]

    def add(self, row: Row) -> None:
        """Keep a row in its table (the 复议/诉讼 row replaces the header's previous one)."""
        if self.section == "active" and self.block is not None:
            self.block.rows.append(row)
        elif self.section == "applications" and len(self.result.applications) < MAX_ROWS:
            self.result.applications.append(row)
        elif self.section == "review":
            self.result.review = row


def _fill(row: Row, gap: str, at_end: bool) -> tuple[bool, bool]:
    """Read a row's values from the gap after its label: whether to keep the row and whether
    the tables end after it (a sentence follows). A row with nothing after its label is blank;
    one whose label is followed by other text, or by the end of the text, is not known (its
    values may sit elsewhere in PDF text, or be cut off) and is not kept."""
    row.values, row.positional, rest = _values(gap, header=row.code == "review")
    row.separated = "\n" in gap.strip()
    row.glued = gap[:1].isdigit()
    if at_end:
        row.kept = len(row.values)  # the cells after the values present are unknown
    unknown = not row.values and (at_end or bool(rest.strip(f" \t\n{SEP}")))
    return not unknown, _is_prose(rest)


def scan(text: str) -> Scan:
    """Find the template tables in normalised text (cells separated by SEP or whitespace)."""
    result = Scan()
    start = _START.search(text)
    if start is None:
        return result
    result.start = start.start()
    scanner = _Scanner(result)
    matches = list(islice(_SCANNER.finditer(text, start.start()), MAX_LABELS + 1))
    for index, match in enumerate(matches):
        spec = _SPECS[int(match.lastgroup[1:])]  # type: ignore[index]
        gap_end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        gap, at_end, label = text[match.end() : gap_end], gap_end == len(text), _label(match[0])
        if spec.kind == "end":
            # a 复议/诉讼 header with nothing under it before the next section: a blank row
            result.review_blank = scanner.section == "review" and result.review is not None
            break
        if result.review is not None and result.review.values:
            break  # the 复议/诉讼 row is the last of the template's tables
        scanner.switch(spec)
        if scanner.section == "applications" and spec.kind == "app_header":
            result.app_header.add(spec.code)
        if scanner.section == "active" and spec.kind in _ACTIVE_HEADER_KINDS:
            scanner.header(spec, label, gap, at_end)
            continue
        row = scanner.row(spec, label)
        if row is None:
            scanner.values_after_header(gap)
            continue
        keep, prose = _fill(row, gap, at_end)
        if keep:
            scanner.add(row)
        elif scanner.section == "applications" and not at_end:
            row.unknown = True  # kept in place: pdfminer may give its values later (gbgrid)
            scanner.add(row)
        elif scanner.section == "review":
            result.review = None
        if prose:
            break  # a sentence after a row: the prose after the tables
    result.active = [block for block in result.active if block.columns]
    result.found = bool(result.active or result.applications or result.review is not None)
    return result


APP_ROW_CODES = tuple(code for code, _, _ in _APP_ROWS)
