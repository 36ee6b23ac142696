"""PDF files via pdfplumber: paragraphs re-joined from wrapped lines, ruled tables as grids.

Tables are found from the ruling a PDF draws (lines, stroked rectangles, thin filled bars), not
from filled backgrounds: WPS exports put a white box behind every line of text, which would turn
whole pages into one-column "tables". A table left open at a page break gets its missing edge
back, and a table that goes on at the top of the next page is merged into one grid.
"""

from __future__ import annotations

import io
import re
import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pdfplumber
from pdfminer.utils import PDFDocEncoding
from pdfplumber.page import Page

from nianbao.core.document import Document, Table
from nianbao.core.errors import PageRejected, is_host_interrupt
from nianbao.core.readers.common import (
    cell_text,
    check_cells,
    finish_grid,
    is_label,
    is_text_box,
    join_lines,
    tight,
)
from nianbao.core.text import clean_line

MAX_PAGES = 200
MAX_PAGE_CHARS = 100_000  # a dense A4 page has ~3,000 characters
MAX_RULES = 20_000  # drawn lines and boxes of one page considered as table borders
MAX_INTERSECTIONS = 4_000_000  # vertical × horizontal edges the table finder may cross
# Flate streams: what one may inflate to, and all of a file's together. A content stream is a
# few hundred KB, a full-page 600 dpi image 100 MB.
MAX_STREAM_BYTES = 128_000_000
MAX_INFLATED_BYTES = 512_000_000
_CHUNK = 1 << 16
_STREAM_START = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)(?![A-Za-z])")
_SNAP = 3.0  # points: edges and cell borders closer than this are the same line
_EDGE_OFFSET = 6.0  # points: two table parts this close left and right have the same frame
_TABLE_SETTINGS_BASE: dict[str, Any] = {
    "vertical_strategy": "explicit",
    "horizontal_strategy": "explicit",
    "snap_tolerance": _SNAP,
    "join_tolerance": _SNAP,
    "intersection_tolerance": _SNAP,
}
_SENTENCE_END = tuple("。;!?:；！？：")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*[、.]"
    r"|[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]"
    r"|\d{1,2}\s*[、.．](?!\d)"
    r"|[(（]\d{1,2}[)）]"
    r"|第[一二三四五六七八九十百\d]+[章节条部分]"
    r"|[①-⑳]|附件|附表)"
)
_NUM = r"[-+]?\d[\d,]*(?:\.\d+)?%?"
_TABLE_ROW = re.compile(rf"(?:^|\s){_NUM}(?:\s+{_NUM}){{2,}}$|^{_NUM}(?:\s+{_NUM})*$")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–_~·•\s]*\d{1,4}[-—–_~·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?i:page)\s*\d{1,4}(?:\s*(?i:of)\s*\d{1,4})?)$"
)
_MARGIN_ZONE = 0.12  # share of the page height at the top and the bottom where chrome lives


