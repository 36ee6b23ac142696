"""`nianbao monitor`: every tick, send the sites that are due onto the crawl queue.

The due times live in the crawl state and are claimed atomically, so two monitors (a restart
overlapping the old process, or a standby) never send one site twice for the same interval.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from threading import Event

from producers import recheck
from producers.sites import Site
from producers.state import CrawlState

Send = Callable[[Site], None]
log = logging.getLogger(__name__)


def send_due(
    sites: Iterable[Site], state: CrawlState, send: Send, now: float | None = None
) -> list[str]:
    """Claim the sites whose re-check time has come and send each; their ids, in file order."""
    by_id = {site.id: site for site in sites}
    now = time.time() if now is None else now
    intervals = {site.id: recheck.interval_at(site, now) for site in by_id.values()}
    claimed = set(state.claim_due(intervals, now))
    due = [site_id for site_id in by_id if site_id in claimed]
    sent = []
    for site_id in due:
        try:
            send(by_id[site_id])
        except Exception as exc:  # the broker is down: the site stays due for the next tick
            log.error("could not send %s to the crawl queue (%s); retrying next tick", site_id, exc)
            state.set_next_due(site_id, 0)
            continue
        sent.append(site_id)
    return sent


def after_pass(state: CrawlState, site: Site, failed: bool, now: float | None = None) -> None:
    """A failed pass is tried again sooner than its schedule (backing off); a success resets it."""
    now = time.time() if now is None else now
    failures = int(state.counters(site.id).get(site.id, {}).get("failed_passes", 0) or 0)
    if not failed:
        if failures:
            state.mark(site.id, failed_passes=0)
        return
    failures += 1
    state.mark(site.id, failed_passes=failures)
    retry = now + recheck.retry_delay(failures, recheck.interval_at(site, now))
    due = state.next_due(site.id)
    if due is None or retry < due:
        state.set_next_due(site.id, retry)
        log.info(
            "pass over %s failed (%d in a row); trying again at %.0f", site.id, failures, retry
        )


def run(
    sites: list[Site],
    state: CrawlState,
    send: Send,
    *,
    tick: float,
    once: bool = False,
    stop: Event | None = None,
    on_tick: Callable[[list[str]], None] | None = None,
) -> None:
    """Send due sites every `tick` seconds until stopped (or once)."""
    stop = stop or Event()
    while not stop.is_set():
        started = time.monotonic()
        try:
            due = send_due(sites, state, send)
        except Exception as exc:  # the crawl state's Redis is down: keep the monitor alive
            if once:
                raise
            log.error("monitor tick failed (%s); trying again in %.0fs", exc, tick)
            due = []
        if on_tick:
            on_tick(due)
        if once:
            return
        stop.wait(max(0.0, tick - (time.monotonic() - started)))
