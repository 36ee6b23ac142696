"""The links a fetched page yields: a listing's reports and next pages, a report's attachments.

Links on hosts the site does not allow are counted and dropped; the rest join the frontier.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from nianbao.core.errors import PageRejected
from nianbao.core.text import decode
from producers import links as linkfinder
from producers.crawler.base import CrawlerBase
from producers.crawler.contracts import PassResult
from producers.fetch import Response
from producers.sites import Site

HTML_TYPES = {"text/html", "application/xhtml+xml"}


class LinkFollowing(CrawlerBase):
    """Finding the links of a fetched page and queueing them."""

    def _flag_empty(self, site: Site, item: dict[str, Any], result: PassResult) -> None:
        """A start URL that lists no report: a wrong column, or titles the rules miss."""
        self._count(site, result, empty_listings=1)
        self.state.mark(
            site.id,
            last_error=f"{item['url']}: no report links found; check the site's "
            "start_urls and links.include (`nianbao sites check`)",
        )

    def _listing_links(
        self, site: Site, item: dict[str, Any], response: Response
    ) -> list[linkfinder.Link]:
        if response.content_type not in HTML_TYPES:
            return []
        html = page_text(response)
        tree = linkfinder.parse(html)
        reports = linkfinder.report_links(tree, response.final_url, site.links)
        pages = []
        if item.get("page", 0) + 1 < site.pagination.max_pages:
            pages = linkfinder.pagination_links(tree, html, response.final_url, site.pagination)
            style = site.pagination.style
            if style in {"index_n", "query"} and reports:
                following = linkfinder.next_page_url(
                    response.final_url, style, site.pagination.query_param
                )
                pages.append(linkfinder.Link(following, "listing"))
        # Columns list newest first; visiting a page's reports oldest first makes an original
        # the "new" report and its later republication the duplicate.
        return pages + reports[::-1]

    def _attachments(
        self, site: Site, item: dict[str, Any], response: Response
    ) -> list[linkfinder.Link]:
        if item["kind"] != "report" or not site.links.attachments:
            return []
        if response.content_type not in HTML_TYPES:
            return []
        return linkfinder.attachment_links(
            linkfinder.parse(page_text(response)), response.final_url
        )

    def _push(
        self,
        site: Site,
        referrer: str,
        found: list[linkfinder.Link],
        item: dict[str, Any],
        result: PassResult,
    ) -> None:
        items = []
        for link in found:
            host = urlsplit(link.url).hostname or ""
            if not site.allows_host(host):
                self._count(site, result, offsite=1)
                continue
            entry: dict[str, Any] = {"url": link.url, "kind": link.kind, "referrer": referrer}
            if link.text:
                entry["text"] = link.text
            if link.kind == "listing":
                entry["page"] = item.get("page", 0) + 1
            items.append(entry)
        if items:
            self.state.push(site.id, items)


def page_text(response: Response) -> str:
    """The page decoded as text ("" if it cannot be)."""
    try:
        return decode(response.body, response.encoding)[0]
    except PageRejected:
        return ""
