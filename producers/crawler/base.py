"""What every part of a crawler shares: its collaborators, counters, fetch policies, robots.txt.

robots.txt is read through the same guarded, polite fetcher as every other request, under the
site's policy and the slice's deadline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from http.cookiejar import CookieJar
from ipaddress import IPv4Network, IPv6Network

from producers.crawler.contracts import CrawlDefaults, PassResult, Publish, Quarantine
from producers.fetch import Fetcher, FetchError, FetchPolicy, Response, Validators
from producers.fetch.browser import BrowserFetcher
from producers.fetch.policy import TlsOptions
from producers.politeness import Robots, RobotsDeferred
from producers.sites import Site
from producers.state import CrawlState, StateRobotsCache

log = logging.getLogger("producers.crawler")


class CrawlerBase:
    """The collaborators of a crawler, its counters and the fetch policy of a site."""

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
        self._jar: CookieJar | None = None  # the pass's cookies (listing -> detail pages)
        self._browser: BrowserFetcher | None = None
        self.robots = Robots(StateRobotsCache(state), self._fetch_robots)

    def _get(
        self, site: Site, kind: str, url: str, policy: FetchPolicy, validators: Validators | None
    ) -> Response:
        """A page through the browser (render = "browser", HTML pages) or the plain fetcher."""
        if site.render != "browser" or kind == "attachment":
            return self.fetcher.get(url, policy, validators)
        if self._browser is None:
            self._browser = BrowserFetcher(
                self.fetcher, self.defaults.browser, self.defaults.browser_timeout
            )
        ua = policy.user_agent

        def allowed(target: str) -> bool:
            if not site.politeness.obey_robots:
                return True
            try:
                return self.robots.allowed(target, ua)
            except RobotsDeferred:
                return False

        return self._browser.get(url, policy, allowed)

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
            proxy=site.proxy or self.defaults.proxy,
            tls=TlsOptions(verify=site.tls.verify, ca_bundle=site.tls.ca_bundle),
            cookies=self._jar,
            # the slice's deadline is on self.clock; the fetcher counts on time.monotonic
            deadline=None if deadline is None else time.monotonic() + (deadline - self.clock()),
        )

    def _fetch_robots(self, url: str) -> tuple[int, str]:
        """robots.txt through the same guarded, polite fetcher as every other request."""
        if self._site is None:
            raise RuntimeError("robots.txt asked for outside a pass")
        # Google reads the first 500 KiB of a robots.txt
        policy = replace(
            self._base_policy(self._site, self._deadline), max_body_bytes=500_000, cookies=None
        )
        try:
            response = self.fetcher.get(url, policy)
        except FetchError as error:
            if error.reason == "deadline":  # our time ran out, not the site's fault
                raise RobotsDeferred(error.retry_after) from error
            # A status is the server's answer; anything else (network, refused address): none.
            return (error.status or 0), ""
        return response.status, response.body.decode("utf-8", errors="replace")
