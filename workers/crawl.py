"""crawl queue: one task, a pass over one site. Reads as: load the site, crawl it, go on later.

A pass runs within a time budget well under the task's time limit; a pass that is not done
sends itself again and resumes from the frontier kept in the crawl state.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import workers.publishing  # noqa: F401  (the crawler publishes through the wired port)
from nianbao import runtime
from nianbao.settings import get_settings
from producers.sites import Site
from schemas.messages import CrawlRequest
from workers.app import app
from workers.reliability import ReliableTask

# In-process (embedded), a short wait is slept through; a longer one hands the site back to the
# monitor's schedule, so one backed-off host never holds up every other site.
EAGER_WAIT = 30.0


def crawl_request(site: Site) -> dict:
    """The crawl-queue message for a site."""
    request = CrawlRequest(site=site.model_dump(mode="json"), requested_at=datetime.now(UTC))
    return request.model_dump(mode="json")


@app.task(name="nianbao.crawl.site", base=ReliableTask, bind=True)
def crawl_site(self: ReliableTask, message: dict) -> str:
    """Crawl one site: publish its new and changed pages; continue later if out of time."""
    site = Site.model_validate(CrawlRequest.model_validate(message).site)
    settings = get_settings()
    crawler = runtime.crawler()
    while True:
        if self.request.is_eager:  # in-process: the whole pass, unless a host asks for a while
            result = crawler.crawl(site)
        else:
            budget = settings.task_time_limit * 0.5
            result = crawler.crawl(site, budget=budget, lock_ttl=settings.task_time_limit * 2)
        if result.busy:
            return "busy: another crawler is on this site"
        if result.finished:
            return f"done: {len(result.enqueued)} page(s) enqueued, {len(result.errors)} error(s)"
        wait = result.retry_after or 0
        if not self.request.is_eager:  # out of time, or the host asked us to wait: resume later
            # A countdown is held unacknowledged by a worker: keep it under the visibility timeout.
            crawl_site.apply_async(args=[message], countdown=min(wait, settings.retry_backoff_max))
            return f"continues: {len(result.enqueued)} page(s) enqueued so far"
        if wait > EAGER_WAIT:  # the monitor (this same process) sends the site again when due
            runtime.crawl_state().set_next_due(site.id, time.time() + wait)
            return f"paused for {wait:.0f}s: {len(result.enqueued)} page(s) enqueued so far"
        time.sleep(wait)
