"""What to follow on a page: report links, pagination and attachments. Pure: HTML in, URLs out.

A listing page (the annual-report column) links to reports and to its next pages; a report page
may link its PDF/DOCX attachments. Which anchors count is the site's LinkRules and Pagination.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from producers.sites import LinkRules, Pagination

YEAR = re.compile(r"(?:19|20)\d{2}")
ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps")
# TRS-generated columns (most Chinese government sites) draw their pager in JavaScript:
# createPageHTML(total_pages, current_index, "index", "html") → index.html, index_1.html, ...
TRS_PAGER = re.compile(
    r"createPageHTML\(\s*[\"']?(\d+)[\"']?\s*,\s*[\"']?(\d+)[\"']?\s*,\s*[\"'](\w+)[\"']\s*,"
    r"\s*[\"'](\w+)[\"']"
)
INDEX_N = re.compile(r"(?:^|/)index_(\d+)\.s?html?$")
MAX_LINKS = 5000  # anchors read per page: a hostile page cannot make the frontier explode

Kind = Literal["listing", "report", "attachment"]


@dataclass(frozen=True)
class Link:
    """A URL to visit, what it is, and the words that led to it."""

    url: str
    kind: Kind
    text: str = ""


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def parse(html: str) -> LexborHTMLParser:
    """A parsed HTML tree."""
    return LexborHTMLParser(html)


def page_base(tree: LexborHTMLParser, url: str) -> str:
    """The URL relative links resolve against: <base href> if the page sets one."""
    base = tree.css_first("base[href]")
    href = (base.attributes.get("href") or "").strip() if base else ""
    return urljoin(url, href) if href else url


def absolute(base: str, href: str) -> str | None:
    """An absolute http(s) URL without fragment, or None for javascript:, mailto:, etc."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    url, _ = urldefrag(urljoin(base, href))
    return url if urlsplit(url).scheme in {"http", "https"} else None


def _anchors(tree: LexborHTMLParser, base: str) -> list[tuple[str, str]]:
    """(url, label) of each anchor, label being its text or else its title."""
    found = []
    for anchor in tree.css("a[href]")[:MAX_LINKS]:
        url = absolute(base, anchor.attributes.get("href") or "")
        if url is None:
            continue
        text = " ".join(anchor.text(separator=" ").split())
        title = (anchor.attributes.get("title") or "").strip()
        found.append((url, text if len(text) >= len(title) else title))
    return found


def is_report_title(label: str, rules: LinkRules) -> bool:
    """Does an anchor's words name an annual report (and not a commentary on one)?"""
    if not any(p.search(label) for p in _compiled(tuple(rules.include))):
        return False
    if any(p.search(label) for p in _compiled(tuple(rules.exclude))):
        return False
    return not rules.require_year or bool(YEAR.search(label))


def report_links(tree: LexborHTMLParser, url: str, rules: LinkRules) -> list[Link]:
    """Report links of a listing page, in page order, each URL once, never the page itself."""
    base = page_base(tree, url)
    seen = {url}
    links = []
    for target, label in _anchors(tree, base):
        if target not in seen and is_report_title(label, rules):
            seen.add(target)
            links.append(Link(target, "report", label))
    return links


def attachment_links(tree: LexborHTMLParser, url: str) -> list[Link]:
    """PDF/DOC/DOCX/WPS files a report page links to (its attachments)."""
    base = page_base(tree, url)
    seen = set()
    links = []
    for target, label in _anchors(tree, base):
        if urlsplit(target).path.lower().endswith(ATTACHMENT_SUFFIXES) and target not in seen:
            seen.add(target)
            links.append(Link(target, "attachment", label))
    return links


def next_page_url(url: str, style: Literal["index_n", "query"], param: str = "page") -> str:
    """The listing page after this one, for columns paged as index_N.html or ?page=N."""
    parts = urlsplit(url)
    if style == "query":
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        current = int(query.get(param, "1")) if query.get(param, "1").isdigit() else 1
        query[param] = str(current + 1)
        return urlunsplit(parts._replace(query=urlencode(query)))
    path = parts.path
    if match := INDEX_N.search(path):
        number = int(match.group(1)) + 1
        path = path[: match.start(1)] + str(number) + path[match.end(1) :]
    else:
        directory = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        suffix = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else "html"
        path = f"{directory}index_1.{suffix}"
    return urlunsplit(parts._replace(path=path))


def pagination_links(
    tree: LexborHTMLParser, html: str, url: str, pagination: Pagination
) -> list[Link]:
    """Further listing pages this page points to, as its pager draws them (never itself).

    auto: "下一页"-style anchors, numbered anchors to index_N.html or ?page=N, and the TRS
    createPageHTML script. The index_n and query styles are generated by the crawler instead
    (it asks for the next page while pages keep yielding reports); next_link reads anchors only.
    """
    if pagination.style in {"none", "index_n", "query"}:
        return []
    base = page_base(tree, url)
    found: dict[str, None] = {}
    for target, label in _anchors(tree, base):
        numbered = label.isdigit() and _looks_paged(target, pagination)
        if label in pagination.next_texts or (pagination.style == "auto" and numbered):
            found[target] = None
    if pagination.style == "auto":
        for match in TRS_PAGER.finditer(html):
            total, name, suffix = int(match.group(1)), match.group(3), match.group(4)
            for number in range(1, min(total, pagination.max_pages)):
                found[urljoin(base, f"{name}_{number}.{suffix}")] = None
    found.pop(url, None)
    return [Link(target, "listing") for target in found]


def _looks_paged(url: str, pagination: Pagination) -> bool:
    parts = urlsplit(url)
    if INDEX_N.search(parts.path):
        return True
    return any(key == pagination.query_param for key, _ in parse_qsl(parts.query))
