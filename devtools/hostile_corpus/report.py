"""The accounting table of a run: inputs, records, rejections by reason, failures, time, memory."""

from __future__ import annotations

# ruff: noqa: E501  (the table's rows read best one to a line)
from collections import Counter

from .check import Result


def accounting(results: list[Result]) -> str:
    """The accounting table: inputs, records, rejections by reason, failures, time and memory."""
    outcomes = Counter(result.outcome for result in results)
    reasons = Counter(result.reason for result in results if result.outcome == "rejected")
    families = Counter(result.family for result in results)
    slowest = max(results, key=lambda r: r.seconds, default=None)
    biggest = max(results, key=lambda r: r.peak_rss, default=None)
    lines = [
        f"inputs                 {len(results)}  ({len(families)} families)",
        f"records                {outcomes['record']}  "
        f"(reports {sum(1 for r in results if r.is_report)}, "
        f"not reports {sum(1 for r in results if r.is_report is False)})",
        f"quarantined            {outcomes['rejected']}",
    ]
    lines += [f"  {reason:<21}{count}" for reason, count in sorted(reasons.items())]
    lines += [
        f"crashes (traceback)    {outcomes['crash']}",
        f"hangs (over the bound) {outcomes['hang']}",
        f"over memory cap        {outcomes['over_memory']}",
        f"parser died            {outcomes['died']}",
        f"unaccounted / missing  {outcomes['unaccounted'] + outcomes['missing']}",
        f"unexpected outcome     {sum(1 for r in results if r.failed and r.outcome in {'record', 'rejected'} and not r.leaked)}",
        f"/etc/passwd leaked     {sum(1 for r in results if r.leaked)}",
    ]
    if slowest is not None and biggest is not None:
        lines.append(f"slowest                {slowest.seconds:.2f} s  {slowest.name}")
        lines.append(f"largest peak RSS       {biggest.peak_rss / 1e6:.0f} MB  {biggest.name}")
    failures = [r for r in results if r.failed]
    for result in failures:
        lines.append(
            f"FAILED {result.name}: {result.outcome} {result.reason or ''} (expected {result.expect}) "
            f"{result.detail[-800:]}"
        )
    return "\n".join(lines)
