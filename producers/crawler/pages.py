"""A fetched URL followed through: published if new or changed, remembered, its links queued.

Only what is new or changed is published: a 304, or a 200 whose body hashes as before,
publishes nothing.
"""

from __future__ import annotations

import time
from typing import Any

from producers import challenge
from producers import links as linkfinder
from producers.crawler.contracts import PassResult
from producers.crawler.following import HTML_TYPES, LinkFollowing, page_text
from producers.crawler.url_memory import previous_hash, sha256
from producers.fetch import FetchError, Response
from producers.sites import Site
from producers.state import UrlState
from schemas.messages import SiteHints


class PageHandling(LinkFollowing):
    """What becomes of a fetched page."""

    def _follow(
        self,
        site: Site,
        item: dict[str, Any],
        response: Response,
        previous: UrlState | None,
        result: PassResult,
    ) -> None:
        """What a fetched URL yields: published if new or changed, remembered, links queued."""
        if response.status == 200 and (why := self._challenged(response)):
            # A firewall's challenge served as 200: not the page, not a report, not remembered.
            error = FetchError(response.final_url, "waf_challenge", why, status=200)
            self._failed(site, item, error, result)  # type: ignore[attr-defined]  # Failures
            return
        if response.status == 304:  # the fetcher takes a 304 only for validators we sent
            self._count(site, result, not_modified=1)
            found = [linkfinder.Link(**link) for link in (previous and previous.links) or []]
            digest = previous_hash(previous)
        else:
            self._count(site, result, fetched=1)
            digest = sha256(response.body)
            if item["kind"] == "listing":
                found = self._listing_links(site, item, response)
                if item.get("page", 0) == 0 and not any(link.kind == "report" for link in found):
                    self._flag_empty(site, item, result)
            else:
                found = self._attachments(site, item, response)
                self._publish_if_changed(site, item, response, previous, digest, result)
        # Remembered only now: if publishing failed, the next pass fetches and publishes again.
        self._remember(site, item, response, digest, found)
        self._push(site, item["url"], found, item, result)

    def _challenged(self, response: Response) -> str | None:
        """Why a fetched HTML page is a WAF's JavaScript challenge, or None."""
        if response.content_type not in HTML_TYPES:
            return None
        return challenge.detect(response.body, 200, page_text(response))

    def _publish_if_changed(
        self,
        site: Site,
        item: dict[str, Any],
        response: Response,
        previous: UrlState | None,
        digest: str,
        result: PassResult,
    ) -> None:
        """Publish a report page or attachment unless its body hashes as last time."""
        if previous is not None and previous.sha256 == digest:
            self._count(site, result, unchanged=1)
            return
        page = self.publish(
            response.body,
            url=item["url"],
            final_url=response.final_url,
            site_id=site.id,
            http_status=response.status,
            content_type=response.content_type,
            encoding=response.encoding,
            link_text=item.get("text") or None,
            referrer=item.get("referrer"),
            hints=SiteHints(agency=site.agency, region=site.region, level=site.level),
        )
        result.enqueued.append(page)
        changed = previous is not None and previous.sha256 is not None
        self._count(site, result, enqueued=1, **{"changed" if changed else "new": 1})

    def _remember(
        self,
        site: Site,
        item: dict[str, Any],
        response: Response,
        digest: str | None,
        found: list[linkfinder.Link],
    ) -> None:
        """Validators, content hash and outgoing links of a URL, for the next pass."""
        state = UrlState(
            etag=response.etag,
            last_modified=response.last_modified,
            sha256=digest,
            links=[link.__dict__ for link in found],
            checked_at=time.time(),
            final_url=response.final_url,
            rules=self._rules[item["kind"]],
        )
        self.state.put_url(site.id, item["url"], state)
