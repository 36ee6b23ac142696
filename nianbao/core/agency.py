"""Who issued a report: its name as the report gives it, aliases, level and region. Pure.

Places are read from the agency's name and identified in the gazetteer (nianbao.core.gazetteer):
the most specific place the name states gives the level (a department inherits its government's)
and the division `code`. A parent region is filled only where the report's text names it (in the
agency's name, an address, a cited provincial rule, "中国永嘉"): the gazetteer says which names to
look for, never supplies a value the text does not write. A name several divisions share is
decided by the places, postcode and telephone area code the text gives; still ambiguous, its
parents stay null and a warning says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nianbao.core.gazetteer import Division, gazetteer

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
_MINISTRY = re.compile(r"(?:部|总署|审计署)$")  # a ministry with no place before it is national
_FIELDS = ("province", "city", "county", "township")
_OUTER_LEVELS = {"province", "city", "county"}
_LONGEST_NAME = 64
_ZONE = re.compile(rf"^({_NAME}{{2,8}}?(?:综合实验区|综合试验区|(?<!高)新区))")  # 高新区: no
_BRACKETED = re.compile(r"[(（]([\u4e00-\u9fff]{2,12})[)）]")
_PLACE_SHAPES = (_ZONE, _PROVINCE, _CITY, _COUNTY, _TOWN)
_ENDINGS = (  # checked in order: 自治区 and 地区 end in 区 too
    ("township", ("镇", "乡", "街道", "苏木")),
    ("province", ("省", "自治区", "特别行政区")),
    ("city", ("自治州", "地区", "盟")),
    ("county", ("县", "区", "旗")),
    ("city", ("市",)),
)
_SEAT = "人民政府"
_GOVERNMENT_WORDS = ("人民政府", "政府", "管委会", "管理委员会", "办事处", "行政公署", "党委")
_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})(?!\d)")
_AREA_CODE = re.compile(r"(?<![\d-])(?:[(（](0\d{2,3})[)）]|(0\d{2,3})\s*[-—－–‐])\s*\d{7,8}(?!\d)")
_EVIDENCE_HEAD, _EVIDENCE_TAIL = 12000, 4000  # characters of a long text searched for evidence
_FEW = 8  # namesakes few enough to tell apart by short names (永嘉 for 永嘉县)
_CITATION = re.compile(r"(《)|(?:人民)?政府")
_TITLE_YEAR = re.compile(r"\d{4}\s*年度?")
_BARE_LEVELS = {"省": "province", "市": "city", "县": "county", "区": "county",
                "镇": "township", "乡": "township"}  # fmt: skip
_NOT_BARE = ("市场", "区域", "县域", "乡村", "镇域")  # words, not a bare level: 市场监督管理局
_SELF = re.compile(r"(?:我|本|全)(省|市|县|区|镇|乡|街道)")
_SELF_LEVELS = {
    "省": "province", "市": "city", "县": "county", "区": "county",
    "镇": "township", "乡": "township", "街道": "township",
}  # fmt: skip
_HAS_COUNTIES = re.compile(r"各县")  # a city government has counties under it
_AGENCY_END = (
    r"(?:人民政府|政府|管理委员会|管委会|局|厅|委员会|委|办公室|办公厅|中心|署|院|部|馆|所|站|"
    r"队|处)"
)


@dataclass
class AgencyInfo:
    """The agency, its level and the region the report names for it."""

    name: str | None = None
    aliases: list[str] = field(default_factory=list)
    level: str | None = None
    is_department: bool | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    code: str | None = None  # GB/T 2260 code of the most specific identified division
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (rule, message)


def split_region(name: str) -> tuple[dict[str, str | None], str]:
    """Region tokens at the start of an agency name, by their shape only (no gazetteer), and what
    is left after them: the quick reading the issuer finder, dedup and sites hints use."""
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


@dataclass
class Place:
    """A place an agency name states: as written, its level, the divisions it may be."""

    text: str
    level: str | None
    candidates: list[Division]


def places(name: str) -> tuple[list[Place], str]:
    """The places at the start of an agency name, outermost first, and the rest of the name."""
    if not _next_known(name, []) and (chain := _short_chain(name)):
        return chain, name[sum(len(p.text) for p in chain) :]
    found: list[Place] = []
    rest = name
    while rest:
        skip = 0
        if found and rest.startswith(_SEAT):
            # "安吉县人民政府递铺街道办事处": a township office under its county's government
            place = _next_place(rest[len(_SEAT) :], found)
            if place is None or place.level != "township":
                break
            skip = len(_SEAT)
        else:
            place = _next_place(rest, found)
        if place is None:
            break
        found.append(place)
        rest = rest[skip + len(place.text) :]
    if not found and (bare := _bare_short(name)):
        return [bare], ""
    if not found and (bracketed := _bracketed_place(name)):
        return [bracketed], ""
    return found, rest


def _short_chain(name: str) -> list[Place]:
    """Short names that nest ("广东从化经济开发区": 广东 → 广东省, 从化 → 从化区), two at least."""
    atlas = gazetteer()
    chain: list[Place] = []
    rest = name
    while rest:
        place = None
        for length in range(min(4, len(rest) - 1), 1, -1):
            inside = _inside(atlas.shortened(rest[:length]), chain)
            level = _common_level(inside)
            if level and (not chain or _FIELDS.index(level) > _FIELDS.index(chain[-1].level)):
                place = Place(rest[:length], level, inside)
                break
        if place is None:
            break
        chain.append(place)
        rest = rest[len(place.text) :]
    return chain if len(chain) >= 2 else []


def _bracketed_place(name: str) -> Place | None:
    """A division named in brackets ("乌鲁木齐国家高新区(新市区)"): the body is that district's."""
    for match in _BRACKETED.finditer(name):
        found, rest = places(match.group(1))
        if found and not rest and found[-1].candidates:
            return found[-1]
    return None


