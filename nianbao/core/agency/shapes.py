"""Place names by their shape alone (no gazetteer): 省, 市, 区/县, 镇 endings and the region
tokens at the start of an agency name.
"""

from __future__ import annotations

import re

CJK = r"[\u4e00-\u9fff]"
_NAME = (
    r"(?:(?![和与及])[\u4e00-\u9fff])"  # a place name never contains a conjunction ("住房和城乡")
)
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
PROVINCE = re.compile(rf"^({CJK}{{2,7}}?(?:省|自治区|特别行政区))")
_CITY = re.compile(rf"^({CJK}{{2,9}}?(?:市|自治州|地区|盟))")
# one-character names exist only for counties (泾县); "城市管理局" must not yield a county "城市"
_COUNTY = re.compile(rf"^({_NAME}{{2,9}}?(?:区|县|旗|市)|{_NAME}县)")
_TOWN = re.compile(rf"^({_NAME}{{1,7}}?(?:镇|乡|街道))")
FIELDS = ("province", "city", "county", "township")
ZONE = re.compile(rf"^({_NAME}{{2,8}}?(?:综合实验区|综合试验区|(?<!高)新区))")  # 高新区: no
PLACE_SHAPES = (ZONE, PROVINCE, _CITY, _COUNTY, _TOWN)
_ENDINGS = (  # checked in order: 自治区 and 地区 end in 区 too
    ("township", ("镇", "乡", "街道", "苏木")),
    ("province", ("省", "自治区", "特别行政区")),
    ("city", ("自治州", "地区", "盟")),
    ("county", ("县", "区", "旗")),
    ("city", ("市",)),
)


def split_region(name: str) -> tuple[dict[str, str | None], str]:
    """Region tokens at the start of an agency name, by their shape only (no gazetteer), and what
    is left after them: the quick reading the issuer finder, dedup and sites hints use."""
    region: dict[str, str | None] = dict.fromkeys(("province", "city", "county", "township"))
    rest = name
    if rest.startswith(_MUNICIPALITIES):
        region["province"], rest = rest[:3], rest[3:]
    elif match := PROVINCE.match(rest):
        region["province"], rest = match.group(1), rest[match.end() :]
    if region["province"] not in _MUNICIPALITIES and (match := _CITY.match(rest)):
        region["city"], rest = match.group(1), rest[match.end() :]
    if (match := _COUNTY.match(rest)) and len(rest) > match.end():
        region["county"], rest = match.group(1), rest[match.end() :]
    if (match := _TOWN.match(rest)) and len(rest) > match.end():
        region["township"], rest = match.group(1), rest[match.end() :]
    return region, rest


def shape_level(token: str) -> str | None:
    """The level a place word's ending gives. A 综合实验区 is prefecture-level (平潭); a 新区 the
    gazetteer does not hold (西咸新区) is neither a city nor a county: no level of its own."""
    if ZONE.match(token):
        return None if token.endswith("新区") else "city"
    return next((level for level, ends in _ENDINGS if token.endswith(ends)), None)
