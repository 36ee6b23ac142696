"""Ruled tables on a scanned page: find the grid lines, erase them, put OCR'd words into cells.

tesseract reads a statistics table badly as a page (the rules become letters, the columns run
together), so the page is taken apart first. Pure numpy on the greyscale page: a horizontal
(vertical) rule is a run of dark pixels at least ``min_run`` long; neighbouring rows (columns)
of such runs are one rule. Consecutive horizontal rules joined by a vertical rule belong to one
table; its slots lie between its rules, and a slot whose separating rule is missing is merged
with its neighbour, as a merged cell is drawn. The rules are erased before OCR, and each word of
tesseract's TSV goes to the cell that holds its centre: the table comes out as a grid (spans
repeated, as every reader of the core does), the rest of the page as lines of text.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np

from nianbao.core.readers.common import join_lines, squeeze

DARK = 128
_MERGE_GAP = 3  # pixel rows (columns) between two runs that still make one rule
_COVER = 0.6  # share of a slot's side a rule must cover to separate two slots
# What tesseract's chi_sim model writes for brackets and stray marks in table cells.
_BRACKETS = str.maketrans({"〈": "（", "《": "（", "【": "（", "〉": "）", "》": "）", "】": "）"})
_NOISE = "“”\"'‘’`_|]["
# Letters OCR reads for digits, repaired only inside a cell that is otherwise a number.
_DIGIT_LOOKALIKES = str.maketrans({"$": "5", "S": "5", "O": "0", "o": "0", "l": "1", "I": "1"})
_NUMBERISH = re.compile(r"^[\d$SOolI.,%]+$")


@dataclass(frozen=True)
class Rule:
    """A rule at `pos` (y of a horizontal one, x of a vertical one) and where it is drawn."""

    pos: int
    cover: np.ndarray  # bool over the other axis


@dataclass
class Grid:
    """A table's rules: the y of its horizontal rules and the x of its vertical ones."""

    rows: list[Rule]
    columns: list[Rule]
    cells: dict[tuple[int, int], int] = field(default_factory=dict)  # slot -> cell id

    @property
    def box(self) -> tuple[int, int, int, int]:
        """left, top, right, bottom."""
        return self.columns[0].pos, self.rows[0].pos, self.columns[-1].pos, self.rows[-1].pos


def long_runs(dark: np.ndarray, min_run: int) -> np.ndarray:
    """The pixels of `dark` on a horizontal run of at least min_run dark pixels."""
    height, width = dark.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = dark
    edges = np.diff(padded, axis=1)
    rows, starts = np.nonzero(edges == 1)  # row-major: each row's starts and ends alternate
    _, ends = np.nonzero(edges == -1)
    out = np.zeros_like(dark, dtype=bool)
    for y, start, end in zip(
        *(a[ends - starts >= min_run] for a in (rows, starts, ends)), strict=True
    ):
        out[y, start:end] = True
    return out