def _next_place(rest: str, above: list[Place]) -> Place | None:
    """The place `rest` starts with: the longest division name, else a place-shaped word."""
    atlas = gazetteer()
    for length in range(min(atlas.longest, len(rest)), 1, -1):
        if candidates := atlas.named(rest[:length]):
            inside = _inside(candidates, above)
            level = _common_level(inside) if inside else _shape_level(rest[:length])
            return Place(rest[:length], level, inside)
    if prefecture := _prefecture_short(rest, above):
        return prefecture
    for pattern in _PLACE_SHAPES:
        if match := pattern.match(rest):
            token = match.group(1)
            after = rest[len(token) :]
            if "政府" in token or _ends_in_known(token):
                continue  # "现公布清远市": words before a place the gazetteer knows
            free = pattern is _ZONE or pattern is _PROVINCE  # never a common word
            if (
                free
                or not after
                or after.startswith(_GOVERNMENT_WORDS)
                or _next_known(after, above)
            ):
                return Place(token, _shape_level(token), [])
    return None


def _prefecture_short(rest: str, above: list[Place]) -> Place | None:
    """An autonomous prefecture by its short name and 州 (阿坝州 for 阿坝藏族羌族自治州)."""
    atlas = gazetteer()
    for length in range(min(5, len(rest) - 1), 1, -1):
        if rest[length] != "州":
            continue
        found = [d for d in atlas.shortened(rest[:length]) if d.name.endswith("自治州")]
        if inside := _inside(found, above):
            return Place(rest[: length + 1], "city", inside)
    return None


def _ends_in_known(token: str) -> bool:
    """True when a place-shaped word ends with a longer known name (3 characters or more)."""
    atlas = gazetteer()
    return any(atlas.levels(token[start:]) for start in range(1, len(token) - 2))


def _next_known(rest: str, above: list[Place]) -> bool:
    """True when `rest` starts with a division the gazetteer knows."""
    atlas = gazetteer()
    return any(atlas.named(rest[:n]) for n in range(min(atlas.longest, len(rest)), 1, -1))


def _bare_short(name: str) -> Place | None:
    """A name that is only a province's or prefecture's short name (安徽)."""
    candidates = gazetteer().shortened(name)
    level = _common_level(candidates)
    if candidates and level in ("province", "city"):
        return Place(name, level, candidates)
    return None


def _inside(candidates: list[Division], above: list[Place]) -> list[Division]:
    """The candidates inside every place stated before them ("北京市朝阳区"): none may be left
    when the name puts the place under one the gazetteer does not hold ("江滨市江北区")."""
    atlas = gazetteer()
    for place in above:
        if place.level not in _FIELDS[:3]:
            continue
        codes = {c.code for c in place.candidates}
        candidates = [
            c
            for c in candidates
            if (outer := atlas.above(c, place.level)) is not None
            and (outer.code in codes if codes else outer.name == place.text)
        ]
    return candidates


def _common_level(candidates: list[Division]) -> str | None:
    """The level all the candidates share, or None."""
    levels = {c.level for c in candidates}
    return levels.pop() if len(levels) == 1 else None


def _shape_level(token: str) -> str | None:
    """The level a place word's ending gives. A 综合实验区 is prefecture-level (平潭); a 新区 the
    gazetteer does not hold (西咸新区) is neither a city nor a county: no level of its own."""
    if _ZONE.match(token):
        return None if token.endswith("新区") else "city"
    return next((level for level, ends in _ENDINGS if token.endswith(ends)), None)


def describe(name: str | None, context: str = "") -> AgencyInfo:
    """Level, department flag, region and division code of an agency name (first co-issuer).

    `context` is the report's text: evidence for parent regions and for a name the name alone
    leaves ambiguous. With no name, the level is read from how the text speaks of itself (我镇).
    Only the head and tail of a long text are searched (the issuer line, cited rules and the
    contact block are there, the tables in between): the cost stays bounded.
    """
    context = _head_and_tail(context)
    if not name:
        return AgencyInfo(level=_self_level(context))
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
    _locate(info, stated, context)
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
    cited = _cited(level, context)
    if len(cited) == 1:
        name = cited.pop()
        place = Place(name, level, [d for d in gazetteer().named(name) if d.level == level])
        _locate(info, [place], context)
    return info


