"""One crawl pass over one site: listing pages → report pages → attachments → the pages queue.

Only what is new or changed is published. Every URL is fetched conditionally (ETag and
Last-Modified kept per URL in the crawl state); a 304, or a 200 whose body hashes as before,
publishes nothing. The frontier of the pass lives in the crawl state too, so a pass cut short
(a time budget, a killed process) resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Network, IPv6Network
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from nianbao.core.errors import PageRejected
from nianbao.core.text import decode
from producers import links as linkfinder
from producers.fetch import Fetcher, FetchError, FetchPolicy, Response, Validators
from producers.netguard import Blocked, check_url
from producers.politeness import Robots, RobotsDeferred
from producers.sites import Site
from producers.state import CrawlState, StateRobotsCache, UrlState
from schemas.messages import FetchedPage, SiteHints

log = logging.getLogger(__name__)

HTML_TYPES = {"text/html", "application/xhtml+xml"}
KINDS = ("listing", "report", "attachment")
# A fetch cut short by the end of a slice is retried first thing in the next slice; one that
# never fits in a slice is given up for this pass after this many cuts.
MAX_CUTS = 2
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
# A visit that raises (a bug, an outage) is retried in the next slices, then given up this pass.
MAX_VISIT_FAILURES = 2
# robots.txt unreadable (5xx, network, or no time left): the item waits this long, this often.
ROBOTS_RETRY = 300.0
MAX_ROBOTS_TRIES = 2
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


class Publish(Protocol):
    """Where a new or changed page goes (producers.publish.publish: object store, pages queue)."""

    def __call__(
        self,
        body: bytes,
        *,
        url: str,
        site_id: str,
        content_type: str,
        final_url: str | None = ...,
        http_status: int | None = ...,
        encoding: str | None = ...,
        link_text: str | None = ...,
        referrer: str | None = ...,
        hints: SiteHints | None = ...,
    ) -> FetchedPage: ...


Visit = Literal["done", "later", "abandon"]
Quarantine = Callable[[str, str, str, str, str | None, str | None], None]
"""(url, site_id, reason, detail, referrer, link_text): a page that could not be fetched."""


@dataclass
class PassResult:
    """What one pass (or one slice of a pass, when it ran out of budget) did."""

    site_id: str
    finished: bool = False
    resumed: bool = False
    busy: bool = False
    abandoned: bool = False  # robots.txt unreachable: the pass stopped, to be tried again
    retry_after: float | None = None  # cut short by a host's back-off: go on after this long
    enqueued: list[FetchedPage] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CrawlDefaults:
    """Process-wide values a site entry may leave unset."""

    user_agent: str
    max_body_bytes: int


class SiteCrawler:
    """Crawls sites one pass at a time with a shared fetcher, state and host gate."""

    def __init__(
        self,
        state: CrawlState,
        fetcher: Fetcher,
        publish: Publish,
        quarantine: Quarantine,
        defaults: CrawlDefaults,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = state
        self.fetcher = fetcher
        self.publish = publish
        self.quarantine = quarantine
        self.defaults = defaults
        self.clock = clock
        self._site: Site | None = None
        self._deadline: float | None = None
        self._networks: tuple[IPv4Network | IPv6Network, ...] = ()
        self._rules: dict[str, str | None] = {}
        self.robots = Robots(StateRobotsCache(state), self._fetch_robots)

    # -- one pass ---------------------------------------------------------------------------

    def crawl(
        self, site: Site, *, budget: float | None = None, lock_ttl: float = 1800
    ) -> PassResult:
        """Run (or resume) the site's pass; stop early when `budget` seconds are spent.

        The site lock is renewed after every item; a crawler that lost it (it stalled past the
        lock's ttl and another process took the site over) stops at once.
        """
        result = PassResult(site.id)
        token = self.state.lock_site(site.id, lock_ttl)
        if token is None:  # another crawler process is on this site right now
            result.busy = True
            return result
        deadline = None if budget is None else self.clock() + budget
        self._site = site
        # Derived once per pass, not per URL: the site entry does not change under it.
        self._networks = site.networks()
        self._rules = {
            kind: rules_digest(site, kind) for kind in ("listing", "report", "attachment")
        }
        self.state.mark(site.id, last_attempt=time.time())
        try:
            seeds = [{"url": url, "kind": "listing", "page": 0} for url in site.start_urls]
            result.resumed = self.state.begin_pass(site.id, seeds)
            while deadline is None or self.clock() < deadline:
                item = self.state.pop(site.id)
                if item is None:
                    result.finished = True
                    break
                try:
                    outcome = self._visit(site, item, result, deadline)
                except Exception as exc:
                    failures = item.get("failures", 0) + 1
                    if failures <= MAX_VISIT_FAILURES:  # first in line again when we come back
                        self.state.requeue(site.id, {**item, "failures": failures})
                        raise
                    log.exception("crawl %s: giving up on %s this pass", site.id, item["url"])
                    result.errors.append(f"{item['url']}: {type(exc).__name__}: {exc}")
                    self._count(site, result, errors=1)
                    outcome = "done"
                if outcome == "later":
                    break  # out of time for this item: it waits at the head of the frontier
                if not self.state.extend_lock(site.id, token, lock_ttl):
                    # Another crawler took the site over (this one stalled past the lock's ttl):
                    # the frontier is its business now, this item included.
                    result.errors.append(f"{site.id}: lost the site lock; another crawler goes on")
                    return result
                self.state.done(site.id, item)
                if outcome == "abandon":
                    result.finished = result.abandoned = True
                    break
            if result.finished:
                self.state.end_pass(site.id)
                if not result.counts["listing_errors"]:
                    self.state.mark(site.id, last_success=time.time())
        finally:
            self.state.unlock_site(site.id, token)
        return result

    def _visit(
        self, site: Site, item: dict[str, Any], result: PassResult, deadline: float | None
    ) -> Visit:
        """Visit one frontier item: done, later (no time left: item put back), or abandon."""
        url, kind = item["url"], item["kind"]
        previous = self.state.get_url(site.id, url)
        if previous and previous.refused and time.time() - previous.checked_at < REFUSED_RECHECK:
            self._count(site, result, skipped_refused=1)  # quarantined already; not yet again
            return "done"
        try:  # a hostile or off-site URL is refused before anything, robots.txt included
            check_url(
                url,
                allows_host=site.allows_host,
                allowed_networks=self._networks,
                resolve=self.fetcher.resolve,
            )
        except Blocked as blocked:
            retryable = blocked.reason == "unresolvable"
            error = FetchError(url, blocked.reason, blocked.detail, retryable=retryable)
            self._failed(site, item, error, result)
            return "done"
        self._deadline = deadline
        try:
            policy = self._policy(site, url, deadline)
            allowed = not site.politeness.obey_robots or self.robots.allowed(url, policy.user_agent)
        except RobotsDeferred as deferred:  # no time left in this slice to read robots.txt
            backed_off = deferred.args[0] if deferred.args else None
            tries = item.get("robots_tries", 0) + (backed_off is None)  # a back-off is no try
            if tries <= MAX_ROBOTS_TRIES:
                self.state.requeue(site.id, {**item, "robots_tries": tries})
                result.retry_after = backed_off
                return "later"
            allowed, unreachable = False, True
        else:
            unreachable = not allowed and self.robots.unreachable(url)
        if unreachable:
            # A provisional disallow, not a rule of the site. A listing waits for robots.txt a
            # few times (it is cached as unreachable for minutes), then the pass is given up as
            # failed; a page is skipped at once (no state kept: the next pass tries it again).
            tries = item.get("robots_tries", 0) + 1
            if kind == "listing" and tries <= MAX_ROBOTS_TRIES:
                self.state.requeue(site.id, {**item, "robots_tries": tries})
                result.retry_after = ROBOTS_RETRY
                return "later"
            error = FetchError(
                url, "robots_unreachable", "robots.txt could not be read", retryable=True
            )
            self._failed(site, item, error, result)
            return "abandon" if kind == "listing" else "done"
        if not allowed:
            self._count(site, result, robots_disallowed=1)
            return "done"
        try:
            response = self.fetcher.get(url, policy, _validators(previous, self._rules[kind]))
        except FetchError as error:
            if error.reason == "deadline" and error.retry_after is not None:
                self.state.requeue(site.id, item)  # the host backed off: wait for it
                result.retry_after = error.retry_after
                return "later"
            if error.reason == "deadline" and item.get("cut", 0) < MAX_CUTS:
                self.state.requeue(site.id, {**item, "cut": item.get("cut", 0) + 1})
                return "later"
            self._failed(site, item, error, result)
            return "done"
        self._follow(site, item, response, previous, result)
        return "done"

    def _follow(
        self,
        site: Site,
        item: dict[str, Any],
        response: Response,
        previous: UrlState | None,
        result: PassResult,
    ) -> None:
        """What a fetched URL yields: published if new or changed, remembered, links queued."""
        if response.status == 304:  # the fetcher takes a 304 only for validators we sent
            self._count(site, result, not_modified=1)
            found = [linkfinder.Link(**link) for link in (previous and previous.links) or []]
            digest = _hash(previous)
        else:
            self._count(site, result, fetched=1)
            digest = _sha256(response.body)
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

    # -- listing pages ----------------------------------------------------------------------

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
        html = _text(response)
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

    # -- report pages and attachments -------------------------------------------------------

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

    def _attachments(
        self, site: Site, item: dict[str, Any], response: Response
    ) -> list[linkfinder.Link]:
        if item["kind"] != "report" or not site.links.attachments:
            return []
        if response.content_type not in HTML_TYPES:
            return []
        return linkfinder.attachment_links(linkfinder.parse(_text(response)), response.final_url)

    # -- failures, counters, the frontier ---------------------------------------------------

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
        log.warning("crawl %s: %s", site.id, message)
        result.errors.append(message)
        blocked = error.reason in {"blocked_address", "off_domain", "bad_url", "unresolvable"}
        self._count(site, result, errors=1, blocked=int(blocked))
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

    def _count(self, site: Site, result: PassResult, **increments: int) -> None:
        increments = {key: value for key, value in increments.items() if value}
        result.counts.update(increments)
        if increments:
            self.state.count(site.id, **increments)

    def _policy(self, site: Site, url: str, deadline: float | None = None) -> FetchPolicy:
        """The fetch policy for a page: the site's limits, robots.txt's Crawl-delay included."""
        policy = self._base_policy(site, deadline)
        if not site.politeness.obey_robots:
            return policy
        asked = self.robots.crawl_delay(url, policy.user_agent) or 0.0
        return replace(policy, delay=max(policy.delay, asked))

    def _base_policy(self, site: Site, deadline: float | None) -> FetchPolicy:
        polite = site.politeness
        return FetchPolicy(
            allows_host=site.allows_host,
            allowed_networks=self._networks,
            timeout=polite.timeout,
            max_body_bytes=polite.max_body_bytes or self.defaults.max_body_bytes,
            max_retries=polite.max_retries,
            user_agent=polite.user_agent or self.defaults.user_agent,
            delay=polite.delay,
            concurrency=polite.concurrency,
            # the slice's deadline is on self.clock; the fetcher counts on time.monotonic
            deadline=None if deadline is None else time.monotonic() + (deadline - self.clock()),
        )

    def _fetch_robots(self, url: str) -> tuple[int, str]:
        """robots.txt through the same guarded, polite fetcher as every other request."""
        if self._site is None:
            raise RuntimeError("robots.txt asked for outside a pass")
        # Google reads the first 500 KiB of a robots.txt
        policy = replace(self._base_policy(self._site, self._deadline), max_body_bytes=500_000)
        try:
            response = self.fetcher.get(url, policy)
        except FetchError as error:
            if error.reason == "deadline":  # our time ran out, not the site's fault
                raise RobotsDeferred(error.retry_after) from error
            # A status is the server's answer; anything else (network, refused address): none.
            return (error.status or 0), ""
        return response.status, response.body.decode("utf-8", errors="replace")


def _validators(previous: UrlState | None, rules: str | None) -> Validators | None:
    """What to send back: nothing if the links were found under other rules (read it afresh)."""
    if previous is None or (rules is not None and previous.rules != rules):
        return None
    if not (previous.etag or previous.last_modified):
        return None
    return Validators(previous.etag, previous.last_modified, url=previous.final_url)


def rules_digest(site: Site, kind: str) -> str | None:
    """A digest of the rules that decide which links a page of this kind yields (None: none)."""
    if kind == "listing":
        rules: dict[str, Any] = {
            "links": site.links.model_dump(mode="json"),
            "pages": site.pagination.model_dump(),
        }
    elif kind == "report":
        rules = {"attachments": site.links.attachments}
    else:
        return None
    return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:16]


def _sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _hash(previous: UrlState | None) -> str | None:
    return previous.sha256 if previous else None


def _text(response: Response) -> str:
    try:
        return decode(response.body, response.encoding)[0]
    except PageRejected:
        return ""
