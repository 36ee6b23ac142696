"""Region fields and division code from the places a name states, namesakes told apart by the
text's evidence; a parent region is filled only where the text names it.
"""

from __future__ import annotations

from nianbao.core.agency.context import cited_divisions, evidence_codes
from nianbao.core.agency.info import AgencyInfo
from nianbao.core.agency.place_names import Place, common_level
from nianbao.core.agency.shapes import FIELDS
from nianbao.core.gazetteer import Division, gazetteer

_FEW = 8  # namesakes few enough to tell apart by short names (永嘉 for 永嘉县)


def locate(info: AgencyInfo, stated: list[Place], context: str) -> None:
    """Fill level, code, region fields and warnings from the places the name states."""
    atlas = gazetteer()
    for place in stated:
        if place.level in FIELDS and getattr(info, place.level) is None:
            setattr(info, place.level, _written(place))
    place = stated[-1]
    candidates = _narrow(place, context) if len(place.candidates) > 1 else place.candidates
    info.level = common_level(candidates) or place.level
    if len(candidates) == 1:
        info.code = atlas.coded(candidates[0])
    elif len(candidates) > 1:
        info.warnings.append(_ambiguous(place, candidates))
    if not candidates:
        _province_from_rules(info, context)
        return
    own = {p.text for p in stated}
    for level in FIELDS[: FIELDS.index(info.level)] if info.level in FIELDS else ():
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
    for level in FIELDS[:3]:
        groups: dict[Division | None, list[Division]] = {}
        for candidate in candidates:
            groups.setdefault(atlas.above(candidate, level), []).append(candidate)
        shorts = len(groups) <= _FEW
        named = [d for d in groups if d is not None and _mentioned(d, context, own, shorts)]
        if 0 < len(named) < len(groups):
            candidates = [c for d in named for c in groups[d]]
        if len(candidates) == 1:
            return candidates
    zones = evidence_codes(context)
    kept = [c for c in candidates if any(a.code in zones for a in (c, *atlas.ancestors(c)))]
    return kept or candidates


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
    if info.province is None and len(cited := cited_divisions("province", context)) == 1:
        info.province = cited.pop()
