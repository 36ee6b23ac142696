"""`nianbao bench`: what each stage costs per page, and what the queue costs end to end.

Timings on a shared machine are noisy, so end-to-end pages/s is printed beside the rate of a
no-op task measured in the same run, with the same broker and workers: the ratio is the figure
to compare between machines and commits.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from devtools.bench_e2e import end_to_end
from devtools.bench_pages import bench_pages, core_ms_per_page
from devtools.datasets import SEEDS
from devtools.demo_site import DemoSite
from nianbao.core.extract import extract
from nianbao.core.fingerprint import exact_key, folded_content
from nianbao.core.parse import parse
from nianbao.core.similarity import signature
from nianbao.core.validate import validate

_CONTAINER = re.compile(r'(<div[^>]+id="(?:zoom|ivs_content)"[^>]*>)')
ROOT = Path(__file__).resolve().parents[1]


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
    """Median ms per page of each stage of the pure core, and of the store (SQLite), on the
    bench pages (the seeds and the HTML-ised dev set)."""
    from nianbao.storage.migrate import upgrade
    from nianbao.storage.repository import Repository, make_engine
    from schemas.messages import FetchedPage, ParsedPage

    bodies = [body for _, body in bench_pages()]
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


def run_bench(
    console: Console, *, pages: int, workers: int, rounds: int, e2e: bool
) -> dict[str, object]:
    """Print the per-stage table, ours against trafilatura, and (unless skipped) the end-to-end
    table; return the figures (`nianbao bench --json` prints them as one JSON object)."""
    bench = bench_pages()
    costs = stage_costs(rounds)
    table = Table(
        "stage",
        "ms / page",
        title=f"per-stage cost ({len(bench)} bench pages as HTML, median of {rounds} rounds)",
    )
    for name, ms in costs:
        table.add_row(name, f"{ms:.3f}")
    table.add_row("[bold]total[/]", f"[bold]{sum(ms for _, ms in costs):.3f}[/]")
    console.print(table)
    versus = core_ms_per_page(bench, rounds)
    compare = Table(
        "measure",
        "ms / page",
        title=f"the same {versus['pages']:.0f} pages (seeds + HTML-ised dev set), same run",
    )
    compare.add_row(
        "nianbao: extract → fingerprint → parse → validate", f"{versus['analyse_ms']:.3f}"
    )
    compare.add_row("  of which the MinHash signature", f"{versus['signature_ms']:.3f}")
    if "trafilatura_fast_ms" in versus:
        default = versus["trafilatura_default_ms"]
        compare.add_row("trafilatura.extract (text only)", f"{default:.3f}")
        compare.add_row("trafilatura.extract(fast=True)", f"{versus['trafilatura_fast_ms']:.3f}")
        compare.add_row(
            "[bold]ratio nianbao ÷ trafilatura fast[/]", f"[bold]{versus['ratio_vs_fast']:.3f}[/]"
        )
    else:
        compare.add_row("trafilatura", "not installed: pip install 'nianbao[bench]'")
    console.print(compare)
    result: dict[str, object] = {
        "pages": int(versus["pages"]),
        "stages_ms": {name: round(ms, 3) for name, ms in costs},
        "per_page_ms": round(versus["analyse_ms"], 3),
        "signature_ms": round(versus["signature_ms"], 3),
    }
    if "trafilatura_fast_ms" in versus:
        result["trafilatura_default_ms"] = round(versus["trafilatura_default_ms"], 3)
        result["trafilatura_fast_ms"] = round(versus["trafilatura_fast_ms"], 3)
        result["ratio_vs_trafilatura_fast"] = round(versus["ratio_vs_fast"], 3)
    if not e2e:
        return result
    with console.status("end to end…") as status:
        figures = end_to_end(
            pages, workers, on_step=lambda step: status.update(f"end to end: {step}")
        )
    e2e_table = Table(
        "measure",
        "value",
        title=f"end to end: Celery + Redis + {figures['database']}, {workers} worker processes, "
        f"{pages} pages (steady state)",
    )
    e2e_table.add_row("no-op tasks / s", f"{figures['noop_tasks_per_s']:.1f}")
    e2e_table.add_row("pages / s", f"{figures['e2e_pages_per_s']:.1f}")
    e2e_table.add_row("[bold]pages/s ÷ no-op/s[/]", f"[bold]{figures['e2e_ratio']:.3f}[/]")
    parsed_only, store_share = figures["parse_only_pages_per_s"], figures["store_share_of_page"]
    e2e_table.add_row("pages / s, parsed only (no store)", f"{parsed_only:.1f}")
    e2e_table.add_row("parsed only ÷ no-op/s (ceiling)", f"{figures['parse_only_ratio']:.3f}")
    e2e_table.add_row("share of a page's time in the store", f"{store_share:.0%}")
    if "scale_2_vs_1" in figures:
        e2e_table.add_row(
            "pages / s with 1 worker process", f"{figures['pages_per_s_1_worker']:.1f}"
        )
        e2e_table.add_row(
            f"[bold]{workers} ÷ 1 worker processes[/]", f"[bold]{figures['scale_2_vs_1']:.2f}[/]"
        )
    cpu = figures["cpu_ms_per_page"]
    assert isinstance(cpu, dict)
    for kind, ms in cpu.items():
        e2e_table.add_row(f"CPU ms / page: {kind}", f"{ms:.2f}")
    noop_cpu = figures["cpu_ms_per_noop"]
    assert isinstance(noop_cpu, dict)
    e2e_table.add_row("CPU ms / no-op (all processes)", f"{sum(noop_cpu.values()):.2f}")
    peaks = figures["peak_rss_mb"]
    assert isinstance(peaks, dict)
    for name, mb in peaks.items():
        e2e_table.add_row(f"peak RSS MB: worker {name}", f"{mb:.0f}")
    console.print(e2e_table)
    return result | figures
