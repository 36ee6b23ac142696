"""A figure read two ways: the table's identities choose between the reads, or neither is kept.

Each figure cell of a ruled table is read twice (`cells`); where the reads disagree the cell has
candidate values. Per group of ambiguous cells tied together by identities, every combination
of their candidates is tried: a combination fits when every identity it touches that can be
checked holds and each of its cells is in one that holds (in the 申请 table a column's, which
ties the row to its label, as `verify` asks). Exactly one fitting combination gives the cells
their values; none or several leave them unreadable: the first read stays in the grid (an
unreadable text would unsettle the table's columns) and an ``ocr.ambiguous`` warning names the
cells, which `verify.check_ocr` then treats as unread. A chosen value is one the identities
vouch for, so `verify.check_ocr` keeps it by its own rules; a value no identity vouches for is
never chosen.

The cells are placed in the tables by the core itself: the grids are analysed once with each
ambiguous cell holding a unique marker number, and the indicator carrying a marker is that
cell's (`place`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from itertools import product

from nianbao.convert.verify import AMBIGUOUS, Key, holds, identities
from nianbao.core.numbers import parse_cell
from schemas.report import AnnualReport

Slot = tuple[int, int, int]  # table number, row, column in the grids payload
Options = dict[Key, tuple[float | None, ...]]
MAX_CELLS = 6  # ambiguous cells resolved together at most
MAX_COMBINATIONS = 256
_MARKER = 7_770_001  # first marker number (a marker the document also holds places nothing)


def choose(
    values: dict[Key, float | None], options: Options, rows: set[str | None]
) -> dict[Key, float | None]:
    """Each ambiguous cell's value under the only combination of candidates that fits, or None.

    `values` are the table's figures (an ambiguous cell's entry is ignored), `options` each
    ambiguous cell's candidates, `rows` the 申请 table's row codes (which result rows it has).
    """
    checks = list(identities(rows))
    touching = {
        key: [i for i, (left, right, _) in enumerate(checks) if key in left or key in right]
        for key in options
    }
    chosen: dict[Key, float | None] = {}
    for group in _groups(options, touching):
        candidates = [options[key] for key in group]
        count = math.prod(len(c) for c in candidates)
        fitting = []
        if len(group) <= MAX_CELLS and count <= MAX_COMBINATIONS:
            indices = sorted({i for key in group for i in touching[key]})
            for combination in product(*candidates):
                trial = {**values, **dict(zip(group, combination, strict=True))}
                if _fits(trial, group, [checks[i] for i in indices]):
                    fitting.append(combination)
        picked = fitting[0] if len(fitting) == 1 else (None,) * len(group)
        chosen.update(zip(group, picked, strict=True))
    return chosen


def _groups(options: Options, touching: dict[Key, list[int]]) -> list[list[Key]]:
    """The ambiguous cells in groups that share an identity (directly or through another)."""
    groups: list[tuple[set[int], list[Key]]] = []
    for key in options:
        merged_ids, merged_keys = set(touching[key]), [key]
        for ids, keys in [g for g in groups if g[0] & merged_ids]:
            groups.remove((ids, keys))
            merged_ids |= ids
            merged_keys = [*keys, *merged_keys]
        groups.append((merged_ids, merged_keys))
    return [keys for _, keys in groups]


def _fits(
    values: dict[Key, float | None],
    group: list[Key],
    checks: list[tuple[list[Key], list[Key], bool]],
) -> bool:
    """Whether no checkable identity fails and every cell of the group is in one that holds."""
    vouched: set[Key] = set()
    for left, right, ties in checks:
        result = holds(values, left, right)
        if result is False:
            return False
        if result:
            vouched |= {key for key in (*left, *right) if ties or key[0] != "applications"}
    return all(key in vouched for key in group)


def resolve(
    text: str,
    tables: list[list[list[str]]],
    reads: dict[Slot, tuple[str, ...]],
    analyse: Callable[[bytes], AnnualReport],
) -> tuple[list[list[list[str]]], dict[Key, tuple[str, ...]]]:
    """The tables with each cell read two ways set to the read the identities choose, and the
    cells they choose none for (their first read stays; `verify` treats them as unreadable).

    `analyse` is the core on a grids payload.
    """
    if not reads:
        return tables, {}
    places = place(text, tables, list(reads), analyse)
    values, rows = _figures(analyse(_payload(text, tables)))
    keys = list(places.values())
    options: Options = {}
    for slot, key in places.items():
        parsed = [parse_cell(read) for read in reads[slot]]
        numbers = tuple(q.value for q in parsed if q is not None and q.value is not None)
        if keys.count(key) == 1 and numbers:  # one slot per cell, and a quantity to choose
            options[key] = numbers
    chosen = choose(values, options, rows) if options else {}
    out = [[list(row) for row in table] for table in tables]
    unresolved: dict[Key, tuple[str, ...]] = {}
    for slot, key in places.items():
        value = chosen.get(key)
        texts = reads[slot]
        pick = [t for t in texts if (q := parse_cell(t)) is not None and q.value == value]
        if value is None or not pick:
            unresolved[key] = texts
            continue
        table, row, column = slot
        out[table][row][column] = pick[0]
    return out, unresolved


def warning(unresolved: dict[Key, tuple[str, ...]]) -> tuple[str, str] | None:
    """The record's warning naming the cells left unresolved (`verify` reads it back)."""
    named = [
        f"{table}/{row}/{column} = {'|'.join(texts)}"
        for (table, row, column), texts in sorted(unresolved.items(), key=str)
        if row is not None and column is not None
    ]
    if not named:
        return None
    return (
        AMBIGUOUS,
        "OCR'd figures read two ways that the table's identities do not settle (no single "
        f"combination of the reads fits them), left unread: {'; '.join(named)}",
    )


def place(
    text: str,
    tables: list[list[list[str]]],
    slots: list[Slot],
    analyse: Callable[[bytes], AnnualReport],
) -> dict[Slot, Key]:
    """The table cell (table, row code, column code) each grid slot's figure becomes."""
    markers = {}
    marked = [[list(row) for row in table] for table in tables]
    for n, (table, row, column) in enumerate(slots):
        markers[float(_MARKER + n)] = (table, row, column)
        marked[table][row][column] = str(_MARKER + n)
    found: dict[float, list[Key]] = {}
    for indicator in analyse(_payload(text, marked)).indicators:
        if indicator.value in markers:
            found.setdefault(indicator.value, []).append(
                (indicator.table, indicator.row_code, indicator.column_code)
            )
    return {markers[value]: keys[0] for value, keys in found.items() if len(keys) == 1}


def _figures(record: AnnualReport) -> tuple[dict[Key, float | None], set[str | None]]:
    """The record's figures by cell, and the 申请 table's row codes."""
    values = {(i.table, i.row_code, i.column_code): i.value for i in record.indicators}
    rows = {i.row_code for i in record.indicators if i.table == "applications"}
    return values, rows


def _payload(text: str, tables: list[list[list[str]]]) -> bytes:
    return json.dumps({"text": text, "tables": tables}, ensure_ascii=False).encode("utf-8")
