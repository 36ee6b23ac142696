"""The statistics period a report states (统计期限/所列数据…自2019年1月1日起至12月31日止). Pure."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

from nianbao.core.numbers import chinese_numeral

_YEAR = r"(?:19|20)\d{2}"
# one date: 2019年1月1日, 2019.1.1, 2019-01-01, 2019/1/1; the day may be missing (2019年1月)
_START = (
    rf"(?P<y1>{_YEAR})\s*(?:年|[.\-/])\s*(?P<m1>\d{{1,2}})\s*(?:月|[.\-/])?\s*"
    r"(?:(?P<d1>\d{1,2})\s*[日号]?)?"
)
_END = (
    r"(?:(?P<y2>\d{4,8})\s*(?:年|[.\-/])\s*)?(?P<m2>\d{1,2})\s*(?:月|[.\-/])\s*"
    r"(?:(?P<d2>\d{1,2})\s*[日号]?)?"
)
_RANGE = re.compile(
    _START + r"\s*(?:起|开始)?\s*[,，]?\s*(?:至|到|—+|–|-|~|～|－|－)\s*(?:至\s*)?" + _END
)
# words that say a date range is the period the figures cover; weaker ones (时间 is also an
# event's time) count only when no range is called the statistics period or spans a whole year
_CONTEXT = re.compile(r"统计|数据|期限|报告期")
_WEAK_CONTEXT = re.compile(r"期间|时限|时段|时间|年报|报告")
_CONTEXT_SPAN = 40
# dates written in Chinese numerals: 二〇一九年一月一日至十二月三十一日
_CN_DATE_PART = re.compile(r"[〇○零一二三四五六七八九十]{1,4}(?=[年月日])")


def statistics_period(text: str) -> tuple[date | None, date | None]:
    """Start and end of the statistics period: the first date range the text says the figures
    cover (统计/数据/期限… just before it), else the first range that is one whole year, else
    the first one after a weaker word (时间, 期间 …). An end date written malformed
    (202020年12月31日) is left None, the start kept."""
    normal = _CN_DATE_PART.sub(_arabic, unicodedata.normalize("NFKC", text))
    whole_year: tuple[date, date] | None = None
    weak: tuple[date, date | None] | None = None
    for match in _RANGE.finditer(normal):
        span = _dates(match)
        if span is None:
            continue
        context = max(0, match.start() - _CONTEXT_SPAN)
        if _CONTEXT.search(normal, context, match.start()):
            return span
        start, end = span
        if whole_year is None and end is not None and _is_whole_year(start, end):
            whole_year = (start, end)
        if weak is None and _WEAK_CONTEXT.search(normal, context, match.start()):
            weak = span
    return whole_year or weak or (None, None)


def _arabic(match: re.Match[str]) -> str:
    """A Chinese-numeral year, month or day in digits (left as written if it is not one)."""
    value = chinese_numeral(match.group())
    return str(value) if value is not None else match.group()


def _dates(match: re.Match[str]) -> tuple[date, date | None] | None:
    """The two dates of a range (a missing day is the month's first or last); None if the
    start is not a date, the end None if it is malformed."""
    y1 = int(match["y1"])
    m1, m2 = int(match["m1"]), int(match["m2"])
    if not 1 <= m1 <= 12:
        return None
    start = _date(y1, m1, int(match["d1"]) if match["d1"] else 1)
    if start is None:
        return None
    written = match["y2"]
    if written and (len(written) != 4 or written[:2] not in ("19", "20")):
        return start, None  # a year printed wrong (202020年): no guess at what was meant
    y2 = int(written) if written else y1
    if not 1 <= m2 <= 12:
        return start, None
    end = _date(y2, m2, int(match["d2"]) if match["d2"] else calendar.monthrange(y2, m2)[1])
    if end is not None and end < start:
        return None
    return start, end


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _is_whole_year(start: date, end: date) -> bool:
    return start == date(start.year, 1, 1) and end == date(start.year, 12, 31)
