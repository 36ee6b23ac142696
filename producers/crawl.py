"""A first, single-pass crawler: listing page → report links → fetch → enqueue.

Seams for the monitoring crawler to come: `Fetcher` (HTTP, limits), `report_links` (what to
follow), `crawl` (one pass). State, politeness and scheduling will wrap these, not replace them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
from selectolax.lexbor import LexborHTMLParser

from nianbao.core.text import decode
from producers.publish import publish
from producers.sniff import header_charset, sniff
from schemas.messages import FetchedPage

REPORT_LINK = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,8}(?:年度报告|年报)")
# A report link names its year; the column itself ("政府信息公开年报") does not.
YEAR = re.compile(r"(?:19|20)\d{2}")
NOT_REPORT_LINK = re.compile(r"解读|图解|一图读懂|问答")


class FetchError(Exception):
    """A fetch that failed: bad status, too large, or a transport error."""


@dataclass(frozen=True)
class Fetched:
    """A fetched body with what the server said about it."""

    url: str
    final_url: str
    status: int
    content_type: str
    encoding: str | None
    body: bytes


class Fetcher:
    """HTTP GET with a timeout, a redirect limit and a body-size cap."""

    def __init__(self, *, timeout: float, user_agent: str, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": user_agent},
        )

    def get(self, url: str) -> Fetched:
        """Fetch a URL; raises FetchError with a reason a person can act on."""
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise FetchError(f"{url}: HTTP {response.status_code}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(f"{url}: body over {self.max_bytes} bytes")
                    chunks.append(chunk)
                body = b"".join(chunks)
                header = response.headers.get("content-type")
                return Fetched(
                    url=url,
                    final_url=str(response.url),
                    status=response.status_code,
                    content_type=sniff(body, header, urlsplit(url).path),
                    encoding=header_charset(header),
                    body=body,
                )
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


@dataclass(frozen=True)
class Link:
    """A link found on a listing page."""

    url: str
    text: str


def report_links(html: bytes, base_url: str, encoding: str | None = None) -> list[Link]:
    """Links whose text looks like an annual report (not a 解读/图解), on the listing's host."""
    text, _ = decode(html, encoding)
    tree = LexborHTMLParser(text)
    host = urlsplit(base_url).hostname
    seen: set[str] = set()
    links = []
    for anchor in tree.css("a[href]"):
        label = anchor.text(strip=True) or anchor.attributes.get("title") or ""
        if not (REPORT_LINK.search(label) and YEAR.search(label)) or NOT_REPORT_LINK.search(label):
            continue
        url, _ = urldefrag(urljoin(base_url, anchor.attributes.get("href") or ""))
        if urlsplit(url).scheme not in {"http", "https"} or urlsplit(url).hostname != host:
            continue
        if url not in seen and url != base_url:
            seen.add(url)
            links.append(Link(url=url, text=label))
    return links


@dataclass
class CrawlResult:
    """What one pass did."""

    listings: int = 0
    enqueued: list[FetchedPage] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def crawl(
    start_urls: list[str],
    fetcher: Fetcher,
    *,
    site_id: str | None = None,
    on_link: Callable[[Link, FetchedPage | None], None] | None = None,
) -> CrawlResult:
    """Fetch each listing, follow its report links, enqueue every report page fetched."""
    result = CrawlResult()
    for start in start_urls:
        try:
            listing = fetcher.get(start)
        except FetchError as exc:
            result.errors.append(str(exc))
            continue
        result.listings += 1
        site = site_id or (urlsplit(start).hostname or "site")
        # Listings run newest first; oldest first makes the original the "new" report and a
        # later republication its duplicate.
        for link in reversed(report_links(listing.body, listing.final_url, listing.encoding)):
            try:
                fetched = fetcher.get(link.url)
            except FetchError as exc:
                result.errors.append(str(exc))
                if on_link:
                    on_link(link, None)
                continue
            page = publish(
                fetched.body,
                url=link.url,
                final_url=fetched.final_url,
                site_id=site,
                http_status=fetched.status,
                content_type=fetched.content_type,
                encoding=fetched.encoding,
                link_text=link.text,
                referrer=listing.final_url,
            )
            result.enqueued.append(page)
            if on_link:
                on_link(link, page)
    return result
