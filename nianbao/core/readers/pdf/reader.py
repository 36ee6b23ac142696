"""The PDF reader: bounded, page by page, into a Document of paragraphs and table grids."""

from __future__ import annotations

import io

import pdfplumber

from nianbao.core.document import Document
from nianbao.core.errors import PageRejected, is_host_interrupt
from nianbao.core.readers.pdf.chrome import drop_page_chrome
from nianbao.core.readers.pdf.limits import MAX_PAGES
from nianbao.core.readers.pdf.merge import merge_across_pages, table_grid
from nianbao.core.readers.pdf.meta import metadata_strings
from nianbao.core.readers.pdf.page import read_page
from nianbao.core.readers.pdf.paragraphs import paragraphs
from nianbao.core.readers.pdf.streams import check_streams


def read_pdf(body: bytes, max_pages: int = MAX_PAGES) -> Document:
    """Document of a PDF with a text layer; scans and unreadable files are rejected.

    Bounded: streams that inflate past the caps are rejected first (`check_streams`), pages are
    read one at a time and each page's parsed objects are dropped once its lines and tables are
    taken, a page with more than MAX_PAGE_CHARS characters is skipped, and a page with more
    than MAX_RULES drawn rules is not searched for tables. What still escapes (a filter other
    than Flate, a font program) is for the caller's process bound (`nianbao.limits`).
    """
    check_streams(body)
    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            total = len(pdf.pages)
            pages = []
            for n, page in enumerate(pdf.pages[:max_pages]):
                pages.append(read_page(page, n))
                page.close()  # its chars, rects and layout are not needed again
            meta = metadata_strings(pdf.metadata)
    except (PageRejected, MemoryError):
        raise
    except Exception as exc:  # pdfminer raises parser, stream, key and type errors alike
        if is_host_interrupt(exc):
            raise
        raise PageRejected(
            "extract", "broken_pdf", f"pdfplumber cannot read it: {type(exc).__name__}: {exc}"
        ) from exc
    if not any(page.lines or page.tables for page in pages):
        raise PageRejected(
            "extract",
            "no_text_layer",
            "the PDF has no text layer (a scanned image); it needs OCR",
        )
    meta["pages"] = str(total)
    if errors := [page.error for page in pages if page.error]:
        meta["table_errors"] = "; ".join(errors)
    if total > max_pages:
        meta["pages_read"] = str(max_pages)
    drop_page_chrome(pages)
    tables = merge_across_pages(pages)
    return Document(
        kind="pdf",
        text="\n".join(paragraphs(pages)),
        encoding=None,
        tables=tuple(t for t in (table_grid(table) for table in tables) if t is not None),
        meta=meta,
    )
