"""`nianbao demo`: a local government site, crawled and run through every stage."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from devtools.datasets import SEEDS
from devtools.demo_site import DemoSite
from nianbao import redact, runtime
from nianbao.settings import get_settings
from producers.crawler import CrawlDefaults, PassResult, SiteCrawler
from producers.fetch import Fetcher
from producers.politeness import LocalHostGate
from producers.publish import publish, quarantine_unfetchable
from producers.sites import Site
from producers.state import MemoryCrawlState
from workers import publishing  # noqa: F401  (wires publishing to the in-process workers)


def _free(port: int) -> int:
    """The port if it is free (so reruns see the same URLs), else any free port."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return port
        except OSError:
            return 0


def _drain(timeout: float = 120.0) -> None:
    """In distributed mode, wait until the workers have emptied both queues."""
    from workers.app import queue_depths

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        depths = queue_depths()
        if not depths or not any(depths.values()):
            time.sleep(1.0)  # the last message may still be running
            return
        time.sleep(0.5)


def run_demo(console: Console, seeds: Path | None, port: int) -> None:
    """Serve, crawl, process, and print what happened and where it went."""
    settings = get_settings()
    seeds = seeds or SEEDS
    if not seeds.is_dir():
        raise SystemExit(f"no seed folder at {seeds}: pass --seeds DIR")
    mode = (
        "embedded (SQLite, local objects, in-process tasks)"
        if settings.embedded
        else (f"distributed (broker {redact.url(settings.broker_url)})")
    )
    console.print(f"[bold]nianbao demo[/] — {mode}")
    repo = runtime.repository()
    before = repo.counts()
    with DemoSite(seeds, port=_free(port)) as site:
        console.print(f"local government site: {site.listing_url}")
        # The demo site lives on loopback, which a real site entry may not reach: this one
        # allows it explicitly. Its crawl state is in memory, so every demo starts afresh.
        demo = Site(
            id="demo-site",
            start_urls=[site.listing_url],
            allow_addresses=["127.0.0.0/8"],
            politeness={"delay": 0, "timeout": 10},
        )
        crawler = SiteCrawler(
            MemoryCrawlState(),
            Fetcher(LocalHostGate()),
            publish=publish,
            quarantine=quarantine_unfetchable,
            defaults=CrawlDefaults(settings.crawl_user_agent, settings.max_body_bytes),
        )
        with console.status("crawling and processing…"):
            result = crawler.crawl(demo)
            if not settings.embedded:
                _drain()
        with console.status("crawling again (a monitoring pass)…"):
            again = crawler.crawl(demo)
        crawler.fetcher.close()
        titles = {page.path: page.title for page in site.pages}
    after = repo.counts()
    outcomes = repo.page_outcomes(page.url for page in result.enqueued)

    table = Table("page", "title", "outcome", title="pages fetched")
    for page in result.enqueued:
        path = page.url.split("/", 3)[-1]
        outcome = outcomes.get(page.url, "pending")
        style = {"new": "green", "exact_duplicate": "cyan"}.get(outcome, "yellow")
        table.add_row(
            "/" + path, titles.get("/" + path, page.link_text or ""), f"[{style}]{outcome}[/]"
        )
    console.print(table)

    decisions = list(outcomes.values())
    summary = Table(
        "pages fetched",
        "new reports",
        "duplicates found",
        "quarantined",
        "reports stored (total)",
        title="summary",
    )
    summary.add_row(
        str(len(result.enqueued)),
        str(after["reports"] - before["reports"]),
        str(decisions.count("exact_duplicate")),
        str(sum(d.startswith("quarantined") for d in decisions)),
        str(after["reports"]),
    )
    console.print(summary)
    for error in result.errors:
        console.print(f"[yellow]fetch error:[/] {error}")
    _print_second_pass(console, again)
    console.print(f"database: {redact.url(settings.effective_database_url)}")
    console.print(f"objects:  {runtime.object_store().location()}")
    first = repo.list_reports(limit=1)
    if first:
        console.print(
            f"look at one record: [bold]nianbao reports show {first[0].id}[/]   "
            "all of them: [bold]nianbao export --format jsonl[/]"
        )


def _print_second_pass(console: Console, again: PassResult) -> None:
    """What monitoring costs once nothing changed: conditional requests, nothing enqueued."""
    counts = again.counts
    console.print(
        f"second pass over the same site: {counts['not_modified']} not modified (304), "
        f"{counts['unchanged']} unchanged, {len(again.enqueued)} enqueued"
    )
