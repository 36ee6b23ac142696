"""A failed fetch: logged and counted, the page quarantined, a refused URL left alone a week."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from producers.crawler.base import CrawlerBase, log
from producers.crawler.contracts import PassResult
from producers.fetch import FetchError
from producers.sites import Site
from producers.state import UrlState

# A URL refused for what it is (too large, a bomb, a redirect loop, a blocked address) is tried
# again weekly; an HTTP error status (a 404, a firewall's 403/412) on the next pass.
REFUSED_RECHECK = 7 * 86400.0
REFUSED_FOR_WHAT_IT_IS = {
    "too_large",
    "decompression_bomb",
    "bad_encoding",
    "redirect_loop",
    "too_many_redirects",
    "blocked_address",
    "off_domain",
    "bad_url",
}
# Fetch failures that say something about the page itself (not the network or the server's
# mood): the page is quarantined with the reason, as a parsed page that fails would be.
PAGE_FAILURES = {
    "too_large",
    "decompression_bomb",
    "bad_encoding",
    "blocked_address",
    "off_domain",
    "unresolvable",
    "redirect_loop",
    "too_many_redirects",
    "http_status",
    "bad_url",
}


class Failures(CrawlerBase):
    """What a crawler does with a fetch that failed."""

    def _failed(
        self, site: Site, item: dict[str, Any], error: FetchError, result: PassResult
    ) -> None:
        url, kind = item["url"], item["kind"]
        generated_end = (
            kind == "listing"
            and item.get("page", 0) > 0
            and error.status in {404, 410}
            and site.pagination.style in {"index_n", "query"}
        )
        if generated_end:  # asked for page N+1 of a column that has N pages: the end
            return
        message = f"{url}: {error.reason}: {error.detail}"
        if error.reason == "waf_challenge" and site.render != "browser":
            message += ' (a JavaScript challenge: set render = "browser" for this site)'
        log.warning("crawl %s: %s", site.id, message)
        result.errors.append(message)
        blocked = error.reason in {"blocked_address", "off_domain", "bad_url", "unresolvable"}
        self._count(
            site,
            result,
            errors=1,
            blocked=int(blocked),
            waf_challenge=int(error.reason == "waf_challenge"),
            tls_errors=int(error.reason.startswith("tls_")),
        )
        if kind == "listing":
            self._count(site, result, listing_errors=1)
        self.state.mark(site.id, last_error=message[:500])
        if kind != "listing" and not error.retryable and error.reason in PAGE_FAILURES:
            self.quarantine(
                url, site.id, error.reason, error.detail, item.get("referrer"), item.get("text")
            )
            self._count(site, result, quarantined=1)
            if error.reason in REFUSED_FOR_WHAT_IT_IS:
                # Not fetched again (and re-quarantined) every pass: once a week is enough to
                # notice that the site fixed it. What was known of the URL is kept.
                previous = self.state.get_url(site.id, url) or UrlState()
                refused = replace(previous, refused=error.reason, checked_at=time.time())
                self.state.put_url(site.id, url, refused)
