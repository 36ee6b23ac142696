"""Digit runs whose cell separators were lost ("15130000154"), and rows whose blank cells
were lost ("规章 123" under three columns), read only where the table's identities leave one
reading.

A run is the text of one table row's values: pieces separated by spaces (a space is always a
cell boundary) that together must make `width` cells. Each piece is cut into parts with no
leading zeros ("0" alone is a part). A row that lost blank cells instead keeps each piece as
one cell, and every placement of the blanks is a reading. The readings of every row are then
filtered by the identities of the table (sums between cells, parts never above their whole),
and by figures the prose states when the identities leave a tie; a cell gets a value only when
every remaining reading agrees on it. The search is bounded: past its caps it gives up and the
cells stay unknown, so a hostile page cannot make it blow up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import combinations
from math import comb

from nianbao.core.numbers import parse_cell

_PIECE = re.compile(r"\d+(?:\.\d+)?")
_PART = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")
MAX_CANDIDATES = 4000  # readings of one row
MAX_NODES = 20_000  # steps of the search over all rows
MAX_TABLE_READINGS = 20_000  # readings of all the rows of one table
MAX_PIECE = 40  # longer digit runs are not table rows

Cell = tuple[Hashable, int]  # (row key, column index)
Reading = tuple[str, ...]


@dataclass(frozen=True)
class SumRule:
    """sum(left) == sum(right), or sum(left) <= sum(right) when `at_most` (a part and its
    whole), over cells named by (row key, column index)."""

    left: tuple[Cell, ...]
    right: tuple[Cell, ...]
    at_most: bool = False

    def cells(self) -> tuple[Cell, ...]:
        """Every cell the rule reads."""
        return (*self.left, *self.right)


def readings(pieces: Sequence[str], width: int, blanks: bool = False) -> list[Reading] | None:
    """Every way to cut the pieces into `width` cells; None if a piece is not a digit run or
    there are too many ways. With `blanks` each piece is one cell as written (one cell per
    line) and the missing cells were blank (a blank cell leaves nothing in flattened text):
    every placement of the blank cells ("") is a reading."""
    if blanks:
        return _with_blanks(pieces, width)
    if not pieces or any(not _PIECE.fullmatch(p) or len(p) > MAX_PIECE for p in pieces):
        return None
    if len(pieces) > width or sum(len(p) for p in pieces) < width:
        return [] if pieces else None
    digits = sum(len(p) for p in pieces)
    if comb(digits - len(pieces), width - len(pieces)) > MAX_CANDIDATES * 50:
        return None  # far too many ways: give up before trying them
    found: list[Reading] = []
    budget = [MAX_CANDIDATES * 4]
    ways, calls = _subtrees(tuple(pieces), width)

    def cut(index: int, left: int, acc: tuple[str, ...]) -> bool:
        """Extend acc with cuts of pieces[index:] into `left` cells; False when over budget."""
        budget[0] -= 1
        if budget[0] < 0 or len(found) > MAX_CANDIDATES:
            return False
        if index == len(pieces):
            if left == 0:
                found.append(acc)
            return True
        rest = len(pieces) - index - 1
        for parts in range(1, left - rest + 1):
            if not ways[index + 1][left - parts]:
                # every cut into this many parts leads where no reading ends: charge the budget
                # the steps walking them would take, and stop where the walk would have stopped
                steps = _count_splits(pieces[index], parts) * calls[index + 1][left - parts]
                if steps and (len(found) > MAX_CANDIDATES or budget[0] < steps):
                    return False
                budget[0] -= steps
                continue
            for split in _splits(pieces[index], parts):
                if not cut(index + 1, left - parts, acc + split):
                    return False
        return True

    if not cut(0, width, ()):
        return None
    return found


def is_number(text: str) -> bool:
    """Whether the text is a number as people write one (no leading zero: "0", "12", "3.5")."""
    return bool(_PART.fullmatch(text))


def _with_blanks(pieces: Sequence[str], width: int) -> list[Reading] | None:
    """Readings of the pieces, one cell each, as `width` cells the others of which were blank."""
    found: list[Reading] = []
    if not pieces or len(pieces) > width:
        return found
    for blank in combinations(range(width), width - len(pieces)):
        values = iter(pieces)
        found.append(tuple("" if i in blank else next(values) for i in range(width)))
        if len(found) > MAX_CANDIDATES:
            return None
    return found


def _subtrees(pieces: tuple[str, ...], width: int) -> tuple[list[list[int]], list[list[int]]]:
    """For the search in `readings`: ways[i][left], the readings of pieces[i:] as `left` cells,
    and calls[i][left], the steps (calls of cut) a full walk of them takes."""
    n = len(pieces)
    ways = [[0] * (width + 1) for _ in range(n + 1)]
    calls = [[1] * (width + 1) for _ in range(n + 1)]
    ways[n][0] = 1
    for i in range(n - 1, -1, -1):
        rest = n - i - 1
        for left in range(width + 1):
            for parts in range(1, left - rest + 1):
                count = _count_splits(pieces[i], parts)
                ways[i][left] += count * ways[i + 1][left - parts]
                calls[i][left] += count * calls[i + 1][left - parts]
    return ways, calls


@lru_cache(maxsize=4096)
def _count_splits(piece: str, parts: int) -> int:
    """How many cuts `_splits` yields, without making them."""
    if parts == 1:
        return 1 if _PART.fullmatch(piece) else 0
    return sum(
        _count_splits(piece[end:], parts - 1)
        for end in range(1, len(piece) - parts + 2)
        if _PART.fullmatch(piece[:end]) and piece[end] != "."
    )


def _splits(piece: str, parts: int) -> Iterable[tuple[str, ...]]:
    """The ways to cut one piece into `parts` valid numbers, in order."""
    if parts == 1:
        if _PART.fullmatch(piece):
            yield (piece,)
        return
    for end in range(1, len(piece) - parts + 2):
        head = piece[:end]
        if not _PART.fullmatch(head) or piece[end] == ".":
            continue
        for tail in _splits(piece[end:], parts - 1):
            yield (head, *tail)


@lru_cache(maxsize=4096)
def number(text: str) -> Decimal:
    """A cell's number for the sums: blank, "-" and "/" count as 0, as gbtables counts them."""
    if _PART.fullmatch(text):
        return Decimal(text)
    quantity = parse_cell(text)
    value = quantity.value if quantity is not None else None
    return Decimal(str(value)) if value is not None else Decimal(0)