@dataclass
class _Line:
    """One line of text on a page, with its geometry."""

    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _Cell:
    """A cell pdfplumber found: its box (page coordinates) and its cleaned text."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str


@dataclass
class _Part:
    """The piece of a table that lies on one page."""

    page: int
    bbox: tuple[float, float, float, float]
    cells: list[_Cell]
    xs: list[float]
    ys: list[float]


@dataclass
class _PdfTable:
    """A table as one or more page parts, read as one grid."""

    parts: list[_Part] = field(default_factory=list)


@dataclass
class _Page:
    """What one page holds, top to bottom."""

    number: int
    height: float
    lines: list[_Line]
    tables: list[_PdfTable]
    error: str | None = None


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
                pages.append(_read_page(page, n))
                page.close()  # its chars, rects and layout are not needed again
            meta = _meta(pdf.metadata)
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
    _drop_page_chrome(pages)
    tables = _merge_across_pages(pages)
    return Document(
        kind="pdf",
        text="\n".join(_paragraphs(pages)),
        encoding=None,
        tables=tuple(t for t in (_table_grid(table) for table in tables) if t is not None),
        meta=meta,
    )


class _Inflated(Exception):
    """A stream inflated past a cap."""


def check_streams(body: bytes) -> None:
    """Reject a PDF whose Flate streams inflate past the caps (decompression_bomb).

    A linear pass: each ``stream`` keyword's data, up to the next ``endstream``, goes through
    as many chained zlib decoders as its dictionary names FlateDecode filters, a chunk at a
    time, counting what comes out and stopping at the cap; nothing is kept. Data that is not
    zlib is left to pdfminer. Never raises anything but PageRejected.
    """
    total = 0
    position = 0
    while match := _STREAM_START.search(body, position):
        start = match.end()
        end = body.find(b"endstream", start)
        end = len(body) if end < 0 else end
        position = max(end, start)
        head = body[max(0, match.start() - 2048) : match.start()]
        head = head[head.rfind(b"obj") + 1 :] if b"obj" in head else head
        layers = min(len(_FLATE.findall(head)), 8)
        if not layers:
            continue
        try:
            size = _inflated_size(memoryview(body)[start:end], layers, MAX_INFLATED_BYTES - total)
        except _Inflated:
            size = MAX_INFLATED_BYTES + 1
        if size > MAX_STREAM_BYTES or total + size > MAX_INFLATED_BYTES:
            cap = MAX_STREAM_BYTES if size > MAX_STREAM_BYTES else MAX_INFLATED_BYTES
            raise PageRejected(
                "extract",
                "decompression_bomb",
                f"a PDF stream at byte {match.start()} inflates past {cap} bytes",
            )
        total += size


def _inflated_size(data: memoryview, layers: int, budget: int) -> int:
    """Bytes the data inflates to through `layers` chained zlib decoders, stopping past budget."""
    decoders = [zlib.decompressobj() for _ in range(layers)]
    done = [False] * layers  # a decoder at its end, or fed something that is not zlib
    limit = min(budget, MAX_STREAM_BYTES) + 1
    produced = 0

    def feed(level: int, piece: bytes) -> None:
        nonlocal produced
        decoder = decoders[level]
        while not done[level]:
            try:
                out = decoder.decompress(piece, _CHUNK)
            except zlib.error:
                done[level] = True
                return
            done[level] = decoder.eof
            piece = decoder.unconsumed_tail
            if level + 1 < layers:
                if out:
                    feed(level + 1, out)
            else:
                produced += len(out)
                if produced > limit:
                    raise _Inflated
            if not piece and len(out) < _CHUNK:
                return

    for offset in range(0, len(data), _CHUNK):
        if done[0]:
            break
        feed(0, bytes(data[offset : offset + _CHUNK]))
    return produced


# -- one page ---------------------------------------------------------------------------------


def _read_page(page: Page, number: int) -> _Page:
    """The text lines and tables of one page; table text is kept out of the lines."""
    chars = page.chars
    if not chars:
        return _Page(number, float(page.height), [], [])
    if len(chars) > MAX_PAGE_CHARS:
        error = f"page {number + 1}: {len(chars)} characters (over {MAX_PAGE_CHARS}), skipped"
        return _Page(number, float(page.height), [], [], error)
    error = None
    try:
        tables = _find_tables(page, number)
    except (PageRejected, MemoryError):
        raise
    except Exception as exc:  # a table-finder failure costs the tables, not the page's text
        if is_host_interrupt(exc):
            raise
        tables, error = [], f"page {number + 1}: {type(exc).__name__}: {exc}"
    boxes = [part.bbox for table in tables for part in table.parts]

    def outside(obj: dict[str, Any]) -> bool:
        """True for every object but the characters inside a table."""
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    text_page = page.filter(outside) if boxes else page
    lines = [
        line
        for raw in text_page.extract_text_lines(return_chars=True)
        if (line := _line(raw, number)).text
    ]
    return _Page(number, float(page.height), lines, tables, error)


def _line(raw: dict[str, Any], page: int) -> _Line:
    """A text line rebuilt from its characters: real gaps kept, layout gaps next to CJK not."""
    chars: list[dict[str, Any]] = raw["chars"]
    glyphs = [c for c in chars if c["text"].strip()]
    size = max((float(c["size"]) for c in glyphs), default=float(raw["bottom"] - raw["top"]))
    out: list[str] = []
    previous: dict[str, Any] | None = None
    spaced = False
    for char in chars:
        if not char["text"].strip():
            spaced = True
            continue
        if previous is not None:
            gap = float(char["x0"]) - float(previous["x1"])
            if gap >= 0.9 * size:
                out.append(" ")  # a column gap: keeps flattened table cells apart
            elif (spaced or gap > 0.15 * size) and not tight(previous["text"][-1], char["text"][0]):
                out.append(" ")
        out.append(char["text"])
        previous, spaced = char, False
    return _Line(
        page=page,
        text=clean_line("".join(out)),
        x0=float(raw["x0"]),
        x1=float(raw["x1"]),
        top=float(raw["top"]),
        bottom=float(raw["bottom"]),
        size=size,
    )


def _ruling(page: Page) -> list[dict[str, Any]]:
    """Drawn rules that can border a table: no filled backgrounds behind text."""
    objs: list[dict[str, Any]] = list(page.lines)
    objs.extend(
        r for r in page.rects if r.get("stroke") or min(float(r["width"]), float(r["height"])) < 2
    )
    objs.extend(c for c in page.curves if c.get("stroke"))
    return objs


def _find_tables(page: Page, number: int) -> list[_PdfTable]:
    """The ruled tables of a page, text boxes left out."""
    ruling = _ruling(page)
    if len(ruling) > MAX_RULES:
        raise ValueError(f"{len(ruling)} drawn rules (over {MAX_RULES}): not searched for tables")
    edges = _edges(ruling)
    vertical = [e for e in edges if e["orientation"] == "v"]
    horizontal = [e for e in edges if e["orientation"] == "h"]
    horizontal += _closing_edges(vertical, horizontal)
    if len(vertical) < 2 or len(horizontal) < 2:
        return []
    if len(vertical) * len(horizontal) > MAX_INTERSECTIONS:
        raise ValueError(f"{len(vertical)}×{len(horizontal)} rules: not searched for tables")
    settings = {
        **_TABLE_SETTINGS_BASE,
        "explicit_vertical_lines": vertical,
        "explicit_horizontal_lines": horizontal,
    }
    found: list[_PdfTable] = []
    for table in page.find_tables(settings):
        cells: list[_Cell] = []
        texts = table.extract()
        for row, row_texts in zip(table.rows, texts, strict=True):
            for box, text in zip(row.cells, row_texts, strict=True):
                if box is not None:
                    cells.append(_Cell(*(float(v) for v in box), text=cell_text(text or "")))
        part = _part(number, tuple(float(v) for v in table.bbox), cells)  # type: ignore[arg-type]
        if part is not None:
            found.append(_PdfTable([part]))
    return found


def _edges(objs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Horizontal and vertical edges of drawn objects (a rectangle gives four)."""
    edges: list[dict[str, Any]] = []
    for obj in objs:
        x0, x1, top, bottom = (float(obj[k]) for k in ("x0", "x1", "top", "bottom"))
        if obj.get("object_type") == "curve":
            points = obj.get("pts") or []
            for (ax, ay), (bx, by) in pairwise(points):
                if abs(ax - bx) < 1:
                    edges.append(_v(ax, min(ay, by), max(ay, by)))
                elif abs(ay - by) < 1:
                    edges.append(_h(min(ax, bx), max(ax, bx), ay))
        elif x1 - x0 < 2 and bottom - top >= 2:
            edges.append(_v((x0 + x1) / 2, top, bottom))
        elif bottom - top < 2 and x1 - x0 >= 2:
            edges.append(_h(x0, x1, (top + bottom) / 2))
        elif x1 - x0 >= 2 and bottom - top >= 2:
            edges += [_h(x0, x1, top), _h(x0, x1, bottom), _v(x0, top, bottom), _v(x1, top, bottom)]
    return edges


