"""The places an agency name states, outermost first, identified in the gazetteer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.core.agency.shapes import FIELDS, PLACE_SHAPES, PROVINCE, ZONE, shape_level
from nianbao.core.gazetteer import Division, gazetteer

_BRACKETED = re.compile(r"[(（]([\u4e00-\u9fff]{2,12})[)）]")
_SEAT = "人民政府"
_GOVERNMENT_WORDS = ("人民政府", "政府", "管委会", "管理委员会", "办事处", "行政公署", "党委")


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
            level = common_level(inside)
            if level and (not chain or FIELDS.index(level) > FIELDS.index(chain[-1].level)):
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
            level = common_level(inside) if inside else shape_level(rest[:length])
            return Place(rest[:length], level, inside)
    if prefecture := _prefecture_short(rest, above):
        return prefecture
    for pattern in PLACE_SHAPES:
        if match := pattern.match(rest):
            token = match.group(1)
            after = rest[len(token) :]
            if "政府" in token or _ends_in_known(token):
                continue  # "现公布清远市": words before a place the gazetteer knows
            free = pattern is ZONE or pattern is PROVINCE  # never a common word
            if (
                free
                or not after
                or after.startswith(_GOVERNMENT_WORDS)
                or _next_known(after, above)
            ):
                return Place(token, shape_level(token), [])
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
    level = common_level(candidates)
    if candidates and level in ("province", "city"):
        return Place(name, level, candidates)
    return None


def _inside(candidates: list[Division], above: list[Place]) -> list[Division]:
    """The candidates inside every place stated before them ("北京市朝阳区"): none may be left
    when the name puts the place under one the gazetteer does not hold ("江滨市江北区")."""
    atlas = gazetteer()
    for place in above:
        if place.level not in FIELDS[:3]:
            continue
        codes = {c.code for c in place.candidates}
        candidates = [
            c
            for c in candidates
            if (outer := atlas.above(c, place.level)) is not None
            and (outer.code in codes if codes else outer.name == place.text)
        ]
    return candidates


def common_level(candidates: list[Division]) -> str | None:
    """The level all the candidates share, or None."""
    levels = {c.level for c in candidates}
    return levels.pop() if len(levels) == 1 else None
