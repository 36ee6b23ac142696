"""What the prose of a report states: statistics period, contact block, explicit figures. Pure.

One module per job: period (统计期限), contact (地址/邮编/电话/邮箱), figures (every counted
figure with the words that name it), canonical (which of them validation compares with tables).
"""

from __future__ import annotations

from nianbao.core.narrative.canonical import canonical_positions
from nianbao.core.narrative.contact import ContactInfo, contact
from nianbao.core.narrative.figures import find_figures, to_indicator
from nianbao.core.narrative.period import statistics_period
from schemas.report import Indicator

__all__ = ["ContactInfo", "contact", "figures", "statistics_period"]


def figures(text: str) -> list[Indicator]:
    """The figures the prose states, in text order, one per (row, value)."""
    codes = canonical_positions(text)
    seen: set[tuple[str, float]] = set()
    found: list[Indicator] = []
    for figure in find_figures(text):
        if (figure.row, figure.value) in seen:
            continue
        seen.add((figure.row, figure.value))
        # an approximate figure (2000余条) is not compared with the exact table cell
        code = None if figure.approximate else codes.get(figure.start)
        found.append(to_indicator(figure, code))
    return found
