"""China's administrative divisions by name: candidates with code, level and parents. Pure lookups.

The data is nianbao/data/divisions.tsv.gz (built by devtools/build_gazetteer.py from a packaged
source; its header names the source, version and vintage). It is parsed once, on first use.
Levels follow the record's: a 直辖市 is a province whose districts have no city above them, a
county-level city or district is a county, a 街道/镇/乡/苏木 is a township. Townships carry no
code in the source: a township's `code` is None and its `parent` is its county's (or, under a
prefecture with no counties such as 东莞市, its prefecture's) code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

LEVELS = ("province", "city", "county", "township")


@dataclass(frozen=True, slots=True, eq=False)  # identity: each division is one object
class Division:
    """One division: its name, level, code and the code of the division above it."""

    name: str
    level: str
    code: str | None
    parent: str | None
    shorts: tuple[str, ...] = ()
    former: bool = False  # the name is one the division had before a rename


class Gazetteer:
    """Name, short-name, code, area-code and postcode indexes over the divisions.

    Townships (some 40,000) are kept as name → parent codes and made into Division objects
    only when asked for, so that loading stays cheap.
    """

    def __init__(
        self,
        divisions: Iterable[Division],
        townships: dict[str, list[str]],
        phones: Iterable[tuple[str, str, str]],
    ):
        self._by_code: dict[str, Division] = {}
        self._by_name: dict[str, list[Division]] = defaultdict(list)
        self._by_short: dict[str, list[Division]] = defaultdict(list)
        self._longest_at: dict[str, int] = defaultdict(int)
        self._endings: dict[str, set[str]] = defaultdict(set)
        for division in divisions:
            if division.code and not division.former:
                self._by_code[division.code] = division
            self._by_name[division.name].append(division)
            for short in division.shorts:
                self._by_short[short].append(division)
            self._note_level(division.name, division.level)
        self._town_parents = townships
        self._towns: dict[str, list[Division]] = {}
        self._longest_at["township"] = max(map(len, townships), default=0)
        self._endings["township"] = {name[-1] for name in townships}
        self.longest = max(self._longest_at.values(), default=0)
        self._chains: dict[Division, tuple[Division, ...]] = {}
        self._above: dict[Division, dict[str, Division]] = {}
        self._provinces = [d for d in self._by_code.values() if d.level == "province"]
        self._by_area: dict[str, list[str]] = defaultdict(list)
        self._by_post: dict[str, list[str]] = defaultdict(list)
        for code, area, postcode in phones:
            self._by_area[area].append(code)
            self._by_post[postcode[:3]].append(code)

    def _note_level(self, name: str, level: str) -> None:
        """Keep the longest name and the name endings of each level."""
        self._longest_at[level] = max(self._longest_at[level], len(name))
        self._endings[level].add(name[-1])

    def _townships(self, name: str) -> list[Division]:
        """The townships called `name`, made on first request."""
        found = self._towns.get(name)
        if found is None:
            parents = self._town_parents.get(name, ())
            found = self._towns[name] = [Division(name, "township", None, p) for p in parents]
        return found

    def named(self, name: str) -> list[Division]:
        """Divisions whose full (or former) name is `name`."""
        found = self._by_name.get(name, [])
        return [*found, *self._townships(name)] if name in self._town_parents else list(found)

    def levels(self, name: str) -> set[str]:
        """The levels of the divisions whose full (or former) name is `name` (cheap)."""
        found = {d.level for d in self._by_name.get(name, ())}
        if name in self._town_parents:
            found.add("township")
        return found

    def longest_at(self, level: str) -> int:
        """The length of the longest name at `level`."""
        return self._longest_at[level]

    def endings(self, level: str) -> set[str]:
        """The characters names at `level` end with (省, 自治区's 区, 直辖市's 市 …)."""
        return self._endings[level]

    def shortened(self, short: str) -> list[Division]:
        """Provinces, prefectures and counties whose short name is `short` (安徽 → 安徽省)."""
        return list(self._by_short.get(short, ()))

    def provinces(self) -> list[Division]:
        """The provincial-level divisions."""
        return list(self._provinces)

    def get(self, code: str | None) -> Division | None:
        """The current division with this code."""
        return self._by_code.get(code) if code else None

    def ancestors(self, division: Division) -> tuple[Division, ...]:
        """The divisions above one, nearest first (worked out once per division)."""
        chain = self._chains.get(division)
        if chain is None:
            found: list[Division] = []
            node = self.get(division.parent)
            while node is not None and node not in found and node != division:
                found.append(node)
                node = self.get(node.parent)
            chain = self._chains[division] = tuple(found)
        return chain

    def above(self, division: Division, level: str) -> Division | None:
        """The division at `level` that contains this one (None for a 直辖市's city)."""
        by_level = self._above.get(division)
        if by_level is None:
            by_level = self._above[division] = {a.level: a for a in self.ancestors(division)}
        return by_level.get(level)

    def coded(self, division: Division) -> str | None:
        """The code of the most specific coded division: its own, or a township's county's."""
        return division.code or division.parent

    def by_area_code(self, area: str) -> list[Division]:
        """Prefectures (or municipalities) whose telephone area code is `area` (0431 → 长春市)."""
        return [d for code in self._by_area.get(area, ()) if (d := self.get(code))]

    def by_postcode(self, postcode: str) -> list[Division]:
        """Prefectures whose main postcode shares the postal zone (first 3 digits) of `postcode`."""
        return [d for code in self._by_post.get(postcode[:3], ()) if (d := self.get(code))]


def read(text: str) -> Gazetteer:
    """A gazetteer from the data file's text (rows described in its header)."""
    divisions: list[Division] = []
    townships: dict[str, list[str]] = {}
    phones: list[tuple[str, str, str]] = []
    levels: dict[str, str] = {}
    for line in text.splitlines():
        cells = line.split("\t")
        kind = cells[0]
        if kind == "D":
            _, code, parent, level, name, shorts = cells
            levels[code] = level
            divisions.append(
                Division(
                    name, level, code, parent or None, tuple(shorts.split("/")) if shorts else ()
                )
            )
        elif kind == "T":
            parent = cells[1]
            for name in cells[2].split("|"):
                townships.setdefault(name, []).append(parent)
        elif kind == "F":
            _, code, _, name = cells
            divisions.append(Division(name, levels.get(code, "county"), code, None, former=True))
        elif kind == "P":
            phones.append((cells[1], cells[2], cells[3]))
    by_code = {d.code: d for d in divisions if d.code and not d.former}
    divisions = [_with_parent(d, by_code) if d.former else d for d in divisions]
    return Gazetteer(divisions, townships, phones)


def _with_parent(former: Division, by_code: dict[str | None, Division]) -> Division:
    """A former name carries the current division's parent and level, so lookups can chain."""
    current = by_code.get(former.code)
    if current is None:
        return former
    return Division(former.name, current.level, former.code, current.parent, (), True)


@cache
def gazetteer() -> Gazetteer:
    """The packaged gazetteer, parsed on first use and kept."""
    from nianbao.data import divisions_text  # package data, read once

    return read(divisions_text())
