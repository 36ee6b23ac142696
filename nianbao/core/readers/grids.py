"""Text lines and table grids a converter produced (spreadsheets), as JSON. Pure.

The adapter (`nianbao.convert`) reads .xls/.xlsx workbooks into ``{"text": str, "tables":
[[[cell, ...], ...], ...]}``; this reader checks that shape and the cell caps and hands the
grids to the parser as tables, like the HTML, DOCX and PDF readers do.
"""

from __future__ import annotations

import json

from nianbao.core.document import Document
from nianbao.core.errors import PageRejected
from nianbao.core.readers.common import cell_text, check_cells, finish_grid
from nianbao.core.text import clean_line

GRIDS_TYPE = "application/vnd.nianbao.grids+json"


def read_grids(body: bytes) -> Document:
    """Document of a grids payload; a payload of another shape is ``broken_grids``."""
    try:
        data = json.loads(body)
        text, tables = data["text"], data["tables"]
        if not isinstance(text, str) or not isinstance(tables, list):
            raise TypeError("text must be a string and tables a list")
        grids = []
        count = 0
        for table in tables:
            rows = [[cell_text(str(cell)) for cell in row] for row in table]
            count += sum(len(row) for row in rows)
            check_cells(count)
            if (grid := finish_grid(rows)) is not None:
                grids.append(grid)
    except PageRejected:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise PageRejected(
            "extract", "broken_grids", f"not a grids payload: {type(exc).__name__}: {exc}"
        ) from exc
    lines = [clean_line(line) for line in text.split("\n")]
    return Document(
        kind="text",
        text="\n".join(line for line in lines if line),
        encoding=None,
        tables=tuple(grids),
    )
