"""Raw page to main text: decode, find the content container, drop page chrome. No I/O.

A government page is mostly chrome (navigation, 信息索引 table, 字体 大中小, 分享到, 扫一扫,
上一篇/下一篇, footer). The same report published on two portals differs only there, so getting
the main text right is what makes exact-duplicate detection and parsing work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from selectolax.lexbor import LexborHTMLParser, LexborNode

from nianbao.core.errors import PageRejected
from nianbao.core.text import clean_line, decode

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

# Lines that are page chrome wherever they appear (header, share bar, footer).
_CHROME_LINE = re.compile(
    r"^(?:[•·●▪]\s*)?(?:"
    # labels: chrome only when followed by a colon, a space or nothing
    r"(?:(?:发布|更新|成文)(?:时间|日期)|来源|信息来源|文章来源|作者|浏览次数|点击数|阅读次数|访问量|"
    r"字体|字号|分享到|打印|关闭|收藏|我要纠错|当前位置|您当前的位置|相关链接|相关文件|"
    r"主办单位|承办单位|技术支持|网站地图|联系我们)(?:\s*[:：]|\s*$|\s)"
    # phrases: chrome wherever the line goes on
    r"|扫一扫|上一篇|下一篇|返回顶部|关闭窗口|网站标识码|[^\s]{0,6}ICP备|[^\s]{0,6}公网安备"
    r")",
)
_CHROME_ONLY = re.compile(
    r"^(?:[\[\]【】()（）\s|/]*(?:大|中|小|打印|关闭|收藏|首页|繁體版|简体版|ENGLISH|English|"
    r"无障碍|长者版|关怀版|微信|微博|QQ空间|[•·●])[\[\]【】()（）\s|/]*)+$"
)
_PUBLISHED = re.compile(
    r"(?:发布|成文|发文)(?:时间|日期)\s*[:：|]?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
_SOURCE = re.compile(r"(?:信息来源|文章来源|来源)\s*[:：]\s*([^\s|]{2,40})")


@dataclass(frozen=True)
class Document:
    """The main text of a page plus what its chrome and metadata say about it."""

    kind: Literal["html", "text"]
    text: str
    encoding: str
    title: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    published: str | None = None
    source: str | None = None

    @property
    def lines(self) -> list[str]:
        """Non-empty lines of the main text."""
        return [line for line in self.text.split("\n") if line]


def extract(body: bytes, content_type: str, encoding: str | None = None) -> Document:
    """Main text and metadata of an HTML or plain-text page.

    Raises PageRejected for bodies that are not text (binary, undecodable) or carry no text.
    """
    if content_type not in {"text/html", "application/xhtml+xml", "text/plain"}:
        raise PageRejected(
            "extract",
            "unsupported_content_type",
            f"cannot extract text from {content_type!r} yet (HTML and plain text only)",
        )
    text, codec = decode(body, encoding)
    looks_html = content_type != "text/plain" or re.search(
        r"<(?:html|body|div|p)\b", text[:2000], re.I
    )
    doc = _from_html(text, codec) if looks_html else _from_text(text, codec)
    if not doc.text.strip():
        raise PageRejected("extract", "empty", "the page has no main text")
    return doc


def _from_text(text: str, codec: str) -> Document:
    raw_lines = [clean_line(line) for line in text.splitlines()]
    header = "\n".join(raw_lines[:15])
    lines = [line for line in raw_lines if line and not is_chrome_line(line)]
    return Document(
        kind="text",
        text="\n".join(lines),
        encoding=codec,
        published=_find_published(header),
        source=_find_source(header),
    )


def _from_html(html: str, codec: str) -> Document:
    tree = LexborHTMLParser(html)
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
    full_text = "\n".join(_block_lines(body)) if body is not None else ""
    lines = (
        [line for line in _block_lines(container) if line and not is_chrome_line(line)]
        if container is not None
        else []
    )
    return Document(
        kind="html",
        text="\n".join(lines),
        encoding=codec,
        title=clean_line(title) if title else None,
        meta=meta,
        published=_find_published(meta.get("pubdate", "")) or _find_published(full_text),
        source=meta.get("contentsource") or _find_source(full_text),
    )


def _content_container(tree: LexborHTMLParser) -> LexborNode | None:
    for selector in CONTENT_SELECTORS:
        node = tree.css_first(selector)
        if node is not None and len(node.text(strip=True)) >= _MIN_CONTAINER_CHARS:
            return node
    return None


def _block_lines(node: LexborNode) -> list[str]:
    """The text of a node, one line per block element, table cells joined by ' | '."""
    return [clean_line(line) for line in "".join(_walk(node)).split("\n")]


def _walk(node: LexborNode) -> Iterator[str]:
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


def is_chrome_line(line: str) -> bool:
    """True for a line that is page chrome (share bar, breadcrumb, footer), not report text."""
    if len(line) > 80:
        return False
    return bool(_CHROME_LINE.match(line) or _CHROME_ONLY.match(line))


def _find_published(text: str) -> str | None:
    match = _PUBLISHED.search(text) or re.match(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def _find_source(text: str) -> str | None:
    match = _SOURCE.search(text)
    return match.group(1) if match else None