def _v(x: float, top: float, bottom: float) -> dict[str, Any]:
    """A vertical edge in pdfplumber's object form."""
    return {"x0": x, "x1": x, "top": top, "bottom": bottom, "height": bottom - top,
            "width": 0.0, "orientation": "v", "object_type": "line"}  # fmt: skip


def _h(x0: float, x1: float, y: float) -> dict[str, Any]:
    """A horizontal edge in pdfplumber's object form."""
    return {"x0": x0, "x1": x1, "top": y, "bottom": y, "height": 0.0,
            "width": x1 - x0, "orientation": "h", "object_type": "line"}  # fmt: skip


def _closing_edges(
    vertical: list[dict[str, Any]], horizontal: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The bottom (top) rules missing where a page break cut a table open."""
    # At a break the last (first) row often has no rule under (over) it, so pdfplumber finds no
    # cell there. Where two or more verticals end at one height, nothing is ruled beyond it and
    # the rule there is missing or partial, the rule is added.
    added: list[dict[str, Any]] = []
    for end, beyond in (("bottom", 1.0), ("top", -1.0)):
        groups: dict[int, list[dict[str, Any]]] = {}
        for edge in vertical:
            groups.setdefault(round(float(edge[end]) / _SNAP), []).append(edge)
        for group in groups.values():
            if len(group) < 2:
                continue
            y = sum(float(e[end]) for e in group) / len(group)
            lo, hi = min(float(e["x0"]) for e in group), max(float(e["x0"]) for e in group)
            near = [h for h in horizontal if h["x0"] < hi and h["x1"] > lo]
            if any((float(h["top"]) - y) * beyond > _SNAP for h in near):
                continue  # the table goes on past this height: an inner row boundary
            covered = sum(
                min(hi, float(h["x1"])) - max(lo, float(h["x0"]))
                for h in near
                if abs(float(h["top"]) - y) <= _SNAP
            )
            if covered < 0.98 * (hi - lo):
                added.append(_h(lo, hi, y))
    return added


def _part(page: int, bbox: tuple[float, float, float, float], cells: list[_Cell]) -> _Part | None:
    """A table part, or None when it is a frame around text rather than a table."""
    if len(cells) < 2:
        return None
    xs = _cluster(v for c in cells for v in (c.x0, c.x1))
    ys = _cluster(v for c in cells for v in (c.top, c.bottom))
    part = _Part(page, bbox, cells, xs, ys)
    if is_text_box(_grid(part, xs)):
        return None
    return part


def _cluster(values: Iterable[float]) -> list[float]:
    """Sorted distinct coordinates, those within the snap tolerance counted once."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > _SNAP:
            out.append(value)
    return out


def _index(bounds: Sequence[float], value: float) -> int:
    """Index of the boundary nearest to a coordinate."""
    i = bisect_left(bounds, value)
    if i == len(bounds) or (i > 0 and value - bounds[i - 1] < bounds[i] - value):
        i -= 1
    return i


def _grid(part: _Part, xs: Sequence[float]) -> list[list[str]]:
    """A part's cells spread over the grid: a merged cell's text in every slot it covers."""
    check_cells((len(xs) - 1) * (len(part.ys) - 1))
    rows = [[""] * (len(xs) - 1) for _ in range(len(part.ys) - 1)]
    for cell in part.cells:
        r0, r1 = _index(part.ys, cell.top), _index(part.ys, cell.bottom)
        c0, c1 = _index(xs, cell.x0), _index(xs, cell.x1)
        for r in range(r0, r1):
            for c in range(c0, c1):
                rows[r][c] = cell.text
    return rows


# -- the whole document -----------------------------------------------------------------------


def _drop_page_chrome(pages: list[_Page]) -> None:
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


def _edge_lines(page: _Page) -> list[_Line]:
    """The first and last line of a page when they sit in the top or bottom margin."""
    if not page.lines:
        return []
    ends = [page.lines[0]] if len(page.lines) == 1 else [page.lines[0], page.lines[-1]]
    zone = _MARGIN_ZONE * page.height
    return [line for line in ends if line.top < zone or line.bottom > page.height - zone]


def _merge_across_pages(pages: list[_Page]) -> list[_PdfTable]:
    """All tables in order, a table that goes on at the top of the next page merged into one."""
    tables: list[_PdfTable] = []
    previous: _Page | None = None
    for page in pages:
        for i, table in enumerate(page.tables):
            if i == 0 and previous is not None and _continues(previous, page, table, tables):
                tables[-1].parts.extend(table.parts)
                page.tables[i] = tables[-1]
            else:
                tables.append(table)
        previous = page
    return tables


def _continues(previous: _Page, page: _Page, table: _PdfTable, tables: list[_PdfTable]) -> bool:
    """True if a page's first table goes on from the table that ends the page before."""
    if not tables or not previous.tables or previous.tables[-1] is not tables[-1]:
        return False
    if previous.number != page.number - 1:
        return False
    last, first = tables[-1].parts[-1], table.parts[0]
    if any(line.top > last.bbox[3] - _SNAP for line in previous.lines):
        return False  # text after the table: it ended on its page
    if any(line.bottom < first.bbox[1] + _SNAP for line in page.lines):
        return False  # text before the table: a new table
    if abs(last.bbox[0] - first.bbox[0]) > _EDGE_OFFSET:
        return False
    if abs(last.bbox[2] - first.bbox[2]) > _EDGE_OFFSET:
        return False
    before = _cluster(x for part in tables[-1].parts for x in part.xs)
    union = _cluster([*before, *first.xs])
    return len(union) <= max(len(before), len(first.xs))  # one set of columns holds the other


def _table_grid(table: _PdfTable) -> Table | None:
    """The grid of a table over all its parts, on the union of the parts' columns."""
    xs = _cluster(x for part in table.parts for x in part.xs)
    for previous, part in pairwise(table.parts):
        _stitch(previous, part, xs)
    rows: list[list[str]] = []
    for part in table.parts:
        check_cells((len(rows) + len(part.ys)) * len(xs))
        grid = _grid(part, xs)
        rows.extend(_without_repeated_header(grid, rows) if rows else grid)
    return finish_grid(rows)


def _stitch(previous: _Part, part: _Part, xs: Sequence[float]) -> None:
    """Mend the label cells a page break cut, so both parts carry the whole label."""
    # A label cell spanning rows (三、本年度办理结果, （四）无法提供) is cut at the break: its text
    # is printed on one page, leaving an empty cell on the next, or split over both ("（四）无" /
    # "法提供"). Only label cells with the same columns on both sides are mended, and a fragment
    # is joined only when it does not start a label of its own (1. （五） 三、).
    bottom = len(previous.ys) - 1
    above = {
        (_index(xs, cell.x0), _index(xs, cell.x1)): cell
        for cell in previous.cells
        if _index(previous.ys, cell.bottom) == bottom
    }
    for cell in part.cells:
        upper = above.get((_index(xs, cell.x0), _index(xs, cell.x1)))
        if upper is None or _index(part.ys, cell.top) != 0 or not is_label(upper.text):
            continue
        if not cell.text:
            cell.text = upper.text
        elif is_label(cell.text) and _HEADING.match(upper.text) and not _HEADING.match(cell.text):
            upper.text = cell.text = join_lines([upper.text, cell.text])


def _without_repeated_header(grid: list[list[str]], rows: list[list[str]]) -> list[list[str]]:
    """A continued part without the header rows it repeats from the table's start."""
    n = 0
    while n < len(grid) and n < len(rows) and grid[n] == rows[n] and any(grid[n]):
        n += 1
    return grid[n:] if n < len(grid) else grid


def _paragraphs(pages: list[_Page]) -> list[str]:
    """The text lines of all pages, wrapped lines re-joined into paragraphs."""
    # A line goes on in the next one when it does not end a sentence, runs to the right margin,
    # and the next line is not indented, not a heading and neither is a table row. A table in
    # between ends the paragraph.
    lines = [line for page in pages for line in page.lines]
    if not lines:
        return []
    left, right = _margins(lines)
    out: list[str] = []
    previous: _Line | None = None
    for page in pages:
        items: list[tuple[float, _Line | None]] = [(line.top, line) for line in page.lines]
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


def _margins(lines: list[_Line]) -> tuple[float, float]:
    """Left and right edges of the text block (most lines start and end there)."""
    x0s = sorted(line.x0 for line in lines)
    x1s = sorted(line.x1 for line in lines)
    return x0s[len(x0s) // 10], x1s[-1 - len(x1s) // 10]


def _goes_on(line: _Line, following: _Line, left: float, right: float) -> bool:
    """True if a wrapped line continues in the following one."""
    if line.text.endswith(_SENTENCE_END):
        return False
    if _HEADING.match(following.text) or _TABLE_ROW.search(line.text):
        return False
    if _TABLE_ROW.search(following.text):
        return False
    if abs(line.size - following.size) > 0.2 * line.size:
        return False
    if line.x1 < right - 1.5 * line.size:
        return False  # the line stops short: end of a paragraph or a heading
    return following.x0 <= left + 0.8 * following.size  # an indented line starts a paragraph


def _meta(metadata: dict[str, Any]) -> dict[str, str]:
    """The document information dictionary as strings (UTF-16LE values repaired)."""
    out: dict[str, str] = {}
    for key, value in metadata.items():
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str):
            continue
        text = _utf16le(value).replace("\x00", "").strip()
        if text:
            out[str(key).lower()] = text
    return out


_PDFDOC_REVERSE = {ch: i for i, ch in reversed(list(enumerate(PDFDocEncoding)))}


def _utf16le(value: str) -> str:
    """Repair a UTF-16LE string (BOM FF FE) that was decoded as PDFDocEncoding."""
    if not value.startswith("ÿþ"):
        return value
    raw = bytes(_PDFDOC_REVERSE.get(ch, 0x3F) for ch in value[2:])
    return raw.decode("utf-16-le", "replace")
