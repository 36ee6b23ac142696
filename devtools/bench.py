"""`nianbao bench`: what each stage costs per page, and what the queue costs end to end.

Timings on a shared machine are noisy, so end-to-end pages/s is printed beside the rate of a
no-op task measured in the same run, with the same broker and workers: the ratio is the figure
to compare between machines and commits.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from devtools.demo_site import DemoSite
from nianbao.core.extract import extract
from nianbao.core.fingerprint import exact_key, folded_content
from nianbao.core.parse import parse
from nianbao.core.similarity import signature
from nianbao.core.validate import validate

_CONTAINER = re.compile(r'(<div[^>]+id="(?:zoom|ivs_content)"[^>]*>)')
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"


def seed_pages() -> list[bytes]:
    """The seed reports as a government site serves them (HTML with chrome)."""
    with DemoSite(SEEDS) as site:
        return [
            urllib.request.urlopen(site.base_url + page.path, timeout=10).read()
            for page in site.pages
            if page.expected in {"report", "duplicate"}
        ]


def _fingerprints(text: str) -> tuple[str, list[int]]:
    folded = folded_content(text)
    return exact_key(folded), signature(folded)


def _ms_per_page(func: Callable[[], object], pages: int, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000 / pages)
    return statistics.median(samples)


def stage_costs(rounds: int) -> list[tuple[str, float]]:
    """Median ms per page of each stage of the pure core, and of the store (SQLite)."""
    from nianbao.storage.migrate import upgrade
    from nianbao.storage.repository import Repository, make_engine
    from schemas.messages import FetchedPage, ParsedPage

    bodies = seed_pages()
    docs = [extract(body, "text/html") for body in bodies]
    fields = [parse(doc) for doc in docs]
    records = [validate(f) for f in fields]
    results = [
        (
            "extract",
            _ms_per_page(lambda: [extract(b, "text/html") for b in bodies], len(bodies), rounds),
        ),
        (
            "dedup (exact key + MinHash)",
            _ms_per_page(lambda: [_fingerprints(d.text) for d in docs], len(docs), rounds),
        ),
        ("parse", _ms_per_page(lambda: [parse(d) for d in docs], len(docs), rounds)),
        ("validate", _ms_per_page(lambda: [validate(f) for f in fields], len(fields), rounds)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        upgrade(engine)
        repo = Repository(engine)
        counter = iter(range(10**9))
        now = datetime.now(UTC)

        def store_all() -> None:
            for record in records:
                n = next(counter)
                page = FetchedPage(
                    url=f"https://bench.gov.cn/{n}.html",
                    final_url=f"https://bench.gov.cn/{n}.html",
                    site_id="bench",
                    fetched_at=now,
                    content_type="text/html",
                    sha256=f"{n:064x}",
                    size=1,
                    body_ref=f"raw/{n}",
                )
                repo.save_report(
                    ParsedPage(page=page, record=record, fingerprint=f"{n:064x}", text_length=1)
                )

        results.append(("store (SQLite)", _ms_per_page(store_all, len(records), rounds)))
        engine.dispose()
    return results


def fifty_kb_page() -> bytes:
    """A realistic ~50 KB government page: a full 2021-format report with its tables, in chrome.

    Government pages are that size mostly because of navigation menus and footers; if the
    report page is smaller, the padding added is exactly that (links outside the content).
    """
    full = ROOT / "tests" / "fixtures" / "gb" / "gb2021_full.html"
    html = (full.read_bytes() if full.exists() else seed_pages()[0]).decode("utf-8")
    menu = "".join(
        f'<li><a href="/col/col{i}/index.html">栏目导航{i}：政务公开</a></li>' for i in range(20)
    )
    while len(html.encode()) < 50_000:
        html = html.replace("</body>", f'<div class="nav-menu"><ul>{menu}</ul></div></body>', 1)
    return html.encode("utf-8")


def parse_vs_trafilatura(rounds: int) -> dict[str, float]:
    """ms for our whole parse (extraction to validated record) vs trafilatura's extraction."""
    import trafilatura

    from nianbao.core.pipeline import analyse

    page = fifty_kb_page()
    text = page.decode("utf-8")
    ours = _ms_per_page(lambda: analyse(page, content_type="text/html"), 1, rounds)
    theirs = _ms_per_page(lambda: trafilatura.extract(text), 1, rounds)
    fast = _ms_per_page(lambda: trafilatura.extract(text, fast=True), 1, rounds)
    return {
        "bytes": len(page),
        "nianbao_ms": ours,
        "trafilatura_ms": theirs,
        "trafilatura_fast_ms": fast,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalRedis:
    """A throwaway redis-server on a free loopback port, without persistence; ready on return."""

    def __init__(self, directory: Path) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed: run `make bench` (it installs it)")
        import redis

        port = _free_port()
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        try:
            _wait(lambda: _pings(client), 10, "redis-server")
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server."""
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)


def end_to_end(pages: int, workers: int) -> dict[str, float]:
    """Pages/s through Redis and real worker processes, and no-op tasks/s on the same setup."""
    from nianbao import runtime
    from producers.publish import publish
    from workers import publishing  # noqa: F401  (wires publishing to the worker system)
    from workers.app import reconfigure, worker_command
    from workers.probe import noop
    from workers.reliability import redis_client

    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    redis = LocalRedis(tmp)
    env = {
        "NIANBAO_BROKER_URL": redis.url,
        "NIANBAO_DATA_DIR": str(tmp / "data"),
    }
    if os.environ.get("NIANBAO_DATABASE_URL"):
        env["NIANBAO_DATABASE_URL"] = os.environ["NIANBAO_DATABASE_URL"]
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    reconfigure()
    log = tmp / "worker.log"
    worker = None
    try:
        client = redis_client()
        assert client is not None
        runtime.repository()  # migrate before the workers start
        worker = subprocess.Popen(
            worker_command("pages,store", workers, "--loglevel", "WARNING"),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        _wait(lambda: _noop_batch(noop, client, "warmup", 4 * workers) is not None, 60, "workers")
        noop_rate = _noop_rate(noop, client, pages)
        bodies = [b.decode() for b in seed_pages() if b]
        stamp = time.time_ns()
        start = time.perf_counter()
        for i in range(pages):  # distinct pages: each adds a source (most are near duplicates)
            body = _CONTAINER.sub(  # inside the main text, or dedup would merge them all
                rf"\1<p>bench {stamp} {i}</p>", bodies[i % len(bodies)], count=1
            )
            publish(
                body.encode(),
                url=f"https://bench.gov.cn/{stamp}/{i}.html",
                site_id="bench",
                content_type="text/html",
            )
        repo = runtime.repository()
        _wait(lambda: repo.counts()["sources"] >= pages, 600, "pages to be stored")
        page_rate = pages / (time.perf_counter() - start)
        return {"noop_per_s": noop_rate, "pages_per_s": page_rate}
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        redis.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reconfigure()
        shutil.rmtree(tmp, ignore_errors=True)


def _pings(client: object) -> bool:
    try:
        return bool(client.ping())  # type: ignore[attr-defined]
    except Exception:
        return False


def _noop_batch(noop: object, client: object, name: str, count: int) -> float | None:
    counter = f"nianbao:bench:{name}:{time.time_ns()}"
    start = time.perf_counter()
    for _ in range(count):
        noop.delay(counter)  # type: ignore[attr-defined]
    _wait(lambda: int(client.get(counter) or 0) >= count, 120, "no-op tasks")  # type: ignore[attr-defined]
    return time.perf_counter() - start


def _noop_rate(noop: object, client: object, count: int) -> float:
    elapsed = _noop_batch(noop, client, "noop", count)
    assert elapsed is not None
    return count / elapsed


def run_bench(
    console: Console, *, pages: int, workers: int, rounds: int, e2e: bool
) -> dict[str, object]:
    """Print the per-stage table and, unless skipped, the end-to-end table; return the figures
    (`nianbao bench --json` prints them as one JSON object)."""
    costs = stage_costs(rounds)
    table = Table(
        "stage",
        "ms / page",
        title=f"per-stage cost (5 seed pages as HTML, median of {rounds} rounds)",
    )
    for name, ms in costs:
        table.add_row(name, f"{ms:.3f}")
    table.add_row("[bold]total[/]", f"[bold]{sum(ms for _, ms in costs):.3f}[/]")
    console.print(table)
    versus = parse_vs_trafilatura(rounds)
    compare = Table(
        "measure",
        "ms / page",
        title=f"a {versus['bytes'] / 1000:.0f} KB government HTML page, same run",
    )
    compare.add_row("nianbao: extract → parse → validate (record)", f"{versus['nianbao_ms']:.2f}")
    compare.add_row("trafilatura.extract (text only)", f"{versus['trafilatura_ms']:.2f}")
    compare.add_row("trafilatura.extract(fast=True)", f"{versus['trafilatura_fast_ms']:.2f}")
    compare.add_row(
        "[bold]ratio nianbao ÷ trafilatura[/]",
        f"[bold]{versus['nianbao_ms'] / versus['trafilatura_ms']:.2f}[/]",
    )
    console.print(compare)
    result: dict[str, object] = {
        "stages_ms": dict(costs),
        "page_bytes": versus["bytes"],
        "per_page_ms": round(versus["nianbao_ms"], 3),
        "trafilatura_default_ms": round(versus["trafilatura_ms"], 3),
        "trafilatura_fast_ms": round(versus["trafilatura_fast_ms"], 3),
        "ratio_vs_trafilatura_fast": round(versus["nianbao_ms"] / versus["trafilatura_fast_ms"], 3),
    }
    if not e2e:
        return result
    with console.status(f"end to end: {pages} pages, {workers} worker processes…"):
        figures = end_to_end(pages, workers)
    ratio = figures["pages_per_s"] / figures["noop_per_s"]
    e2e_table = Table(
        "measure",
        "value",
        title=f"end to end through Celery + Redis ({workers} worker processes, {pages} pages)",
    )
    e2e_table.add_row("no-op tasks / s", f"{figures['noop_per_s']:.1f}")
    e2e_table.add_row("pages / s (2 tasks each: pages + store)", f"{figures['pages_per_s']:.1f}")
    e2e_table.add_row("ms / page end to end", f"{1000 / figures['pages_per_s']:.2f}")
    e2e_table.add_row("[bold]pages/s ÷ no-op/s[/]", f"[bold]{ratio:.3f}[/]")
    console.print(e2e_table)
    return result | {
        "workers": workers,
        "e2e_pages_per_s": round(figures["pages_per_s"], 2),
        "noop_tasks_per_s": round(figures["noop_per_s"], 2),
        "e2e_ratio": round(ratio, 4),
    }
