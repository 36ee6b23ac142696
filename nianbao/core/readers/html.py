"""HTML pages: content container, chrome-free text lines, and real tables as span-expanded grids.

Data tables leave the text flow and become Tables. Layout tables (old sites wrap the whole
article in one) are read as text, and any data table nested inside them is still a Table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from nianbao.core.document import Document, Table
from nianbao.core.readers.common import (
    MAX_SPAN,
    cell_text,
    check_cells,
    find_published,
    find_source,
    finish_grid,
    is_chrome_line,
    span_value,
)
from nianbao.core.text import clean_line

# Content containers used by the common government CMSs (TRS, 大汉, 集约化 platforms).
CONTENT_SELECTORS = (
    "#zoom",
    ".TRS_Editor",
    "#ivs_content",
    ".Custom_UnionStyle",
    "#webeditorview",
    ".article-content",
    ".xxgk_content",
    ".trs_editor_view",
    "#UCAP-CONTENT",
    "article",
)
_MIN_CONTAINER_CHARS = 200
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "select", "button")
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
_CELL_TAGS = frozenset({"td", "th"})
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
# A table is layout, not data, when one of its cells holds a paragraph this long, or this much
# text in all, or a whole nested table.
_LAYOUT_BLOCK_CHARS = 200
_LAYOUT_CELL_CHARS = 600


# Lexbor checks each new attribute against the tag's others: a tag with 200,000 attributes
# holds it for minutes, in C code no Python timer can interrupt. Tags that long and that split
# are rewritten to their bare name before parsing (no real tag comes close).
MAX_ATTRIBUTES = 1_000
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{2000,}")
_TAG_NAME = re.compile(r"<([A-Za-z][^\s/<>]{0,40})")


# Lexbor also walks its stack of open elements at every block start tag: 100,000 nested <div>s
# took 37 s. Container tags nested deeper than MAX_DEPTH are dropped (their text stays).
MAX_DEPTH = 1_000
_CONTAINERS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hgroup",
        "main",
        "menu",
        "nav",
        "ol",
        "section",
        "summary",
        "ul",
    ]
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,15})(?=[\s/>])[^<>]*>?")
_DEPTH_CHECK_TAGS = 5_000  # fewer '<' than this and the quadratic cost does not matter


def bound_markup(html: str) -> str:
    """The page with over-split tags cut down and over-deep containers dropped; linear time.

    A tag of 2,000+ characters whose attribute separators (whitespace, "=", "/") number more
    than MAX_ATTRIBUTES keeps only its name: ``<div a0=x a1=x …>`` becomes ``<div>``, so the
    element and its content stay and the C parser never sees the attributes. Container tags
    (div, section, ul, …) opened while MAX_DEPTH of them are open are left out, with their end
    tags, so the text inside them joins the deepest container that is kept.
    """
    if len(html) < 2000:
        return html
    html = _cut_attributes(html)
    if html.count("<") > _DEPTH_CHECK_TAGS:
        html = _cut_depth(html)
    return html


def _cut_depth(html: str) -> str:
    """Drop container start tags past MAX_DEPTH open containers, and as many of their ends."""
    kept: list[str] = []
    position = 0
    depth = 0
    dropped: dict[str, int] = {}
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if name not in _CONTAINERS:
            continue
        if closing:
            if dropped.get(name):
                dropped[name] -= 1
                kept.append(html[position : match.start()])
                position = match.end()
            elif depth:
                depth -= 1
        elif depth >= MAX_DEPTH:
            dropped[name] = dropped.get(name, 0) + 1
            kept.append(html[position : match.start()])
            position = match.end()
        else:
            depth += 1
    if position == 0:
        return html
    kept.append(html[position:])
    return "".join(kept)


def _cut_attributes(html: str) -> str:
    """Every over-split tag cut down to its name (see `bound_markup`)."""

    def cut(match: re.Match[str]) -> str:
        tag = match.group()
        splits = sum(tag.count(char) for char in " \t\n\r\f=/")
        if splits <= MAX_ATTRIBUTES:
            return tag
        name = _TAG_NAME.match(tag)
        return f"<{name.group(1) if name else 'span'}"

    return _LONG_TAG.sub(cut, html)


def read_html(html: str, encoding: str) -> Document:
    """Document of a decoded HTML page (over-split tags cut first, see `bound_markup`)."""
    tree = LexborHTMLParser(bound_markup(html))
    meta = {
        (node.attributes.get("name") or "").lower(): (node.attributes.get("content") or "").strip()
        for node in tree.css("meta[name][content]")
    }
    title_node = tree.css_first("title")
    h1 = tree.css_first("h1")
    title = meta.get("articletitle") or (h1.text(strip=True) if h1 else None)
    if not title and title_node:
        title = re.split(r"\s*[-_|—]+\s*", title_node.text(strip=True))[0]
    for tag in _DROP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    body = tree.body or tree.root
    container = _content_container(tree) or body
    clean = _remembering_clean_line()
    lines: list[str] = []
    tables: list[Table] = []
    if container is not None:
        raw, tables = _content(container, clean)
        lines = [line for line in raw if line and not is_chrome_line(line)]
    # The whole page, tables flattened, is only searched for the publish date and source, and
    # only when the page's meta tags do not give them.
    published = find_published(meta.get("pubdate", ""))
    source = meta.get("contentsource")
    if not published or not source:
        full_text = _flat_text(body, clean) if body is not None else ""
        published = published or find_published(full_text)
        source = source or find_source(full_text)
    return Document(
        kind="html",
        text="\n".join(lines),
        encoding=encoding,
        tables=tuple(tables),
        title=clean_line(title) if title else None,
        meta=meta,
        published=published,
        source=source,
    )


def _content_container(tree: LexborHTMLParser) -> LexborNode | None:
    """The first CMS content container with enough text, if any."""
    for selector in CONTENT_SELECTORS:
        node = tree.css_first(selector)
        if node is not None and len(node.text(strip=True)) >= _MIN_CONTAINER_CHARS:
            return node
    return None


def _flat_text(node: LexborNode, clean: Callable[[str], str] = clean_line) -> str:
    """The text of a node, one line per block element, table cells joined by ' | '."""
    return "\n".join(clean(line) for line in "".join(_walk(node)).split("\n"))


def _remembering_clean_line() -> Callable[[str], str]:
    """clean_line remembering its lines: the page's text repeats the content's, and NFKC costs
    ~100 ns a character of CJK text."""
    known: dict[str, str] = {}

    def clean(line: str) -> str:
        """clean_line, once a line."""
        cleaned = known.get(line)
        if cleaned is None:
            cleaned = known[line] = clean_line(line)
        return cleaned

    return clean


def _walk(node: LexborNode) -> Iterator[str]:
    """Text pieces of a node in document order, newlines at blocks and <br>, ' | ' after cells."""
    stack: list[tuple[LexborNode, bool]] = [(node, False)]
    while stack:
        current, closing = stack.pop()
        tag = current.tag
        if closing:
            if tag in _CELL_TAGS:
                yield " | "
            elif tag in _BLOCK_TAGS:
                yield "\n"
            continue
        if tag == "-text":
            yield current.text_content or ""
            continue
        if tag == "br":
            yield "\n"
            continue
        if tag in _BLOCK_TAGS:
            yield "\n"
        stack.append((current, True))
        children = list(current.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))


def _inner_text(node: LexborNode) -> str:
    """The text inside a node (a cell), newlines at its blocks and <br>."""
    return "".join(piece for child in node.iter(include_text=True) for piece in _walk(child))


def _content(
    node: LexborNode, clean: Callable[[str], str] = clean_line
) -> tuple[list[str], list[Table]]:
    """Text lines (data tables left out) and the data tables of a node, in document order."""
    pieces: list[str] = []
    tables: list[Table] = []
    stack: list[tuple[LexborNode, bool]] = [(node, False)]
    while stack:
        current, closing = stack.pop()
        tag = current.tag
        if closing:
            if tag in _BLOCK_TAGS or tag in _CELL_TAGS:
                pieces.append("\n")
            continue
        if tag == "-text":
            pieces.append(current.text_content or "")
            continue
        if tag == "br":
            pieces.append("\n")
            continue
        if tag == "table":
            rows = _own_rows(current)
            if not _is_layout(rows):
                pieces.append("\n")
                for caption in current.iter():
                    if caption.tag == "caption":
                        pieces.extend(["".join(_walk(caption)), "\n"])
                table = finish_grid(_grid(rows))
                if table is not None:
                    tables.append(table)
                continue
        if tag in _BLOCK_TAGS or tag in _CELL_TAGS:
            pieces.append("\n")
        stack.append((current, True))
        children = list(current.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    return [clean(line) for line in "".join(pieces).split("\n")], tables


def _own_rows(table: LexborNode) -> list[list[LexborNode]]:
    """The cells of each row of a table, without those of nested tables."""
    rows: list[list[LexborNode]] = []
    for child in table.iter():
        trs = [child] if child.tag == "tr" else []
        if child.tag in _ROW_GROUPS:
            trs = [tr for tr in child.iter() if tr.tag == "tr"]
        rows.extend([cell for cell in tr.iter() if cell.tag in _CELL_TAGS] for tr in trs)
    return rows


def _is_layout(rows: list[list[LexborNode]]) -> bool:
    """True for a table used for page layout: one cell, or cells holding paragraphs of text."""
    cells = [cell for row in rows for cell in row]
    if len(cells) <= 1:
        return True
    for cell in cells:
        if cell.css_first("table") is not None:
            return True
        lines = [clean_line(line) for line in _inner_text(cell).split("\n")]
        if sum(map(len, lines)) > _LAYOUT_CELL_CHARS:
            return True
        if any(len(line) > _LAYOUT_BLOCK_CHARS for line in lines):
            return True
    return False


def _grid(rows: list[list[LexborNode]]) -> list[list[str]]:
    """The HTML table model: each cell's text in every (row, column) its spans cover."""
    taken: dict[tuple[int, int], str] = {}
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            rowspan = _span(cell, "rowspan", len(rows) - r)
            colspan = min(_span(cell, "colspan", 1), MAX_SPAN)
            check_cells(len(taken) + rowspan * colspan)  # spans multiply: bound the work first
            text = cell_text(_inner_text(cell))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken[(r + dr, c + dc)] = text
            c += colspan
    width = max((col + 1 for _, col in taken), default=0)
    check_cells(width * len(rows))  # empty rows still become grid rows
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _span(cell: LexborNode, name: str, rest: int) -> int:
    """A rowspan/colspan attribute as a count; 0 or a rowspan past the end means "to the end"."""
    span = span_value(cell.attributes.get(name))
    if name == "rowspan":
        return rest if span == 0 or span > rest else span
    return max(span, 1)
