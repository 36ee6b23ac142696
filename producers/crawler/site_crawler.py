"""One crawl pass over one site: the site lock, the frontier loop, the visit of one item.

Every URL is fetched conditionally (ETag and Last-Modified kept per URL in the crawl state). The
frontier of the pass lives in the crawl state too, so a pass cut short (a time budget, a killed
process) resumes where it stopped.
"""

from __future__ import annotations

import time
from http.cookiejar import CookieJar
from typing import Any

from producers import schedule
from producers.crawler.base import log
from producers.crawler.contracts import PassResult, Visit
from producers.crawler.failures import REFUSED_RECHECK, Failures
from producers.crawler.pages import PageHandling
from producers.crawler.url_memory import rules_digest, validators_for
from producers.fetch import FetchError
from producers.netguard import Blocked, check_url
from producers.politeness import RobotsDeferred
from producers.sites import Site

# A fetch cut short by the end of a slice is retried first thing in the next slice; one that
# never fits in a slice is given up for this pass after this many cuts.
MAX_CUTS = 2
# A visit that raises (a bug, an outage) is retried in the next slices, then given up this pass.
MAX_VISIT_FAILURES = 2
# robots.txt unreadable (5xx, network, or no time left): the item waits this long, this often.
ROBOTS_RETRY = 300.0
MAX_ROBOTS_TRIES = 2


class SiteCrawler(PageHandling, Failures):
    """Crawls sites one pass at a time with a shared fetcher, state and host gate."""

    _jars: dict[str, CookieJar]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._jars = {}  # site id -> the cookie jar of its pass in this process

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
        if not site.tls.verify:
            warning = f"{site.id}: tls.verify = false: certificates are not checked on this site"
            log.warning("crawl %s", warning)
            result.warnings.append(warning)
        try:
            seeds = [{"url": url, "kind": "listing", "page": 0} for url in site.start_urls]
            result.resumed = self.state.begin_pass(site.id, seeds)
            # Cookies live for a pass in this process (a resumed slice keeps the jar it had).
            if not result.resumed or site.id not in self._jars:
                self._jars[site.id] = CookieJar()
            self._jar = self._jars[site.id]
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
                self._jars.pop(site.id, None)
                failed = result.abandoned or bool(result.counts["listing_errors"])
                if not failed:
                    self.state.mark(site.id, last_success=time.time())
                schedule.after_pass(self.state, site, failed)  # a failure: tried again sooner
        finally:
            self._jar = None
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
            response = self._get(
                site, kind, url, policy, validators_for(previous, self._rules[kind])
            )
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
