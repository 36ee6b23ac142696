"""Which prose figures are the canonical indicators that validation compares with the tables.

Row codes: active.total, requests.received, review.total, litigation.total, fees.collected.
Only the first statement of each is coded; review and litigation counts must sit in a sentence
about 信息公开 (the agency's own review and litigation work is another matter).
"""

from __future__ import annotations

import re

_NUMBER = (
    r"(?P<n>\d{1,12}(?:\.\d{1,4})?|[零〇一二两三四五六七八九十百千]{1,12})(?![\d.])"
    r"[余多]?万?[余多]?"
)
CANONICAL: list[tuple[str, re.Pattern[str]]] = [
    ("active.total",
     re.compile(r"主动公开(?:政府)?信息(?:共|总数为|总计|合计)?\s?" + _NUMBER + "条")),
    ("requests.received",
     re.compile(r"收到[^。，,；;\d]{0,14}?申请[^。，,；;\d]{0,4}?" + _NUMBER + "件")),
    ("review.total", re.compile(r"行政复议(?:的)?案件" + _NUMBER + "件")),
    ("litigation.total", re.compile(r"行政诉讼(?:的)?案件" + _NUMBER + "件")),
    ("fees.collected", re.compile(
         r"收取[^。，,；;\d]{0,14}?(?:信息处理费|处理费|费用)(?:共计|合计|共)?" + _NUMBER + "元"
     )),
]  # fmt: skip
_NEEDS_CONTEXT = {"review.total", "litigation.total"}
_SENTENCE_END = re.compile(r"[。；;\n]")


def canonical_positions(text: str) -> dict[int, str]:
    """Start of the number of each canonical figure's first statement -> its row code."""
    positions: dict[int, str] = {}
    for code, pattern in CANONICAL:
        for match in pattern.finditer(text):
            if code in _NEEDS_CONTEXT and "信息公开" not in _sentence(text, match.start()):
                continue
            positions[match.start("n")] = code
            break
    return positions


def _sentence(text: str, pos: int) -> str:
    """The sentence around pos."""
    left = max(text.rfind(mark, 0, pos) for mark in "。；;\n")
    end = _SENTENCE_END.search(text, pos)
    return text[left + 1 : end.start() if end else len(text)]
