"""The dedup decision for one incoming report against what is stored. Pure.

Measured on the calibration set (`nianbao bench --dedup`): chrome swaps, punctuation width,
traditional script and a report printed twice fold to the same exact key; edited copies keep a
MinHash similarity above 0.95; a corrected figure keeps similarity 1.0 but changes the tables;
next year's report of the same agency scores 0.93 and another agency's template-like report
0.97. So similarity alone never merges: identity (agency and year) decides what may merge, the
figures decide between a copy and a correction, and similarity decides the rest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from nianbao.core.agency import split_region
from nianbao.core.similarity import estimate
from schemas.report import AnnualReport

NEAR = 0.80  # MinHash similarity at or above which a same-identity text is the same report
VERSION = 0.50  # below NEAR but at or above this, same identity: a revised version

Decision = Literal["exact_duplicate", "near_duplicate", "new_version", "new"]


@dataclass(frozen=True)
class Identity:
    """What a report is *of*: agency and statistics year, plus the figures it states."""

    agency_key: str | None  # most specific region token + the rest: "洪泽区人民政府"
    regions: tuple[str | None, str | None, str | None, str | None]
    year: int | None
    figures: str  # digest of every table cell value: equal figures, equal digest


@dataclass(frozen=True)
class Candidate:
    """A stored version that may be the same report."""

    version_id: int
    report_id: int
    identity: Identity
    signature: Sequence[int]


@dataclass(frozen=True)
class Verdict:
    """What to do with the incoming report, and the evidence."""

    decision: Decision
    report_id: int | None = None
    version_id: int | None = None
    similarity: float | None = None
    method: str = "minhash"


def agency_key(name: str | None) -> str | None:
    """The agency without its parent regions: 淮安市洪泽区人民政府 and 洪泽区人民政府 agree."""
    if not name:
        return None
    first = name.split("、")[0]
    region, rest = split_region(first)
    tokens = [t for t in region.values() if t]
    key = (
        (tokens[-1] if tokens else "")
        + rest
        + ("、" + name.split("、", 1)[1] if "、" in name else "")
    )
    return key or None


def identity(record: AnnualReport) -> Identity:
    """The identity of a parsed record."""
    cells = sorted(
        (i.table, i.row_code or i.row, i.column_code or i.column or "", i.value is None,
         i.value or 0.0, i.row)
        for i in record.indicators
        if i.table != "narrative"
    )  # fmt: skip
    figures = hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()[:32]
    region = record.region
    return Identity(
        agency_key=agency_key(record.agency.name),
        regions=(region.province, region.city, region.county, region.township),
        year=record.year,
        figures=figures,
    )


def same_identity(a: Identity, b: Identity) -> bool:
    """Same agency and same year: never merge across either, however similar the texts."""
    if a.year is None or a.year != b.year or a.agency_key is None or a.agency_key != b.agency_key:
        return False
    # 南京市鼓楼区 and 福州市鼓楼区 share a key; a region both names state must agree
    return all(x is None or y is None or x == y for x, y in zip(a.regions, b.regions, strict=True))


def decide(
    incoming: Identity, signature: Sequence[int], candidates: Iterable[Candidate]
) -> Verdict:
    """Near duplicate, new version or new (exact duplicates are caught earlier, by key)."""
    best: tuple[float, Candidate] | None = None
    for candidate in candidates:
        if not same_identity(incoming, candidate.identity):
            continue
        similarity = estimate(signature, candidate.signature)
        if best is None or similarity > best[0]:
            best = (similarity, candidate)
    if best is None:
        return Verdict("new")
    similarity, match = best
    if similarity >= NEAR and match.identity.figures == incoming.figures:
        return Verdict("near_duplicate", match.report_id, match.version_id, similarity)
    if similarity >= VERSION:
        return Verdict("new_version", match.report_id, match.version_id, similarity)
    return Verdict("new", similarity=similarity)
