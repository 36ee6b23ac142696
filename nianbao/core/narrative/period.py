"""The statistics period a report states (统计期限/所列数据…自2019年1月1日起至12月31日止). Pure."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

_YEAR = r"(?:19|20)\d{2}"
# one date: 2019年1月1日, 2019.1.1, 2019-01-01, 2019/1/1; the day may be missing (2019年1月)
_START = (
    rf"(?P<y1>{_YEAR})\s*(?:年|[.\-/])\s*(?P<m1>\d{{1,2}})\s*(?:月|[.\-/])?\s*"
    r"(?:(?P<d1>\d{1,2})\s*[日号]?)?"
)
_END = (
    rf"(?:(?P<y2>{_YEAR})\s*(?:年|[.\-/])\s*)?(?P<m2>\d{{1,2}})\s*(?:月|[.\-/])\s*"
    r"(?:(?P<d2>\d{1,2})\s*[日号]?)?"
)
_RANGE = re.compile(
    _START + r"\s*(?:起|开始)?\s*[,，]?\s*(?:至|到|—+|–|-|~|～|－|－)\s*(?:至\s*)?" + _END
)
# words that say a date range is the period the figures cover
_CONTEXT = re.compile(r"统计|数据|期限|期间|时限|时段|时间|年报|报告期")
_CONTEXT_SPAN = 40


def statistics_period(text: str) -> tuple[date | None, date | None]:
    """Start and end of the statistics period: the first date range the text says the figures
    cover (统计/数据/期限… just before it), or else the first range that is one whole year."""
    normal = unicodedata.normalize("NFKC", text)
    whole_year: tuple[date, date] | None = None
    for match in _RANGE.finditer(normal):
        span = _dates(match)
        if span is None:
            continue
        if _CONTEXT.search(normal, max(0, match.start() - _CONTEXT_SPAN), match.start()):
            return span
        if whole_year is None and _is_whole_year(span):
            whole_year = span
    return whole_year if whole_year else (None, None)


def _dates(match: re.Match[str]) -> tuple[date, date] | None:
    """The two dates of a range (a missing day is the month's first or last); None if invalid."""
    y1 = int(match["y1"])
    y2 = int(match["y2"] or y1)
    m1, m2 = int(match["m1"]), int(match["m2"])
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        return None
    d1 = int(match["d1"]) if match["d1"] else 1
    d2 = int(match["d2"]) if match["d2"] else calendar.monthrange(y2, m2)[1]
    try:
        start, end = date(y1, m1, d1), date(y2, m2, d2)
    except ValueError:
        return None
    return (start, end) if start <= end else None


def _is_whole_year(span: tuple[date, date]) -> bool:
    start, end = span
    return start == date(start.year, 1, 1) and end == date(start.year, 12, 31)
