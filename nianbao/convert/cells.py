"""The cells of ruled tables read one by one: crops laid out in montages, one tesseract run each.

Read as part of a page, a table's words run across its erased rules ("0 0" becomes one word in
one cell), a lone "1" is lost and chi_sim reads a serif 5 as 3. So each cell is cut out (its
ink, without the rules) and the crops go into two montages, each read by one tesseract run:

* figures: the short, one-line crops of each table row side by side with wide gaps, a row of the
  table a line of the montage, read with the ``eng`` model (digits in their own context, as
  printed; a lone 1 read as | or l is a 1). A crop whose read is a plain number is that number.
* the same figure crops again, eight a line with wider gaps, so each has other neighbours than
  its table row's: a second read that misreads other digits ("95" read as "99" beside its row
  is "95" here, a lost "1" comes back). One more eng run per page of figures.
* the rest (labels, and figures the first read could not make a number of): one crop per line,
  read with chi_sim, and a label close to the template's wording takes it (`labels.correct`).

A figure whose numeric reads differ keeps them all (`Cells.reads`); the table's identities
choose between them later (`resolve`), or keep neither.

Pure numpy: the caller runs tesseract on each montage and hands back its TSV.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nianbao.convert import labels, ruled

Key = tuple[int, int]  # (grid number on the page, cell id in the grid)
Box = tuple[int, int, int, int]  # left, top, right, bottom
Reader = Callable[[np.ndarray, str], str]  # (montage, tesseract language) -> TSV

_INSET = 3  # pixels inside a cell's rules that may still hold a rule's edge
_DIGIT_LOOKALIKES = str.maketrans(
    {"|": "1", "l": "1", "I": "1", "]": "1", "[": "1", "!": "1", "O": "0", "o": "0"}
)
_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?%?$")
_NUMBER_CHARS = re.compile(r"^[\d|lI\]\[!Oo.,%]+$")
_LINE_INCHES = 0.3  # a one-line crop is at most this tall (a figure printed up to ~16 pt)
_FIGURE_INCHES = 2.0  # and a figure at most this wide
_FIGURE_GAP_INCHES = 0.4  # between figures on a line: wide enough that no word spans two
_SECOND_LINE = 8  # the second read's figures a line, in table order but not the table's lines
_SECOND_GAP_INCHES = 0.6


@dataclass(frozen=True)
class Montage:
    """A montage image and where each crop sits on it (its cell and its slot's box)."""

    image: np.ndarray
    slots: list[tuple[Box, Key]]

    def assign(self, words: list[ruled.Word]) -> dict[Key, list[ruled.Word]]:
        """The words of a TSV read of this montage, by the cell whose slot holds their centre."""
        found: dict[Key, list[ruled.Word]] = {}
        for word in words:
            x, y = word.left + word.width / 2, word.top + word.height / 2
            for (left, top, right, bottom), key in self.slots:
                if left <= x < right and top <= y < bottom:
                    found.setdefault(key, []).append(word)
                    break
        return found


def cell_boxes(grid: ruled.Grid) -> dict[int, Box]:
    """Each cell's box (a merged cell's is the union of its slots)."""
    boxes: dict[int, Box] = {}
    for (r, c), cell in grid.cells.items():
        box = (grid.columns[c].pos, grid.rows[r].pos, grid.columns[c + 1].pos, grid.rows[r + 1].pos)
        old = boxes.get(cell)
        boxes[cell] = box if old is None else (
            min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3])
        )  # fmt: skip
    return boxes


def ink(clean: np.ndarray, box: Box) -> np.ndarray | None:
    """The cell's ink, trimmed to its bounding box, or None for an empty cell."""
    left, top, right, bottom = box
    inner = clean[top + _INSET : bottom - _INSET + 1, left + _INSET : right - _INSET + 1]
    rows, columns = np.nonzero(inner < ruled.DARK)
    if rows.size == 0:
        return None
    return inner[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]


def stacked(crops: list[tuple[Key, np.ndarray]], gap: int, max_height: int) -> list[Montage]:
    """Crops one above the other, a gap between them; a new montage past max_height."""
    montages: list[Montage] = []
    batch: list[tuple[Key, np.ndarray]] = []
    height = gap
    for key, crop in crops:
        if batch and height + crop.shape[0] + gap > max_height:
            montages.append(_stack(batch, gap))
            batch, height = [], gap
        batch.append((key, crop))
        height += crop.shape[0] + gap
    if batch:
        montages.append(_stack(batch, gap))
    return montages


