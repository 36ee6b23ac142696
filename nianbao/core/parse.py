"""Main text to report fields: title, agency, year, format era, dates, sections. No I/O.

This is the first parser: enough to make records meaningful (title, agency, year, format era,
publish date, statistics period, sections). The statistics tables come with the full parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from nianbao.core.extract import Document

_REPORT_WORDS = r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度报告|年报)"
_TITLE_REPORT = re.compile(_REPORT_WORDS)
# Pages about a report, or notices that mention one, are not reports.
_NOT_REPORT = re.compile(r"解读|图解|^关于|(?:通知|方案|计划|要点|意见|函|公告|通报)[》」]?$")
_TITLE_AGENCY_FIRST = re.compile(
    r"^(?P<agency>.+?)(?P<year>(?:19|20)\d{2})\s*年度?" + r".*?" + _REPORT_WORDS
)
_TITLE_YEAR_FIRST = re.compile(r"^(?P<year>(?:19|20)\d{2})\s*年度?(?P<agency>.*?)" + _REPORT_WORDS)
_COMPILED_BY = re.compile(r"由(?P<agency>[^，。,；;（(]{2,60}?)(?:负责)?(?:编制|编写|制作|汇总)")
_PERIOD = re.compile(
    r"统计(?:期限|时限|时间段|时间|数据时限|数据的期限|数据)?\s*(?:为|是|自|从)?\s*"
    r"(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日\s*(?:起)?\s*[,，]?\s*(?:至|到|—|-|~)\s*"
    r"(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
)
_SECTION = re.compile(r"^(?P<number>[一二三四五六七八九十]{1,3})\s*[、.．]\s*(?P<heading>.{2,60})$")


@dataclass
class ParsedFields:
    """What the parser found; validation turns it into an AnnualReport."""

    is_report: bool
    reason: str | None
    title: str | None
    agency_name: str | None
    year: int | None
    published_on: date | None
    period_start: date | None
    period_end: date | None
    sections: list[tuple[str, str, str]] = field(default_factory=list)


def parse(doc: Document, link_text: str | None = None) -> ParsedFields:
    """Read the fields of a report from its extracted document."""
    title = _title(doc, link_text)
    is_report, reason = _classify(title, doc)
    period_start, period_end = _period(doc.text)
    year, agency = _year_and_agency_from_title(title)
    if year is None and period_start is not None:
        year = period_start.year
    if agency is None:
        match = _COMPILED_BY.search(doc.text[:3000])
        agency = match.group("agency").strip() if match else None
    if agency is None and doc.source and _looks_like_agency(doc.source):
        agency = doc.source
    return ParsedFields(
        is_report=is_report,
        reason=reason,
        title=title,
        agency_name=agency,
        year=year,
        published_on=_iso_date(doc.published),
        period_start=period_start,
        period_end=period_end,
        sections=_sections(doc.lines),
    )


def _title(doc: Document, link_text: str | None) -> str | None:
    if doc.title and _TITLE_REPORT.search(doc.title):
        return doc.title
    lines = doc.lines[:6]
    for i, line in enumerate(lines):
        if len(line) <= 80 and _TITLE_REPORT.search(line):
            # A title broken over two lines: "温州市安全生产监督管理局" / "2017年政府信息公开…"
            if i and re.match(r"^(?:19|20)\d{2}\s*年", line) and _looks_like_agency(lines[i - 1]):
                return lines[i - 1] + line
            return line
    if link_text and _TITLE_REPORT.search(link_text):
        return link_text.strip()
    return doc.title


def _classify(title: str | None, doc: Document) -> tuple[bool, str | None]:
    if title and _TITLE_REPORT.search(title):
        if _NOT_REPORT.search(title):
            return False, f"the title names another kind of document: {title}"
        return True, None
    opening = doc.text[:800]
    if re.search(r"本(?:年度)?报告", opening) and re.search(r"信息公开|政务公开", opening):
        return True, None
    return False, "neither the title nor the opening says this is an annual report"


def _year_and_agency_from_title(title: str | None) -> tuple[int | None, str | None]:
    if not title:
        return None, None
    for pattern in (_TITLE_YEAR_FIRST, _TITLE_AGENCY_FIRST):
        match = pattern.search(title)
        if match:
            agency = match.group("agency").strip(' 《》“”"')
            return int(match.group("year")), agency if _looks_like_agency(agency) else None
    return None, None


def _looks_like_agency(text: str) -> bool:
    return bool(re.search(r"(?:政府|局|厅|委员会|委|办公室|办|中心|院|署|部)$", text))


def _period(text: str) -> tuple[date | None, date | None]:
    match = _PERIOD.search(text[:5000])
    if not match:
        return None, None
    y1 = int(match.group("y1"))
    y2 = int(match.group("y2") or y1)
    return (
        _safe_date(y1, int(match.group("m1")), int(match.group("d1"))),
        _safe_date(y2, int(match.group("m2")), int(match.group("d2"))),
    )


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    year, month, day = (int(part) for part in value.split("-"))
    return _safe_date(year, month, day)


def _sections(lines: list[str]) -> list[tuple[str, str, str]]:
    """Top-level 一、二、三、 sections as (number, heading, text)."""
    sections: list[tuple[str, str, list[str]]] = []
    for line in lines:
        match = _SECTION.match(line)
        if match and not re.search(r"[。；;]$", line):
            sections.append((match.group("number"), line, []))
        elif sections:
            sections[-1][2].append(line)
    return [(number, heading, "\n".join(body)) for number, heading, body in sections]


def format_era(year: int | None) -> str | None:
    """The national format a report for this statistics year follows."""
    if year is None:
        return None
    if year >= 2021:
        return "gb2021"
    if year >= 2019:
        return "gb2019"
    return "pre2019"