@dataclass(frozen=True)
class Solution:
    """What the identities decide: the agreed text of each cell (None: undecided), and whether
    the search had to give up or found the identities unsatisfiable."""

    cells: dict[Cell, str | None]
    gave_up: bool = False
    inconsistent: bool = False


def solve(
    candidates: Mapping[Hashable, list[Reading]],
    rules: Sequence[SumRule],
    prefer: Callable[[Reading], int] | None = None,
) -> Solution:
    """The cells every reading of the table agrees on, under the sum rules.

    `candidates` maps each row to its readings (a row with one reading is fixed). Rules that
    read a row with no reading are dropped. Rules within one row filter that row first; rows
    tied by rules are then solved together, one connected group at a time. A group whose
    equalities hold for no combination (the table's sums are wrong as written) keeps only its
    part-and-whole inequalities, and is reported as inconsistent. `prefer` scores a row's
    reading (how many of its cells the prose states): of the combinations that satisfy the
    rules, only those with the best total score are kept.
    """
    score = prefer or _no_preference
    if sum(len(found) for found in candidates.values()) > MAX_TABLE_READINGS:
        return Solution({}, gave_up=True)
    rows = [key for key, found in candidates.items() if found]
    usable = [r for r in rules if all(candidates.get(cell[0]) for cell in r.cells())]
    own = _own_filtered(candidates, rows, usable)
    across = [r for r in usable if len({cell[0] for cell in r.cells()}) > 1]
    found: dict[Hashable, set[Reading]] = {}
    inconsistent = False
    for group in _groups(across):
        kept = _search(own, group, score)
        if kept is None:
            return Solution({}, gave_up=True)
        if not any(kept.values()):
            inconsistent = True
            kept = _search(own, [rule for rule in group if rule.at_most], score)
            if kept is None:
                return Solution({}, gave_up=True)
        found.update({key: options for key, options in kept.items() if options})
    for key in rows:
        if key not in found:  # a row on its own: its best-scored readings
            best = max(score(option) for option in own[key])
            found[key] = {option for option in own[key] if score(option) == best}
    cells: dict[Cell, str | None] = {}
    for key in rows:
        options = list(found[key])
        for column in range(len(options[0])):
            texts = {option[column] for option in options}
            cells[(key, column)] = texts.pop() if len(texts) == 1 else None
    return Solution(cells, inconsistent=inconsistent)


