"""PDF files via pdfplumber: paragraphs re-joined from wrapped lines, ruled tables as grids.

Tables are found from the ruling a PDF draws (lines, stroked rectangles, thin filled bars), not
from filled backgrounds: WPS exports put a white box behind every line of text, which would turn
whole pages into one-column "tables". A table left open at a page break gets its missing edge
back, and a table that goes on at the top of the next page is merged into one grid.

One module a job: streams rejects decompression bombs before pdfplumber opens the file, page
reads one page (ruling, tables and grid find its tables), chrome, merge and paragraphs work on
the whole document, meta repairs its information dictionary, limits holds the caps, and reader
puts it together.
"""

from __future__ import annotations

from nianbao.core.readers.pdf.limits import (
    MAX_INFLATED_BYTES,
    MAX_INTERSECTIONS,
    MAX_PAGE_CHARS,
    MAX_PAGES,
    MAX_RULES,
    MAX_STREAM_BYTES,
)
from nianbao.core.readers.pdf.reader import read_pdf
from nianbao.core.readers.pdf.streams import check_streams

__all__ = [
    "MAX_INFLATED_BYTES",
    "MAX_INTERSECTIONS",
    "MAX_PAGES",
    "MAX_PAGE_CHARS",
    "MAX_RULES",
    "MAX_STREAM_BYTES",
    "check_streams",
    "read_pdf",
]
