"""Agency name forms: a compiling office stripped, abbreviations recognised and expanded."""

from __future__ import annotations

import re

from nianbao.core.agency.shapes import CJK, split_region

_AGENCY_END = (
    r"(?:人民政府|政府|管理委员会|管委会|局|厅|委员会|委|办公室|办公厅|中心|署|院|部|馆|所|站|"
    r"队|处)"
)


def strip_compiler_office(name: str) -> str:
    """ "XX局办公室编制" names the office that compiled the report of XX局: the agency is XX局."""
    match = re.match(rf"^(.*{_AGENCY_END})办公室$", name)
    return match.group(1) if match else name


def is_abbreviation(short: str, full: str) -> bool:
    """True when short is an abbreviation of full: same region prefix, its characters in order."""
    if short == full or len(short) >= len(full) or short[-1] != full[-1]:
        return False
    region, rest = split_region(short)
    prefix = "".join(part for part in region.values() if part)
    if not full.startswith(prefix):
        return False
    remaining = iter(full[len(prefix) :])
    return all(ch in remaining for ch in rest)


def expand(short: str, text: str) -> str | None:
    """The full name a short agency name abbreviates, when the text spells it out."""
    region, rest = split_region(short)
    prefix = "".join(part for part in region.values() if part)
    if not prefix or not rest:
        return None
    pattern = re.compile(re.escape(prefix) + rf"{CJK}{{2,16}}?{re.escape(short[-1])}")
    for match in pattern.finditer(text):
        if is_abbreviation(short, match.group(0)):
            return match.group(0)
    return None
