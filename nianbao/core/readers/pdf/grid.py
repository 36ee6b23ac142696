"""Table cells laid out on a grid of snapped coordinates."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

from nianbao.core.readers.common import check_cells
from nianbao.core.readers.pdf.model import SNAP, Part


def cluster(values: Iterable[float]) -> list[float]:
    """Sorted distinct coordinates, those within the snap tolerance counted once."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > SNAP:
            out.append(value)
    return out


def boundary_index(bounds: Sequence[float], value: float) -> int:
    """Index of the boundary nearest to a coordinate."""
    i = bisect_left(bounds, value)
    if i == len(bounds) or (i > 0 and value - bounds[i - 1] < bounds[i] - value):
        i -= 1
    return i


def part_grid(part: Part, xs: Sequence[float]) -> list[list[str]]:
    """A part's cells spread over the grid: a merged cell's text in every slot it covers."""
    check_cells((len(xs) - 1) * (len(part.ys) - 1))
    rows = [[""] * (len(xs) - 1) for _ in range(len(part.ys) - 1)]
    for cell in part.cells:
        r0, r1 = boundary_index(part.ys, cell.top), boundary_index(part.ys, cell.bottom)
        c0, c1 = boundary_index(xs, cell.x0), boundary_index(xs, cell.x1)
        for r in range(r0, r1):
            for c in range(c0, c1):
                rows[r][c] = cell.text
    return rows
