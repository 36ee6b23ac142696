"""Figures the prose states: a number with its unit and the words that name what was counted.

"共主动公开政府信息417条" gives row 主动公开政府信息, value 417; "配备了1名全职工作人员" names the
counted thing after the unit (row 配备了全职工作人员). The row is the text of the clause before
the figure (back to punctuation, an unclosed bracket or the previous figure), time words and
linking verbs trimmed, so any wording of the same fact shares its words. Skipped: dates,
document numbers, phone numbers and codes (no unit), ranges, ordinals (第3次), durations
(15个工作日), percentages other than rates (答复率100%), and the statistics table when it is
flattened into the prose. Pure; one linear scan with compiled patterns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nianbao.core.numbers import chinese_numeral
from schemas.report import Indicator

_DIGITS = "0-9０-９"
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_UNITS = (
    "人次", "件次", "场次", "条次", "户次", "家次", "人", "条", "件", "个", "次", "项", "篇",
    "期", "场", "份", "名", "部", "册", "类", "家", "户", "起", "批", "元", "所", "本", "套",
    "台", "张", "位", "例", "宗", "处", "批次", "块", "幅", "座", "辆", "%", "％",
)  # fmt: skip
_COUNT_UNITS = "|".join(sorted((u for u in _UNITS if u not in "%％"), key=len, reverse=True))
_FIGURE = re.compile(
    rf"(?=[{_DIGITS}{_CN_DIGITS}])(?<![{_DIGITS}{_CN_DIGITS}万亿萬億.．A-Za-z第/\\])"
    rf"(?P<num>[{_DIGITS}]{{1,12}}(?:,[{_DIGITS}]{{3}}(?![{_DIGITS}]))*(?:[.．][{_DIGITS}]{{1,4}})?"
    # a Chinese numeral counts only with its unit (一是, 进一步 are words): checked here, cheaply
    rf"|[{_CN_DIGITS}]{{1,8}}(?=[余多]?[万亿萬億]?[余多]?[ \t]?(?:{_COUNT_UNITS})))"
    r"(?P<a1>[余多])?(?P<mult>[万亿萬億])?(?P<a2>[余多])?[ \t]?"
    r"(?P<unit>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")?"
)
# a unit character that starts a word is not a unit: 条例, 项目, 部分, 期间, 人员 …
_NOT_UNIT = {
    "条": "例件款目文", "项": "目", "部": "分门署长委", "名": "称单义录", "期": "间限刊末满",
    "场": "所景地", "份": "额", "家": "庭属", "类": "别型", "人": "员民大口士事才", "次": "要序",
    "户": "籍口", "起": "草诉来到", "批": "准复示评", "个": "人别体案性", "件": "事",
    "所": "以有属在谓", "本": "级单部地区市县镇人次年", "台": "账", "张": "贴", "位": "于置",
    "例": "如", "处": "理置罚室", "元": "旦素",
}  # fmt: skip
_DURATION = re.compile(r"工作日|自然日|月|小时|季度|星期|百分点|年度?")
_STRUCTURE = re.compile(r"部分|方面")  # "由…六个部分组成" describes the report, not the work
_HARD_STOPS = "。，,；;：:！!？?\n|"
_SENTENCE_STOPS = "。！!？?\n|"
# a row that ends in a reporting verb names no object (全年公布631条): the clause before says what
_BARE_VERB = re.compile(
    r"(?:公布|发布|公开|办结|受理|收到|办理|处理|答复|回复|开展|组织|举办|召开|接待|开设|制定|印发|"
    r"出台|编制|推送|转载|解读|更新|报送|录入|上传)了?$"
)
_OPENERS = "(（[【"
_CLOSERS = ")）]】"
_HARD_STOP = re.compile("[" + re.escape(_HARD_STOPS) + "]")
_TWO_CJK = re.compile("[\u4e00-\u9fff][^\u4e00-\u9fff]*[\u4e00-\u9fff]")
_OPENER = re.compile("[" + re.escape(_OPENERS) + "]")
_WINDOW = 100  # the longest stretch of text before a figure read as its row
_HEADING = (
    r"[一二三四五六七八九十]{1,3}、[^,，。]{0,30}?(?:情况|措施|概述|事项)"
    r"|[(（][一二三四五六七八九十]{1,3}[)）][^,，。]{0,20}?(?:情况|措施)"
)
# what a row does not begin with: punctuation, a section heading run on, time words, 其中
_LEAD = re.compile(
    r"^(?:[、\s,，:：;；)）]|[(（][^()（）]{0,6}[)）]|" + _HEADING + r"|其中|另外|另|同时|此外"
    r"|[一二三四五六七八九十]是|首先|其次|再次|最后|\d{1,2}\s*[.、．](?!\d)"
    r"|(?:19|20)\d{2}\s*年(?:度)?(?:全年)?(?:以来|内)?"
    r"|今年(?:以来)?|本年度?|截至目前|截至\S{0,8}?[底末止]|目前)+"
)
_TRAIL = re.compile(
    r"(?:共计|合计|总计|共有|共|计|为|达到|达|是|有|约|近|逾|超过|多达|高达|均|都|全部|以及|和|及|[\s、])+$"
)
# the counted thing after the unit runs to punctuation, a number or a list's 、 ("119项公开事项、
# 具体内容"); a phrase led by a preposition or verb runs through the list to its head
# ("29项涉及群众切身利益、需广泛知晓的重要政策文件")
_AFTER = re.compile(r"(?:《[^《》\n]{1,60}》|[\u4e00-\u9fff“”\"·]){1,40}")
_AFTER_PHRASE = re.compile(
    r"(?:《[^《》\n]{1,60}》|[\u4e00-\u9fff“”\"·])(?:《[^《》\n]{1,60}》|[\u4e00-\u9fff“”\"·、]){0,39}"
)
_LEADS_A_PHRASE = re.compile(r"通过|经由|经|向|对于|对|就|涉及|关于|围绕|针对|来自|参与|参加|用")
_AFTER_STOP = re.compile(
    r"占|同比|比上|较|均|已|全部|都|以上|左右|被|为|是|和|及|与|等|中|内|以|之|的|共|其|"
    r"分别|得到|获得|用于|在|上|下|并|后|前|次|增|减|提|降|达|到|至|扩|缩"
)
# a percentage is a figure when it measures something (答复率, 公开面, 完整性, 满意度), not a share
_RATE = re.compile(r"[率面性度]$")
# "成员单位从原来的9个增加到34个": the second figure is the same thing after the change
_CHANGE = re.compile(r"^(?:增加|增长|提高|提升|上升|下降|减少|降低|扩大|缩减)(?:到|至|为)?$")
_FROM = re.compile(r"[从由](?!于)")
_COUNT_WORD = re.compile(r"(?:数|量)(?:为|达|是|共|共计|合计)?$")
_APPROX_PREFIX = re.compile(r"(?:近|约|超过|逾|多达)$")
# A statistics table flattened into the prose starts at its heading or first header cells and
# runs to the next prose section (存在的主要问题…) or the end.
_TABLE_START = re.compile(
    r"统计表\s*[:：]?\s*(?:指标名称|统计指标|计量单位|指标|单位\s)"
    r"|第二十条\s*第\s*[(（]\s*一\s*[)）]\s*项|信息内容\s*本年|本列数据的勾稽关系"
)
_TABLE_END = re.compile(r"存在的主要问题|主要问题(?:和|及)改进|其他需要报告的事项|其他需要说明")
_RANGE_JOINERS = "-~～至到—–"
_VAGUE = frozenset("数几若上成好")
_UNITLESS_END = frozenset(_HARD_STOPS + "。)）")
_NUMERALS = frozenset("0123456789０１２３４５６７８９" + _CN_DIGITS)


@dataclass(frozen=True)
class Figure:
    """One figure found in the prose, before it becomes an Indicator."""

    start: int
    end: int
    row: str
    subject: str  # the row up to 从/由 ("成员单位从原来的" -> "成员单位"), "" if none
    value: float
    raw: str
    unit: str | None
    approximate: bool


def find_figures(text: str) -> list[Figure]:
    """Every counted figure in the prose before a flattened statistics table, in text order."""
    tables = _table_spans(text)
    found: list[Figure] = []
    previous: Figure | None = None
    for match in _FIGURE.finditer(text):
        following = text[match.end() : match.end() + 1]
        if match["unit"] is None and following and following not in _UNITLESS_END:
            continue  # a year, a date, a code: the cheap and common case, rejected first
        if tables and any(start <= match.start() < end for start, end in tables):
            continue
        figure = _figure(text, match, previous)
        if figure is not None:
            found.append(figure)
            previous = figure
    return found


def _table_spans(text: str) -> list[tuple[int, int]]:
    """Where statistics tables flattened into the prose lie."""
    spans = []
    pos = 0
    while start := _TABLE_START.search(text, pos):
        end = _TABLE_END.search(text, start.end())
        pos = end.start() if end else len(text)
        spans.append((start.start(), pos))
    return spans


def _figure(text: str, match: re.Match[str], previous: Figure | None) -> Figure | None:
    """The figure a number match starts, or None if it is not a counted fact."""
    previous_end = previous.end if previous else 0
    num, unit = match["num"], match["unit"]
    chinese = num[0] in _CN_DIGITS
    if chinese and (num == "一" or not (unit and unit not in "%％")):
        return None  # 一个/一次 are idioms; a Chinese numeral needs its unit
    if chinese and text[match.start() - 1 : match.start()] in _VAGUE:
        return None  # 数十条, 几百人, 上千次: no number is stated
    end = match.end()
    following = text[end : end + 1]
    if unit is None and following and following not in _UNITLESS_END:
        return None  # a year, a date, a code: the cheap and common case, rejected first
    if _in_range(text, match.start()) or _quoted(text, match.start()):
        return None
    if unit and unit in _NOT_UNIT and following and following in _NOT_UNIT[unit]:
        return None
    if chinese and following and (following in _NUMERALS or following == "号"):
        return None  # 五位一体, 白广路二条2号: a name, not a count
    if unit == "个" and _DURATION.match(text, end):
        return None
    after = ""
    pattern = _AFTER_PHRASE if _LEADS_A_PHRASE.match(text, end) else _AFTER
    if unit and unit not in "%％" and (tail := pattern.match(text, end)):
        if _STRUCTURE.match(tail.group()):
            return None
        if not _AFTER_STOP.match(tail.group()):
            after = tail.group()
            end = tail.end()
    # a verb with its object after the figure needs no clause before it
    before = _row_before(text, match.start(), previous_end, extend=not after)
    key = _TRAIL.sub("", before)
    if unit in ("%", "％"):
        if not _RATE.search(key) or match["mult"]:
            return None
    elif unit is None and not _unitless_figure(match, before):
        return None
    if previous and previous.subject and _CHANGE.match(_clean(key)):
        key = previous.subject + key
    row = _clean(key + after)
    if not _TWO_CJK.search(row):
        return None
    value = _value(num, match["mult"])
    if value is None:
        return None
    raw_end = max(match.end("num"), match.end("a1"), match.end("mult"), match.end("a2"))
    return Figure(
        start=match.start(),
        end=end,
        row=row,
        subject=_subject(row),
        value=value,
        raw=text[match.start() : raw_end],
        unit=unicodedata.normalize("NFKC", unit) if unit else None,
        approximate=bool(match["a1"] or match["a2"] or _APPROX_PREFIX.search(before)),
    )


def _subject(row: str) -> str:
    """What a row is about when it states a starting point: the words before 从/由."""
    found = _FROM.search(row)
    return row[: found.start()] if found and found.start() >= 2 else ""


def _unitless_figure(match: re.Match[str], before: str) -> bool:
    """A number with no unit at the end of a clause counts when it follows a count word
    (不予公开信息数1402。) or carries 余/多/万 (主动公开政府信息260余⏎, the unit lost)."""
    return bool(match["a1"] or match["a2"] or match["mult"] or _COUNT_WORD.search(before))


def _quoted(text: str, start: int) -> bool:
    """Whether a number sits inside a title or quotation (《…八项承诺》, “三个一”): a name."""
    window = text[max(0, start - _WINDOW) : start]
    return window.rfind("《") > window.rfind("》") or window.rfind("“") > window.rfind("”")


def _in_range(text: str, start: int) -> bool:
    """Whether the number is the second half of a range or date ("3-5人", "1月至3月"), or of
    digits split by a space or a stray comma ("1 234条", "12,3456人": not read at all)."""
    joiner = text[start - 1 : start]
    if joiner in " \t," and text[start - 2 : start - 1] in _NUMERALS:
        return True
    if joiner not in _RANGE_JOINERS:
        return False
    before = text[start - 2 : start - 1]
    return bool(before) and (before.isdigit() or before in _CN_DIGITS or before in "月日年")


def _row_before(text: str, start: int, previous_end: int, *, extend: bool) -> str:
    """The clause before a figure, and the clause before that when it ends in a bare verb or
    says nothing itself (共计24条信息)."""
    before = _before(text, start, previous_end)
    clause_start = start - len(before)
    bare = extend and _BARE_VERB.search(_TRAIL.sub("", before))
    if not (bare or not _clean(before)) or clause_start <= previous_end:
        return before
    if text[clause_start - 1 : clause_start] in _SENTENCE_STOPS:
        return before
    return _before(text, clause_start - 1, previous_end) + text[clause_start - 1 : start]


def _before(text: str, start: int, previous_end: int) -> str:
    """The clause before a figure: back to punctuation, an unclosed bracket or the last figure."""
    window = text[max(previous_end, start - _WINDOW) : start]
    if stop := _HARD_STOP.search(window[::-1]):  # the nearest stop, found in C
        window = window[len(window) - stop.start() :]
    if not _OPENER.search(window):
        return window
    depth = 0
    for i in range(len(window) - 1, -1, -1):
        ch = window[i]
        if ch in _CLOSERS:
            depth += 1
        elif ch in _OPENERS:
            if depth == 0:
                return window[i + 1 :]
            depth -= 1
    return window


def _clean(row: str) -> str:
    """A row without its leading time words and filler, spaces collapsed."""
    row = _LEAD.sub("", row.strip())
    return "".join(_TRAIL.sub("", row).split())


def _value(num: str, mult: str | None) -> float | None:
    """The number's value, 万/亿 expanded."""
    normal = unicodedata.normalize("NFKC", num).replace(",", "")
    if normal[0].isdigit():
        value = float(normal)
    else:
        integer = chinese_numeral(normal)
        if integer is None:
            return None
        value = float(integer)
    if mult:
        value *= 10**4 if mult in "万萬" else 10**8
    return value


def to_indicator(figure: Figure, row_code: str | None) -> Indicator:
    """The figure as a narrative Indicator."""
    semantics = "zero" if figure.value == 0 else "number"
    if figure.approximate:
        semantics = "approximate"
    return Indicator(
        table="narrative",
        row=figure.row,
        row_code=row_code,
        column=None,
        column_code=None,
        unit=figure.unit,
        value=figure.value,
        raw=figure.raw,
        semantics=semantics,
    )
