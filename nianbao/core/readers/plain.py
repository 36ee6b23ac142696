"""Plain-text captures: lines as they are, chrome dropped; flattened tables stay in the text."""

from __future__ import annotations

from nianbao.core.document import Document
from nianbao.core.readers.common import find_published, find_source, is_chrome_line
from nianbao.core.text import clean_line


def read_plain(text: str, encoding: str) -> Document:
    """Document of a decoded plain-text page."""
    raw_lines = [clean_line(line) for line in text.splitlines()]
    header = "\n".join(raw_lines[:15])
    lines = [line for line in raw_lines if line and not is_chrome_line(line)]
    return Document(
        kind="text",
        text="\n".join(lines),
        encoding=encoding,
        published=find_published(header),
        source=find_source(header),
    )
