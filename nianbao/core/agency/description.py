"""An agency name described: level, department flag, region and division code."""

from __future__ import annotations

import re

from nianbao.core.agency.context import cited_divisions, head_and_tail, self_level
from nianbao.core.agency.info import AgencyInfo
from nianbao.core.agency.locate import locate
from nianbao.core.agency.place_names import Place, places
from nianbao.core.gazetteer import gazetteer

_GOVERNMENT = re.compile(r"(?:人民政府|政府|管理委员会|管委会|行政公署)$")
_DEPARTMENT = re.compile(r"(?:局|厅|委员会|委|办公室|办公厅|办|中心|署|所|院|队|站|部|处|馆|会)$")
_NATIONAL = re.compile(r"^(?:国务院|国家|中华人民共和国|中国)")
_MINISTRY = re.compile(r"(?:部|总署|审计署)$")  # a ministry with no place before it is national
_OUTER_LEVELS = {"province", "city", "county"}
_LONGEST_NAME = 64
_BARE_LEVELS = {"省": "province", "市": "city", "县": "county", "区": "county",
                "镇": "township", "乡": "township"}  # fmt: skip
_NOT_BARE = ("市场", "区域", "县域", "乡村", "镇域")  # words, not a bare level: 市场监督管理局


def describe(name: str | None, context: str = "") -> AgencyInfo:
    """Level, department flag, region and division code of an agency name (first co-issuer).

    `context` is the report's text: evidence for parent regions and for a name the name alone
    leaves ambiguous. With no name, the level is read from how the text speaks of itself (我镇).
    Only the head and tail of a long text are searched (the issuer line, cited rules and the
    contact block are there, the tables in between): the cost stays bounded.
    """
    context = head_and_tail(context)
    if not name:
        return AgencyInfo(level=self_level(context))
    # co-issuers are listed with 、 ("和" occurs inside names); no agency name is longer
    first = name.split("、")[0][:_LONGEST_NAME]
    info = AgencyInfo(name=name, is_department=_department(first))
    stated, _ = places(first) if first else ([], "")
    if not stated:
        stated = _places_inside(first)
    if not stated and (level := _bare_level(first)):
        return _at_bare_level(info, level, context)
    if not stated:
        info.level = "national" if _NATIONAL.match(first) or _MINISTRY.search(first) else None
        return info
    locate(info, stated, context)
    return info


def _places_inside(name: str) -> list[Place]:
    """Places that start later in a name ("现公布清远市清新区人民政府", "国家税务总局北京市税务局"):
    only a province, prefecture or county name of three characters or more counts."""
    atlas = gazetteer()
    for start in range(1, len(name) - 2):
        for length in range(min(atlas.longest, len(name) - start), 2, -1):
            if atlas.levels(name[start : start + length]) & _OUTER_LEVELS:
                return places(name[start:])[0]
    return []


def _bare_level(name: str) -> str | None:
    """The level a name without a place gives by its first word ("县统计局", "省交通运输厅")."""
    level = _BARE_LEVELS.get(name[:1])
    if (
        level
        and not name.startswith(_NOT_BARE)
        and (_GOVERNMENT.search(name) or _DEPARTMENT.search(name))
    ):
        return level
    return None


def _at_bare_level(info: AgencyInfo, level: str, context: str) -> AgencyInfo:
    """A "县统计局" takes the one place at its level whose government the text cites."""
    info.level = level
    cited = cited_divisions(level, context)
    if len(cited) == 1:
        name = cited.pop()
        place = Place(name, level, [d for d in gazetteer().named(name) if d.level == level])
        locate(info, [place], context)
    return info


def _department(name: str) -> bool | None:
    """False for a government, True for a bureau or office, None when the name does not say."""
    if _GOVERNMENT.search(name):
        return False
    if _DEPARTMENT.search(name):
        return True
    return None