def _groups(rules: Sequence[SumRule]) -> list[list[SumRule]]:
    """The rules split into groups that share no row (union-find over the rows they read)."""
    parent: dict[Hashable, Hashable] = {}

    def root(key: Hashable) -> Hashable:
        """The representative of the key's group."""
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for rule in rules:
        keys = [cell[0] for cell in rule.cells()]
        for key in keys[1:]:
            parent[root(key)] = root(keys[0])
    groups: dict[Hashable, list[SumRule]] = {}
    for rule in rules:
        groups.setdefault(root(rule.cells()[0][0]), []).append(rule)
    return list(groups.values())


def _no_preference(reading: Reading) -> int:
    """Every reading scores the same."""
    return 0


def _own_filtered(
    candidates: Mapping[Hashable, list[Reading]], rows: list[Hashable], rules: Sequence[SumRule]
) -> dict[Hashable, list[Reading]]:
    """Each row's readings that satisfy the rules reading that row alone (all of them if none
    does: the row breaks its own identity, and nothing is decided by it)."""
    filtered: dict[Hashable, list[Reading]] = {}
    for key in rows:
        own = [r for r in rules if all(cell[0] == key for cell in r.cells())]
        kept = [c for c in candidates[key] if all(_holds(r, {key: c}) for r in own)]
        filtered[key] = kept or list(candidates[key])
    return filtered


def _holds(rule: SumRule, chosen: Mapping[Hashable, Reading]) -> bool:
    """Whether the rule holds for the chosen readings (all its rows must be chosen)."""
    left = sum((number(chosen[k][c]) for k, c in rule.left), Decimal(0))
    right = sum((number(chosen[k][c]) for k, c in rule.right), Decimal(0))
    return left <= right if rule.at_most else left == right


def _search(
    candidates: Mapping[Hashable, list[Reading]],
    rules: Sequence[SumRule],
    score: Callable[[Reading], int],
) -> dict[Hashable, set[Reading]] | None:
    """For each row the rules read, the readings that occur in some best-scored combination
    satisfying every rule (empty sets when none does); None when over the search budget."""
    rows = list(dict.fromkeys(cell[0] for rule in rules for cell in rule.cells()))
    order = sorted(rows, key=lambda key: len(candidates[key]))
    rank = {key: i for i, key in enumerate(order)}
    due: list[list[SumRule]] = [[] for _ in order]
    for rule in rules:
        due[max(rank[cell[0]] for cell in rule.cells())].append(rule)
    seen: dict[Hashable, set[Reading]] = {key: set() for key in order}
    chosen: dict[Hashable, Reading] = {}
    nodes = [0]
    best = [-1]

    def walk(depth: int) -> bool:
        """Try every reading at this depth; False when over budget."""
        if depth == len(order):
            total = sum(score(reading) for reading in chosen.values())
            if total > best[0]:
                best[0] = total
                for kept in seen.values():
                    kept.clear()
            if total == best[0]:
                for key, reading in chosen.items():
                    seen[key].add(reading)
            return True
        key = order[depth]
        for reading in candidates[key]:
            nodes[0] += 1
            if nodes[0] > MAX_NODES:
                return False
            chosen[key] = reading
            if all(_holds(rule, chosen) for rule in due[depth]) and not walk(depth + 1):
                return False
        chosen.pop(key, None)
        return True

    if not walk(0):
        return None
    return seen
