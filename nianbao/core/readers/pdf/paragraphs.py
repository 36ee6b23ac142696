"""Paragraphs re-joined from wrapped lines: not after a sentence end, a heading or a table row."""

from __future__ import annotations

import re

from nianbao.core.readers.common import tight
from nianbao.core.readers.pdf.model import Line, PageContent

_SENTENCE_END = tuple("。;!?:；！？：")
HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*[、.]"
    r"|[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]"
    r"|\d{1,2}\s*[、.．](?!\d)"
    r"|[(（]\d{1,2}[)）]"
    r"|第[一二三四五六七八九十百\d]+[章节条部分]"
    r"|[①-⑳]|附件|附表)"
)
_NUM = r"[-+]?\d[\d,]*(?:\.\d+)?%?"
_TABLE_ROW = re.compile(rf"(?:^|\s){_NUM}(?:\s+{_NUM}){{2,}}$|^{_NUM}(?:\s+{_NUM})*$")


def paragraphs(pages: list[PageContent]) -> list[str]:
    """The text lines of all pages, wrapped lines re-joined into paragraphs."""
    # A line goes on in the next one when it does not end a sentence, runs to the right margin,
    # and the next line is not indented, not a heading and neither is a table row. A table in
    # between ends the paragraph.
    lines = [line for page in pages for line in page.lines]
    if not lines:
        return []
    left, right = _margins(lines)
    out: list[str] = []
    previous: Line | None = None
    for page in pages:
        items: list[tuple[float, Line | None]] = [(line.top, line) for line in page.lines]
        items += [(p.bbox[1], None) for t in page.tables for p in t.parts if p.page == page.number]
        for _, line in sorted(items, key=lambda item: item[0]):
            if line is None:
                previous = None
            elif previous is not None and _goes_on(previous, line, left, right):
                out[-1] += line.text if tight(out[-1][-1], line.text[0]) else " " + line.text
                previous = line
            else:
                out.append(line.text)
                previous = line
    return out


def _margins(lines: list[Line]) -> tuple[float, float]:
    """Left and right edges of the text block (most lines start and end there)."""
    x0s = sorted(line.x0 for line in lines)
    x1s = sorted(line.x1 for line in lines)
    return x0s[len(x0s) // 10], x1s[-1 - len(x1s) // 10]


def _goes_on(line: Line, following: Line, left: float, right: float) -> bool:
    """True if a wrapped line continues in the following one."""
    if line.text.endswith(_SENTENCE_END):
        return False
    if HEADING.match(following.text) or _TABLE_ROW.search(line.text):
        return False
    if _TABLE_ROW.search(following.text):
        return False
    if abs(line.size - following.size) > 0.2 * line.size:
        return False
    if line.x1 < right - 1.5 * line.size:
        return False  # the line stops short: end of a paragraph or a heading
    return following.x0 <= left + 0.8 * following.size  # an indented line starts a paragraph
