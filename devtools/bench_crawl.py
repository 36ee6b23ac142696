"""`nianbao bench --crawl`: what a crawl pass costs, first time and when nothing changed.

A loopback site with a paginated column of N report pages (each with ETag and Last-Modified)
is crawled twice with delay 0: the first pass fetches everything, the second only asks
"changed?" and gets 304s. Pages are handed to a counting stub, so the figures are the crawler's
own (fetch, links, state), not the pipeline's. Each crawl-state backend is measured.
"""

from __future__ import annotations

import hashlib
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from devtools.datasets import SEEDS
from producers.crawler import CrawlDefaults, SiteCrawler
from producers.fetch import Fetcher
from producers.politeness import LocalHostGate, RedisHostGate
from producers.sites import Site
from producers.state import CrawlState, MemoryCrawlState, RedisCrawlState

PER_PAGE = 20  # report links per listing page, as on a typical column
SEED = SEEDS


def _pages(reports: int) -> dict[str, bytes]:
    """path -> body of the column's listing pages and report pages."""
    seeds = sorted(SEED.glob("*.txt"))
    texts = [path.read_text(encoding="utf-8") for path in seeds] or ["年度报告"]
    pages: dict[str, bytes] = {}
    listings = max(1, -(-reports // PER_PAGE))
    for number in range(listings):
        name = "index.html" if number == 0 else f"index_{number}.html"
        links = []
        for index in range(number * PER_PAGE, min(reports, (number + 1) * PER_PAGE)):
            year = 2008 + index % 17
            title = f"第{index}局{year}年政府信息公开工作年度报告"
            links.append(f'<li><a href="/art/{index}.html">{title}</a></li>')
            body = texts[index % len(texts)]
            pages[f"/art/{index}.html"] = (
                f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                f'<div class="article"><pre>{body}</pre></div></body></html>'
            ).encode()
        pager = f'<script>createPageHTML({listings}, {number}, "index", "html");</script>'
        pages[f"/nb/{name}"] = (
            f"<html><body><ul>{''.join(links)}</ul>{pager}</body></html>"
        ).encode()
    return pages


@contextmanager
def column(reports: int) -> Iterator[str]:
    """Serve the column on loopback; yields its first listing URL."""
    pages = _pages(reports)
    stamp = formatdate(time.time() - 86400, usegmt=True)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", stamp)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/nb/index.html"
    finally:
        server.shutdown()
        server.server_close()


def _counting(published: list[int]) -> Callable[..., dict[str, Any]]:
    """A publish stub that only counts: the pipeline is not what this measures."""

    def publish(body: bytes, **_: Any) -> dict[str, Any]:
        published.append(len(body))
        return {}

    return publish


def _pass(crawler: SiteCrawler, site: Site) -> tuple[float, int]:
    """(seconds, requests) of one pass."""
    began = time.perf_counter()
    result = crawler.crawl(site)
    seconds = time.perf_counter() - began
    return seconds, result.counts["fetched"] + result.counts["not_modified"]


def _peak_mib(site: Site) -> float:
    """Peak Python memory of a first pass on in-memory state (traced apart: tracing is slow)."""
    crawler = SiteCrawler(
        MemoryCrawlState(),
        Fetcher(LocalHostGate()),
        _counting([]),  # type: ignore[arg-type]
        lambda *_: None,
        CrawlDefaults(user_agent="nianbao-bench", max_body_bytes=20_000_000),
    )
    tracemalloc.start()
    crawler.crawl(site)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    crawler.fetcher.close()
    return peak


def measure(
    reports: int, backends: dict[str, Callable[[], tuple[CrawlState, Any]]]
) -> list[dict[str, float | str]]:
    """Two passes per backend over a column of `reports` pages."""
    rows: list[dict[str, float | str]] = []
    with column(reports) as start:
        site = Site(
            id="bench",
            start_urls=[start],
            allow_addresses=["127.0.0.0/8"],
            politeness={"delay": 0, "concurrency": 1, "obey_robots": False},
        )
        for name, open_backend in backends.items():
            state, gate = open_backend()
            published: list[int] = []
            publish = _counting(published)

            crawler = SiteCrawler(
                state,
                Fetcher(gate),
                publish,  # type: ignore[arg-type]
                lambda *_: None,
                CrawlDefaults(user_agent="nianbao-bench", max_body_bytes=20_000_000),
            )
            first, first_requests = _pass(crawler, site)
            new = len(published)
            again, again_requests = _pass(crawler, site)
            enqueued_again = len(published) - new
            crawler.fetcher.close()
            state.close()
            rows.append(
                {
                    "state": name,
                    "pages": float(new),
                    "first_ms": 1000 * first / max(1, first_requests),
                    "again_ms": 1000 * again / max(1, again_requests),
                    "ratio": again / first if first else 0.0,
                    "first_s": first,
                    "again_s": again,
                    "enqueued_again": float(enqueued_again),
                }
            )
        peak = _peak_mib(site)
    for row in rows:
        row["peak_mib"] = peak
    return rows


def backends(redis_url: str | None) -> tuple[dict[str, Callable[[], tuple[CrawlState, Any]]], Any]:
    """The crawl-state backends to measure, and a cleanup for their temporary files."""
    tmp = TemporaryDirectory()
    found: dict[str, Callable[[], tuple[CrawlState, Any]]] = {
        "memory": lambda: (MemoryCrawlState(), LocalHostGate()),
        "file (embedded)": lambda: (
            MemoryCrawlState(Path(tmp.name) / f"state-{time.monotonic_ns()}.json"),
            LocalHostGate(),
        ),
    }
    if redis_url:
        import redis

        def open_redis() -> tuple[CrawlState, Any]:
            client = redis.Redis.from_url(redis_url)
            prefix = f"nianbao:bench:{time.monotonic_ns()}"
            return RedisCrawlState(client, prefix=prefix), RedisHostGate(client, prefix=prefix)

        found["redis"] = open_redis
    return found, tmp.cleanup


def run_crawl_bench(console: Any, reports: int) -> None:
    """Measure every backend (Redis too when redis-server is installed) and print the table."""
    import shutil

    from rich.table import Table

    from devtools.services import RedisServer

    with TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        server = RedisServer(directory=tmp) if shutil.which("redis-server") else None
        if server is not None:
            server.start()
        try:
            found, cleanup = backends(server.url if server else None)
            try:
                with console.status(f"crawling a {reports}-report column twice per backend…"):
                    rows = measure(reports, found)
            finally:
                cleanup()
        finally:
            if server is not None:
                server.close()
    table = Table(
        "crawl state",
        "pages",
        "1st pass ms/request",
        "2nd pass ms/request (304)",
        "2nd / 1st time",
        "enqueued on 2nd",
        "peak MiB (1st, in memory)",
        title=f"crawl pass over {reports} report pages ({PER_PAGE} per listing), delay 0",
    )
    for row in rows:
        table.add_row(
            str(row["state"]),
            f"{row['pages']:.0f}",
            f"{row['first_ms']:.2f}",
            f"{row['again_ms']:.2f}",
            f"{row['ratio']:.2f}",
            f"{row['enqueued_again']:.0f}",
            f"{row['peak_mib']:.1f}",
        )
    console.print(table)