def _department(name: str) -> bool | None:
    """False for a government, True for a bureau or office, None when the name does not say."""
    if _GOVERNMENT.search(name):
        return False
    if _DEPARTMENT.search(name):
        return True
    return None


def _locate(info: AgencyInfo, stated: list[Place], context: str) -> None:
    """Fill level, code, region fields and warnings from the places the name states."""
    atlas = gazetteer()
    for place in stated:
        if place.level in _FIELDS and getattr(info, place.level) is None:
            setattr(info, place.level, _written(place))
    place = stated[-1]
    candidates = _narrow(place, context) if len(place.candidates) > 1 else place.candidates
    info.level = _common_level(candidates) or place.level
    if len(candidates) == 1:
        info.code = atlas.coded(candidates[0])
    elif len(candidates) > 1:
        info.warnings.append(_ambiguous(place, candidates))
    if not candidates:
        _province_from_rules(info, context)
        return
    own = {p.text for p in stated}
    for level in _FIELDS[: _FIELDS.index(info.level)] if info.level in _FIELDS else ():
        above = None if getattr(info, level) else _shared_ancestor(candidates, level)
        if above is not None and _mentioned(above, context, own):
            setattr(info, level, above.name)


def _written(place: Place) -> str:
    """A stated place as the record gives it: as written (阿坝州), a bare short name in full."""
    if place.candidates and all(place.text in c.shorts for c in place.candidates):
        return place.candidates[0].name  # 安徽 → 安徽省
    return place.text


def _shared_ancestor(candidates: list[Division], level: str) -> Division | None:
    """The division at `level` above every candidate, when they all share one."""
    atlas = gazetteer()
    found = {next((a for a in atlas.ancestors(c) if a.level == level), None) for c in candidates}
    return found.pop() if len(found) == 1 else None


def _mentioned(division: Division, context: str, own: set[str], shorts: bool = True) -> bool:
    """True when the text names the division, in full or by a short name not inside our own."""
    if division.name in context:
        return True
    return shorts and any(
        short in context and not any(short in word for word in own) for short in division.shorts
    )


def _narrow(place: Place, context: str) -> list[Division]:
    """The candidates the text's evidence leaves: places it names, then postcode and area code.

    Short names count only among a few namesakes (many namesakes' short names are noise).
    """
    atlas = gazetteer()
    candidates = place.candidates
    own = {place.text}
    for level in _FIELDS[:3]:
        groups: dict[Division | None, list[Division]] = {}
        for candidate in candidates:
            groups.setdefault(atlas.above(candidate, level), []).append(candidate)
        shorts = len(groups) <= _FEW
        named = [d for d in groups if d is not None and _mentioned(d, context, own, shorts)]
        if 0 < len(named) < len(groups):
            candidates = [c for d in named for c in groups[d]]
        if len(candidates) == 1:
            return candidates
    zones = _evidence_codes(context)
    kept = [c for c in candidates if any(a.code in zones for a in (c, *atlas.ancestors(c)))]
    return kept or candidates


def _head_and_tail(context: str) -> str:
    """The part of a long text searched for evidence: its head and its tail."""
    if len(context) <= _EVIDENCE_HEAD + _EVIDENCE_TAIL:
        return context
    return context[:_EVIDENCE_HEAD] + "\n" + context[-_EVIDENCE_TAIL:]


def _evidence_codes(context: str) -> set[str]:
    """Codes of the prefectures the text's postcodes and telephone area codes point to."""
    atlas = gazetteer()
    codes: set[str] = set()
    for match in _POSTCODE.finditer(context):
        codes.update(d.code for d in atlas.by_postcode(match.group(1)) if d.code)
    for match in _AREA_CODE.finditer(context):
        area = match.group(1) or match.group(2)
        codes.update(d.code for d in atlas.by_area_code(area) if d.code)
    return codes


def _ambiguous(place: Place, candidates: list[Division]) -> tuple[str, str]:
    """The warning for a place the text does not tell apart from its namesakes."""
    atlas = gazetteer()
    where = sorted(
        "".join(a.name for a in reversed([*atlas.ancestors(c)])) or c.name for c in candidates
    )
    shown = "、".join(where[:5]) + ("…" if len(where) > 5 else "")
    return (
        "region.ambiguous",
        f"{place.text} names {len(candidates)} divisions (in {shown}) and the text does not "
        "say which: its parent regions are left null",
    )


def _province_from_rules(info: AgencyInfo, context: str) -> None:
    """A place the gazetteer does not hold takes the one province whose rules the text cites."""
    if info.province is None and len(cited := _cited("province", context)) == 1:
        info.province = cited.pop()


def _cited(level: str, context: str) -> set[str]:
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


def _self_level(context: str) -> str | None:
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
