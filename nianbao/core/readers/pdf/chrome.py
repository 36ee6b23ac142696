"""Page chrome: page numbers and running headers and footers, dropped from the lines."""

from __future__ import annotations

import re
from collections import Counter

from nianbao.core.readers.pdf.model import Line, PageContent

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–_~·•\s]*\d{1,4}[-—–_~·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?i:page)\s*\d{1,4}(?:\s*(?i:of)\s*\d{1,4})?)$"
)
_MARGIN_ZONE = 0.12  # share of the page height at the top and the bottom where chrome lives


def drop_page_chrome(pages: list[PageContent]) -> None:
    """Remove page numbers and running headers/footers from the pages' lines."""
    running: Counter[str] = Counter()
    for page in pages:
        for line in _edge_lines(page):
            running[re.sub(r"\d+", "#", line.text)] += 1
    repeated = {text for text, n in running.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}
    for page in pages:
        chrome = {
            id(line)
            for line in _edge_lines(page)
            if _PAGE_NUMBER.match(line.text) or re.sub(r"\d+", "#", line.text) in repeated
        }
        page.lines = [line for line in page.lines if id(line) not in chrome]


def _edge_lines(page: PageContent) -> list[Line]:
    """The first and last line of a page when they sit in the top or bottom margin."""
    if not page.lines:
        return []
    ends = [page.lines[0]] if len(page.lines) == 1 else [page.lines[0], page.lines[-1]]
    zone = _MARGIN_ZONE * page.height
    return [line for line in ends if line.top < zone or line.bottom > page.height - zone]
