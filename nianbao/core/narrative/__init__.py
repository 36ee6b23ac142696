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


def figures(text: str, *, traditional: bool = False) -> list[Indicator]:
    """The figures the prose states, in text order, one per (row, value).

    traditional: the page was in traditional script (the text is simplified), so the raw text
    of a figure is written back with 萬/餘 as on the page.
    """
    codes = canonical_positions(text)
    seen: set[tuple[str, float]] = set()
    found: list[Indicator] = []
    for figure in find_figures(text):
        if (figure.row, figure.value) in seen:
            continue
        seen.add((figure.row, figure.value))
        found.append(to_indicator(figure, codes.get(figure.start), traditional))
    return found
