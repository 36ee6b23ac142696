"""What the report's text says about where it comes from: postcodes and area codes, the
governments and rules it cites, and how it speaks of itself (我镇, 全市).
"""

from __future__ import annotations

import re

from nianbao.core.gazetteer import gazetteer

_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})(?!\d)")
_AREA_CODE = re.compile(r"(?<![\d-])(?:[(（](0\d{2,3})[)）]|(0\d{2,3})\s*[-—－–‐])\s*\d{7,8}(?!\d)")
_EVIDENCE_HEAD, _EVIDENCE_TAIL = 12000, 4000  # characters of a long text searched for evidence
_CITATION = re.compile(r"(《)|(?:人民)?政府")
_TITLE_YEAR = re.compile(r"\d{4}\s*年度?")
_SELF = re.compile(r"(?:我|本|全)(省|市|县|区|镇|乡|街道|街(?!区|头|巷|面|路|边))")
_SELF_LEVELS = {
    "省": "province", "市": "city", "县": "county", "区": "county",
    "镇": "township", "乡": "township", "街道": "township", "街": "township",  # 我街: 我街道
}  # fmt: skip
_HAS_COUNTIES = re.compile(r"各县")  # a city government has counties under it


def head_and_tail(context: str) -> str:
    """The part of a long text searched for evidence: its head and its tail."""
    if len(context) <= _EVIDENCE_HEAD + _EVIDENCE_TAIL:
        return context
    return context[:_EVIDENCE_HEAD] + "\n" + context[-_EVIDENCE_TAIL:]


def evidence_codes(context: str) -> set[str]:
    """Codes of the prefectures the text's postcodes and telephone area codes point to."""
    atlas = gazetteer()
    codes: set[str] = set()
    for match in _POSTCODE.finditer(context):
        codes.update(d.code for d in atlas.by_postcode(match.group(1)) if d.code)
    for match in _AREA_CODE.finditer(context):
        area = match.group(1) or match.group(2)
        codes.update(d.code for d in atlas.by_area_code(area) if d.code)
    return codes


def cited_divisions(level: str, context: str) -> set[str]:
    """Divisions at `level` the text cites as a government or as a rule's author: written
    before 人民政府/政府 ("平武县人民政府办公室") or opening a title in 《》 ("《福建省政府…》")."""
    atlas = gazetteer()
    longest, endings = atlas.longest_at(level), atlas.endings(level)
    found: set[str] = set()
    for match in _CITATION.finditer(context):
        if match.group(1):  # 《: the name opens the title, after a year if any
            start = match.end()
            start += len(year.group(0)) if (year := _TITLE_YEAR.match(context, start)) else 0
            spans = ((start, start + n) for n in range(longest, 1, -1))
        elif context[match.start() - 1 : match.start()] not in endings:
            continue
        else:  # 政府: the name ends right before it
            spans = ((match.start() - n, match.start()) for n in range(longest, 1, -1))
        for begin, end in spans:
            if begin >= 0 and level in atlas.levels(context[begin:end]):
                found.add(context[begin:end])
                break
    return found


def self_level(context: str) -> str | None:
    """The level of a report that names no issuer, from how it speaks of itself (我镇, 全市)."""
    counts: dict[str, int] = {}
    for match in _SELF.finditer(context):
        level = _SELF_LEVELS[match.group(1)]
        counts[level] = counts.get(level, 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    level = ranked[0][0]
    if level == "city" and not _HAS_COUNTIES.search(context):
        return None  # 全市 is also said by a county-level city
    return level
