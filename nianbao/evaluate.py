"""Compare parser output with hand-labelled records: per-field accuracy, indicator P/R.

Labels are JSON files of the same shape as `nianbao parse --json` output (the AnnualReport
keys; `source` is ignored). An indicator counts as found when one with the same table, row,
row_code, column, column_code, unit, value, raw and semantics is in the output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

FIELDS = [
    "is_report", "reason", "title", "agency.name", "agency.aliases", "agency.level",
    "agency.is_department", "region.province", "region.city", "region.county",
    "region.township", "year", "format", "published_on", "signed_on", "period.start",
    "period.end", "contact.address", "contact.postcode", "contact.phones", "contact.fax",
    "contact.email", "sections", "warnings",
]  # fmt: skip
_INDICATOR_KEYS = (
    "table",
    "row",
    "row_code",
    "column",
    "column_code",
    "unit",
    "value",
    "raw",
    "semantics",
)


def _get(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if path == "warnings":
        return sorted(w["rule"] for w in value or [])
    return value


def _indicator_key(indicator: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(indicator.get(k) for k in _INDICATOR_KEYS)


@dataclass
class Score:
    """Accumulated comparison of many (label, output) pairs."""

    documents: int = 0
    field_hits: Counter[str] = field(default_factory=Counter)
    true_positive: int = 0
    labelled: int = 0
    produced: int = 0
    mismatches: list[tuple[str, str, Any, Any]] = field(default_factory=list)

    def add(self, name: str, label: dict[str, Any], output: dict[str, Any]) -> None:
        """Compare one output record with its label."""
        self.documents += 1
        for path in FIELDS:
            expected, got = _get(label, path), _get(output, path)
            if expected == got:
                self.field_hits[path] += 1
            else:
                self.mismatches.append((name, path, expected, got))
        wanted = Counter(_indicator_key(i) for i in label.get("indicators", []))
        found = Counter(_indicator_key(i) for i in output.get("indicators", []))
        self.true_positive += sum((wanted & found).values())
        self.labelled += sum(wanted.values())
        self.produced += sum(found.values())
        for key in (wanted - found).elements():
            self.mismatches.append(
                (name, "indicator missing", dict(zip(_INDICATOR_KEYS, key, strict=True)), None)
            )
        for key in (found - wanted).elements():
            self.mismatches.append(
                (name, "indicator extra", None, dict(zip(_INDICATOR_KEYS, key, strict=True)))
            )

    def accuracy(self, path: str) -> float:
        """Share of documents whose field equals the label."""
        return self.field_hits[path] / self.documents if self.documents else 0.0

    @property
    def precision(self) -> float:
        """Share of produced indicators that are labelled."""
        return self.true_positive / self.produced if self.produced else 1.0

    @property
    def recall(self) -> float:
        """Share of labelled indicators that were produced."""
        return self.true_positive / self.labelled if self.labelled else 1.0

    @property
    def exact(self) -> bool:
        """True when every field and every indicator matched."""
        return not self.mismatches


def score(pairs: Iterable[tuple[str, dict[str, Any], dict[str, Any]]]) -> Score:
    """Score (name, label, output) triples."""
    result = Score()
    for name, label, output in pairs:
        result.add(name, label, output)
    return result