def _stack(crops: list[tuple[Key, np.ndarray]], gap: int) -> Montage:
    width = max(crop.shape[1] for _, crop in crops) + 2 * gap
    height = sum(crop.shape[0] + gap for _, crop in crops) + gap
    image = np.full((height, width), 255, dtype=np.uint8)
    slots: list[tuple[Box, Key]] = []
    y = gap
    for key, crop in crops:
        image[y : y + crop.shape[0], gap : gap + crop.shape[1]] = crop
        slots.append(((0, y - gap // 2, width, y + crop.shape[0] + gap // 2), key))
        y += crop.shape[0] + gap
    return Montage(image, slots)


def lined(lines: list[list[tuple[Key, np.ndarray]]], gap: int, max_height: int) -> list[Montage]:
    """Each line's crops side by side, bottoms aligned, `gap` apart; lines one above the other."""
    montages: list[Montage] = []
    batch: list[list[tuple[Key, np.ndarray]]] = []
    height = gap
    for line in lines:
        tall = max(crop.shape[0] for _, crop in line)
        if batch and height + tall + gap > max_height:
            montages.append(_line_up(batch, gap))
            batch, height = [], gap
        batch.append(line)
        height += tall + gap
    if batch:
        montages.append(_line_up(batch, gap))
    return montages


def _line_up(lines: list[list[tuple[Key, np.ndarray]]], gap: int) -> Montage:
    width = max(sum(crop.shape[1] + gap for _, crop in line) for line in lines) + gap
    talls = [max(crop.shape[0] for _, crop in line) for line in lines]
    image = np.full((sum(talls) + gap * (len(lines) + 1), width), 255, dtype=np.uint8)
    slots: list[tuple[Box, Key]] = []
    y = gap
    for line, tall in zip(lines, talls, strict=True):
        x = gap
        for key, crop in line:
            top = y + tall - crop.shape[0]
            image[top : top + crop.shape[0], x : x + crop.shape[1]] = crop
            slots.append(
                (
                    (x - gap // 2, y - gap // 2, x + crop.shape[1] + gap // 2, y + tall + gap // 2),
                    key,
                )
            )
            x += crop.shape[1] + gap
        y += tall + gap
    return Montage(image, slots)


def figure(text: str) -> str | None:
    """A figure read by the eng model as a number ("|0" → "10"), else None."""
    text = "".join(text.split())
    if not text or not _NUMBER_CHARS.match(text):
        return None
    number = text.translate(_DIGIT_LOOKALIKES)
    return number if _NUMBER.match(number) else None


@dataclass(frozen=True)
class Cells:
    """Every cell's text (an empty cell's is ""), and a figure's reads where they differ."""

    texts: dict[Key, str]
    reads: dict[Key, tuple[str, ...]]


def read_cells(
    clean: np.ndarray,
    grids: list[ruled.Grid],
    dpi: int,
    read: Reader,
    figures_language: str,
    text_language: str,
) -> Cells:
    """The text of every cell of the page's grids, and the differing reads of its figures."""
    crops: dict[Key, np.ndarray] = {}
    rows: dict[tuple[int, int], list[tuple[Key, np.ndarray]]] = {}
    for n, grid in enumerate(grids):
        for cell, box in sorted(cell_boxes(grid).items(), key=lambda item: item[1][:2][::-1]):
            crop = ink(clean, box)
            if crop is None:
                continue
            crops[(n, cell)] = crop
            if crop.shape[0] <= dpi * _LINE_INCHES and crop.shape[1] <= dpi * _FIGURE_INCHES:
                rows.setdefault((n, box[1]), []).append(((n, cell), crop))
    texts: dict[Key, str] = dict.fromkeys(
        ((n, c) for n, g in enumerate(grids) for c in set(g.cells.values())), ""
    )
    max_height = max(clean.shape[0], 2 * dpi)
    gap = max(8, dpi // 8)
    numbers: dict[Key, list[str]] = {}
    for montage in lined(list(rows.values()), int(dpi * _FIGURE_GAP_INCHES), max_height):
        for key, words in montage.assign(
            ruled.words(read(montage.image, figures_language))
        ).items():
            number = figure(" ".join(word.text for word in words))
            if number is not None:
                texts[key] = number
                numbers[key] = [number]
    figures = [item for line in rows.values() for item in line]
    regrouped = [figures[i : i + _SECOND_LINE] for i in range(0, len(figures), _SECOND_LINE)]
    for montage in lined(regrouped, int(dpi * _SECOND_GAP_INCHES), max_height):
        for key, words in montage.assign(
            ruled.words(read(montage.image, figures_language))
        ).items():
            if (number := figure(" ".join(word.text for word in words))) is not None:
                numbers.setdefault(key, []).append(number)
    rest = [(key, crop) for key, crop in crops.items() if not texts[key]]
    for montage in stacked(rest, gap, max_height):
        for key, words in montage.assign(ruled.words(read(montage.image, text_language))).items():
            texts[key] = labels.correct(ruled.cell_text(words))
    reads: dict[Key, tuple[str, ...]] = {}
    for key, found in numbers.items():
        if texts[key] not in found:  # a figure the first read missed, read by chi_sim
            found = [texts[key], *found] if figure(texts[key]) else found
        distinct = tuple(dict.fromkeys(found))
        if len(distinct) > 1:
            reads[key] = distinct
            texts[key] = distinct[0]
    return Cells(texts, reads)