def _rules(mask: np.ndarray) -> list[Rule]:
    """Rules of a run mask along its rows: bands of neighbouring rows that hold runs."""
    rows = np.nonzero(mask.any(axis=1))[0]
    rules: list[Rule] = []
    band: list[int] = []
    for y in [*rows.tolist(), None]:
        if band and (y is None or y - band[-1] > _MERGE_GAP):
            cover = mask[band[0] : band[-1] + 1].any(axis=0)
            rules.append(Rule((band[0] + band[-1]) // 2, cover))
            band = []
        if y is not None:
            band.append(y)
    return rules


def _covers(rule: Rule, start: int, end: int) -> bool:
    """Whether a rule is drawn over most of [start, end)."""
    inner = rule.cover[start + (end - start) // 10 : end - (end - start) // 10]
    return inner.size > 0 and float(inner.mean()) >= _COVER


def find_grids(dark: np.ndarray, min_run: int) -> list[Grid]:
    """The ruled tables of a page (each with at least two rows and two columns of slots)."""
    horizontal = _rules(long_runs(dark, min_run))
    vertical = _rules(long_runs(dark.T, min_run))  # bands of x, drawn over y
    grids: list[Grid] = []
    group: list[Rule] = []
    for rule in horizontal:
        if group and not any(_covers(v, group[-1].pos, rule.pos) for v in vertical):
            _close(group, vertical, grids, min_run)
            group = []
        group.append(rule)
    _close(group, vertical, grids, min_run)
    return grids


def _close(group: list[Rule], vertical: list[Rule], grids: list[Grid], min_run: int) -> None:
    """A table of these horizontal rules, if vertical rules divide it into columns."""
    if len(group) < 3:
        return
    top, bottom = group[0].pos, group[-1].pos
    columns = [v for v in vertical if v.cover[top + 2 : bottom - 1].mean() > 0.3]
    if len(columns) < 3:
        return
    group = _open_ends(group, columns, max(4, min_run // 4))
    grid = Grid(group, columns)
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(slot: tuple[int, int]) -> tuple[int, int]:
        while parent.get(slot, slot) != slot:
            slot = parent[slot]
        return slot

    for r in range(len(group) - 1):
        y0, y1 = group[r].pos, group[r + 1].pos
        for c in range(len(columns) - 1):
            x0, x1 = columns[c].pos, columns[c + 1].pos
            if c and not _covers(columns[c], y0, y1):
                parent[find((r, c))] = find((r, c - 1))
            if r and not _covers(group[r], x0, x1):
                parent[find((r, c))] = find((r - 1, c))
    ids: dict[tuple[int, int], int] = {}
    for r in range(len(group) - 1):
        for c in range(len(columns) - 1):
            grid.cells[(r, c)] = ids.setdefault(find((r, c)), len(ids))
    grids.append(grid)


def _open_ends(group: list[Rule], columns: list[Rule], least: int) -> list[Rule]:
    """The rules with an edge added where the columns go on past the first or last rule.

    A table cut by a page break has no rule under its last row (over its first on the next
    page), but its vertical rules run on to the cut: the row is there, bounded by where most
    columns end, so it is read as a row and not as a line of text.
    """
    left, right = columns[0].pos, columns[-1].pos
    edges: list[Rule] = []
    for rule, step in ((group[0], -1), (group[-1], 1)):
        ends = [_run_end(column.cover, rule.pos, step) for column in columns]
        far = [end for end in ends if abs(end - rule.pos) >= least]
        if len(far) * 2 >= len(columns):
            cover = np.zeros_like(rule.cover)
            cover[left : right + 1] = True
            edges.append(Rule(int(np.median(far)), cover))
        else:
            edges.append(rule)
    top = [edges[0]] if edges[0] is not group[0] else []
    bottom = [edges[1]] if edges[1] is not group[-1] else []
    return [*top, *group, *bottom]


def _run_end(cover: np.ndarray, start: int, step: int) -> int:
    """Where a vertical rule drawn at `start` stops, going up (step -1) or down (step 1)."""
    if not cover[start]:
        return start
    drawn = np.nonzero(~cover[start::step])[0]
    last = int(drawn[0]) - 1 if drawn.size else len(cover[start::step]) - 1
    return start + step * last


def erase(image: np.ndarray, dark: np.ndarray, min_run: int) -> np.ndarray:
    """The page with its long rules (and a pixel around them) painted white."""
    mask = long_runs(dark, min_run) | long_runs(dark.T, min_run).T
    grown = mask.copy()
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    out = image.copy()
    out[grown] = 255
    return out


@dataclass(frozen=True)
class Word:
    """One word of tesseract's TSV: its box and text, and the line it belongs to."""

    left: int
    top: int
    width: int
    height: int
    text: str
    line: tuple[int, int, int]


def words(tsv: str) -> list[Word]:
    """The words of a tesseract TSV page, in reading order."""
    found = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        found.append(
            Word(
                int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]), text,
                (int(row["block_num"]), int(row["par_num"]), int(row["line_num"])),
            )
        )  # fmt: skip
    return found


def _slot(grid: Grid, x: float, y: float) -> tuple[int, int] | None:
    """The slot of the grid that holds the point, or None."""
    rows = [rule.pos for rule in grid.rows]
    columns = [rule.pos for rule in grid.columns]
    if not (rows[0] < y < rows[-1] and columns[0] < x < columns[-1]):
        return None
    r = int(np.searchsorted(rows, y)) - 1
    c = int(np.searchsorted(columns, x)) - 1
    return r, c


@dataclass
class PageTable:
    """A table read off a page: its grid of cell texts and the x of its column rules."""

    rows: list[list[str]]
    edges: list[int]
    # (row, column) -> a figure's differing reads, the first in `rows` (see `resolve`)
    reads: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)

    def extend(self, other: PageTable, tolerance: int) -> bool:
        """Append a table that goes on from this one (on the next page), aligned by its rules.

        Its columns must be made of this table's: each of its rules within `tolerance` pixels
        of one of ours. Then each row is spread over our columns. False if they do not align.
        """
        offset = len(self.rows)
        if other.edges and len(other.edges) == len(self.edges):
            self.rows.extend(other.rows)
            self.reads.update({(offset + r, c): texts for (r, c), texts in other.reads.items()})
            return True
        mapping = []
        for x in other.edges:
            near = [i for i, own in enumerate(self.edges) if abs(own - x) <= tolerance]
            if not near:
                return False
            mapping.append(near[0])
        for row in other.rows:
            spread = [""] * (len(self.edges) - 1)
            for c, text in enumerate(row):
                for j in range(mapping[c], mapping[c + 1]):
                    spread[j] = text
            self.rows.append(spread)
        for (r, c), texts in other.reads.items():
            for j in range(mapping[c], mapping[c + 1]):
                self.reads[(offset + r, j)] = texts
        return True


def layout(
    page_words: list[Word],
    grids: list[Grid],
    cell_texts: dict[tuple[int, int], str] | None = None,
    cell_reads: dict[tuple[int, int], tuple[str, ...]] | None = None,
) -> list[str | PageTable]:
    """The page as blocks in order: text lines, and each table as a grid of cell texts.

    A cell's text is its entry in `cell_texts` (grid number, cell id) when given (the cells read
    one by one), else the page's words whose centre it holds; a figure read differently twice
    has its reads in `cell_reads`, which go on the table's slots.
    """
    cell_words: dict[tuple[int, int], list[Word]] = {}
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in page_words:
        x, y = word.left + word.width / 2, word.top + word.height / 2
        for n, grid in enumerate(grids):
            if (slot := _slot(grid, x, y)) is not None:
                cell_words.setdefault((n, grid.cells[slot]), []).append(word)
                break
        else:
            lines.setdefault(word.line, []).append(word)
    blocks: list[tuple[int, str | PageTable]] = []
    for top, text in _paragraphs(list(lines.values())):
        blocks.append((top, text))
    for n, grid in enumerate(grids):
        texts = {
            cell: cell_texts.get((n, cell), "")
            if cell_texts is not None
            else cell_text(cell_words.get((n, cell), []))
            for cell in set(grid.cells.values())
        }
        rows = [
            [texts[grid.cells[(r, c)]] for c in range(len(grid.columns) - 1)]
            for r in range(len(grid.rows) - 1)
        ]
        reads = {
            slot: (cell_reads or {})[(n, cell)]
            for slot, cell in grid.cells.items()
            if (n, cell) in (cell_reads or {})
        }
        table = PageTable(rows, [rule.pos for rule in grid.columns], reads)
        blocks.append((grid.rows[0].pos, table))
    return [block for _, block in sorted(blocks, key=lambda item: item[0])]


def _paragraphs(lines: list[list[Word]]) -> list[tuple[int, str]]:
    """Text lines joined into paragraphs: a line that reaches the right margin goes on."""
    if not lines:
        return []
    rights = [max(w.left + w.width for w in line) for line in lines]
    margin = max(rights)
    out: list[tuple[int, str]] = []
    carry = False
    for line, right in zip(lines, rights, strict=True):
        text = squeeze(join_lines(word.text for word in line)).strip()
        if not text:
            continue
        height = max(w.height for w in line)
        if carry and out:
            out[-1] = (out[-1][0], join_lines([out[-1][1], text]))
        else:
            out.append((min(w.top for w in line), text))
        carry = right >= margin - 2 * height and not text.endswith(("。", "：", ":", "；"))
    return out


def cell_text(cell_words: list[Word]) -> str:
    """A cell's words, line by line (by their vertical position), joined as the readers do."""
    rows: list[list[Word]] = []
    for word in sorted(cell_words, key=lambda w: (w.top + w.height / 2, w.left)):
        middle = word.top + word.height / 2
        if rows and abs(rows[-1][0].top + rows[-1][0].height / 2 - middle) < word.height * 0.6:
            rows[-1].append(word)
        else:
            rows.append([word])
    texts = [join_lines(w.text for w in sorted(row, key=lambda w: w.left)) for row in rows]
    return clean_cell(squeeze(join_lines(texts)))


def clean_cell(text: str) -> str:
    """An OCR'd cell without stray marks; a number's lookalike letters read as digits."""
    text = text.translate(_BRACKETS).strip().strip(_NOISE + "、，,.。 ")
    if not re.search(r"\w", text):
        return ""
    if _NUMBERISH.match(text) and re.search(r"\d", text):
        return text.translate(_DIGIT_LOOKALIKES)
    return text
