"""Tables across page breaks: one that goes on at the top of the next page is one grid."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from nianbao.core.document import Table
from nianbao.core.readers.common import check_cells, finish_grid, is_label, join_lines
from nianbao.core.readers.pdf.grid import boundary_index, cluster, part_grid
from nianbao.core.readers.pdf.model import SNAP, PageContent, Part, PdfTable
from nianbao.core.readers.pdf.paragraphs import HEADING

_EDGE_OFFSET = 6.0  # points: two table parts this close left and right have the same frame


def merge_across_pages(pages: list[PageContent]) -> list[PdfTable]:
    """All tables in order, a table that goes on at the top of the next page merged into one."""
    tables: list[PdfTable] = []
    previous: PageContent | None = None
    for page in pages:
        for i, table in enumerate(page.tables):
            if i == 0 and previous is not None and _continues(previous, page, table, tables):
                tables[-1].parts.extend(table.parts)
                page.tables[i] = tables[-1]
            else:
                tables.append(table)
        previous = page
    return tables


def _continues(
    previous: PageContent, page: PageContent, table: PdfTable, tables: list[PdfTable]
) -> bool:
    """True if a page's first table goes on from the table that ends the page before."""
    if not tables or not previous.tables or previous.tables[-1] is not tables[-1]:
        return False
    if previous.number != page.number - 1:
        return False
    last, first = tables[-1].parts[-1], table.parts[0]
    if any(line.top > last.bbox[3] - SNAP for line in previous.lines):
        return False  # text after the table: it ended on its page
    if any(line.bottom < first.bbox[1] + SNAP for line in page.lines):
        return False  # text before the table: a new table
    if abs(last.bbox[0] - first.bbox[0]) > _EDGE_OFFSET:
        return False
    if abs(last.bbox[2] - first.bbox[2]) > _EDGE_OFFSET:
        return False
    before = cluster(x for part in tables[-1].parts for x in part.xs)
    union = cluster([*before, *first.xs])
    return len(union) <= max(len(before), len(first.xs))  # one set of columns holds the other


def table_grid(table: PdfTable) -> Table | None:
    """The grid of a table over all its parts, on the union of the parts' columns."""
    xs = cluster(x for part in table.parts for x in part.xs)
    for previous, part in pairwise(table.parts):
        _stitch(previous, part, xs)
    rows: list[list[str]] = []
    for part in table.parts:
        check_cells((len(rows) + len(part.ys)) * len(xs))
        grid = part_grid(part, xs)
        rows.extend(_without_repeated_header(grid, rows) if rows else grid)
    return finish_grid(rows)


def _stitch(previous: Part, part: Part, xs: Sequence[float]) -> None:
    """Mend the label cells a page break cut, so both parts carry the whole label."""
    # A label cell spanning rows (三、本年度办理结果, （四）无法提供) is cut at the break: its text
    # is printed on one page, leaving an empty cell on the next, or split over both ("（四）无" /
    # "法提供"). Only label cells with the same columns on both sides are mended, and a fragment
    # is joined only when it does not start a label of its own (1. （五） 三、).
    bottom = len(previous.ys) - 1
    above = {
        (boundary_index(xs, cell.x0), boundary_index(xs, cell.x1)): cell
        for cell in previous.cells
        if boundary_index(previous.ys, cell.bottom) == bottom
    }
    for cell in part.cells:
        upper = above.get((boundary_index(xs, cell.x0), boundary_index(xs, cell.x1)))
        if upper is None or boundary_index(part.ys, cell.top) != 0 or not is_label(upper.text):
            continue
        if not cell.text:
            cell.text = upper.text
        elif is_label(cell.text) and HEADING.match(upper.text) and not HEADING.match(cell.text):
            upper.text = cell.text = join_lines([upper.text, cell.text])


def _without_repeated_header(grid: list[list[str]], rows: list[list[str]]) -> list[list[str]]:
    """A continued part without the header rows it repeats from the table's start."""
    n = 0
    while n < len(grid) and n < len(rows) and grid[n] == rows[n] and any(grid[n]):
        n += 1
    return grid[n:] if n < len(grid) else grid
