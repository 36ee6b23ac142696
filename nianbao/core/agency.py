"""Who issued a report: its name as the report gives it, aliases, level and region. Pure.

Region fields come only from the agency's own name (省/市/区县/乡镇 tokens): a parent region the
name does not state stays null rather than being looked up or guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CJK = r"[\u4e00-\u9fff]"
_NAME = (
    r"(?:(?![和与及])[\u4e00-\u9fff])"  # a place name never contains a conjunction ("住房和城乡")
)
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_PROVINCE = re.compile(rf"^({_CJK}{{2,7}}?(?:省|自治区|特别行政区))")
_CITY = re.compile(rf"^({_CJK}{{2,9}}?(?:市|自治州|地区|盟))")
# one-character names exist only for counties (泾县); "城市管理局" must not yield a county "城市"
_COUNTY = re.compile(rf"^({_NAME}{{2,9}}?(?:区|县|旗|市)|{_NAME}县)")
_TOWN = re.compile(rf"^({_NAME}{{1,7}}?(?:镇|乡|街道))")
_GOVERNMENT = re.compile(r"(?:人民政府|政府|管理委员会|管委会|行政公署)$")
_DEPARTMENT = re.compile(r"(?:局|厅|委员会|委|办公室|办公厅|办|中心|署|所|院|队|站|部|处|馆|会)$")
_NATIONAL = re.compile(r"^(?:国务院|国家|中华人民共和国|中国)")
_AGENCY_END = (
    r"(?:人民政府|政府|管理委员会|管委会|局|厅|委员会|委|办公室|办公厅|中心|署|院|部|馆|所|站|"
    r"队|处)"
)


@dataclass
class AgencyInfo:
    """The agency and the region its name states."""

    name: str | None = None
    aliases: list[str] = field(default_factory=list)
    level: str | None = None
    is_department: bool | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None


def split_region(name: str) -> tuple[dict[str, str | None], str]:
    """Region tokens at the start of an agency name, and what is left after them."""
    region: dict[str, str | None] = dict.fromkeys(("province", "city", "county", "township"))
    rest = name
    if rest.startswith(_MUNICIPALITIES):
        region["province"], rest = rest[:3], rest[3:]
    elif match := _PROVINCE.match(rest):
        region["province"], rest = match.group(1), rest[match.end() :]
    if region["province"] not in _MUNICIPALITIES and (match := _CITY.match(rest)):
        region["city"], rest = match.group(1), rest[match.end() :]
    if (match := _COUNTY.match(rest)) and len(rest) > match.end():
        region["county"], rest = match.group(1), rest[match.end() :]
    if (match := _TOWN.match(rest)) and len(rest) > match.end():
        region["township"], rest = match.group(1), rest[match.end() :]
    return region, rest


def describe(name: str | None, context: str = "") -> AgencyInfo:
    """Level, department flag and region of an agency name (the first of co-issuers).

    `context` is the report's text, evidence for a name the name alone leaves ambiguous.
    """
    if not name:
        return AgencyInfo()
    first = name.split("、")[0]  # co-issuers are listed with 、 ("和" occurs inside names)
    region, _ = split_region(first)
    if region["township"]:
        level = "township"
    elif region["county"]:
        level = "county"
    elif region["city"]:
        level = "city"
    elif region["province"]:
        level = "province"
    elif _NATIONAL.match(first):
        level = "national"
    else:
        level = None
    is_department = None
    if _GOVERNMENT.search(first):
        is_department = False
    elif _DEPARTMENT.search(first):
        is_department = True
    return AgencyInfo(name=name, level=level, is_department=is_department, **region)


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
    pattern = re.compile(re.escape(prefix) + rf"{_CJK}{{2,16}}?{re.escape(short[-1])}")
    for match in pattern.finditer(text):
        if is_abbreviation(short, match.group(0)):
            return match.group(0)
    return None
