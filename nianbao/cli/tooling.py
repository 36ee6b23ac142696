"""Commands that reach devtools: the demo, the benches, the fault soak."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from nianbao.cli.apps import app
from nianbao.terminal import console, fail, progress

if TYPE_CHECKING:
    pass


@app.command()
def demo(
    seeds: Annotated[
        Path | None, typer.Option(help="Folder of seed report texts to publish on the site.")
    ] = None,
    port: Annotated[int, typer.Option(help="Port of the local government site.")] = 8765,
) -> None:
    """Start a local government site, crawl it, run every stage, and summarise what happened."""
    from devtools.demo import run_demo

    run_demo(console, seeds, port)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def soak(ctx: typer.Context) -> None:
    """Fault soak (a development tool, from a source checkout): `nianbao soak --help`."""
    root = Path(__file__).resolve().parents[1]
    if not (root / "devtools" / "soak").is_dir():
        raise fail("the soak is a development tool", "run it from a source checkout of nianbao")
    sys.path.insert(0, str(root))
    from devtools.soak.run import main as soak_main

    raise typer.Exit(soak_main(list(ctx.args)))


@app.command()
def bench(
    pages: Annotated[int, typer.Option(help="Pages sent end to end.")] = 200,
    workers: Annotated[int, typer.Option(help="Worker processes end to end.")] = 2,
    rounds: Annotated[int, typer.Option(help="Rounds of the per-stage timing.")] = 30,
    e2e: Annotated[bool, typer.Option(help="Also measure through Celery and Redis.")] = True,
    dedup: Annotated[
        bool, typer.Option("--dedup", help="Dedup decisions and the index at scale instead.")
    ] = False,
    sizes: Annotated[
        str, typer.Option(help="With --dedup: stored-report counts to measure at.")
    ] = "10000,100000,1000000",
    crawl: Annotated[
        bool, typer.Option("--crawl", help="Crawl passes (first, and unchanged) instead.")
    ] = False,
    reports: Annotated[int, typer.Option(help="With --crawl: report pages on the site.")] = 200,
    convert: Annotated[
        bool,
        typer.Option("--convert", help="ms per page of each attachment converter instead."),
    ] = False,
    export: Annotated[
        bool,
        typer.Option("--export", help="Peak memory of a Parquet export at --export-sizes instead."),
    ] = False,
    export_sizes: Annotated[
        str, typer.Option(help="With --export: synthetic report counts.")
    ] = "10000,100000",
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Tables on stderr; one JSON object of the figures on stdout."),
    ] = False,
) -> None:
    """Per-stage ms/page on the seed pages; end-to-end pages/s beside a no-op task's rate."""
    if crawl:
        from devtools.bench_crawl import run_crawl_bench

        run_crawl_bench(console, reports)
        return
    if dedup:
        run_dedup_bench([int(size) for size in sizes.split(",")])
        return
    if convert:
        figures = run_convert_bench()
        if as_json:
            sys.stdout.write(json.dumps(figures) + "\n")
        return
    if export:
        figures = run_export_bench(tuple(int(size) for size in export_sizes.split(",")))
        if as_json:
            sys.stdout.write(json.dumps(figures) + "\n")
        return
    from rich.console import Console

    from devtools.bench import run_bench

    shown = Console(stderr=True) if as_json else console
    figures = run_bench(shown, pages=pages, workers=workers, rounds=rounds, e2e=e2e)
    if as_json:
        sys.stdout.write(json.dumps(figures) + "\n")


def run_convert_bench() -> dict[str, object]:
    """Print ms per page and cell fidelity of each converter on the office fixtures."""
    from rich.console import Console

    from devtools.bench_convert import OFFICE, convert_ms_per_page, fidelity

    if not OFFICE.is_dir():
        raise fail(f"no office fixtures at {OFFICE}", "run it from a source checkout of nianbao")
    err = Console(stderr=True)
    with err.status("converting the office fixtures (LibreOffice, antiword, xlrd, OCR)…"):
        speed, cells = convert_ms_per_page(), fidelity()
    table = Table("converter", "ms / page", title="attachment converters (real report fixtures)")
    for name, ms in speed.items():
        table.add_row(name, f"{ms:,.1f}")
    err.print(table)
    shares = Table("converted form", "cells equal to the original", "invented", title="fidelity")
    for form, (share, invented) in cells.items():
        shares.add_row(form, f"{share:.1%}", str(invented))
    err.print(shares)
    return {"convert_ms_per_page": speed, "fidelity": {k: list(v) for k, v in cells.items()}}


def run_export_bench(sizes: tuple[int, ...]) -> dict[str, object]:
    """Print peak RSS of exporting the indicators to Parquet at each size; return the figures."""
    from rich.console import Console

    from devtools.bench_export import measure

    with Console(stderr=True).status(f"filling and exporting {', '.join(map(str, sizes))}…"):
        figures = measure(sizes)
    table = Table(
        "reports",
        "cells",
        "export s",
        "peak RSS MB",
        "growth MB",
        title=("nianbao export --table indicators --format parquet (streaming: growth stays flat)"),
    )
    for run in figures["runs"]:
        table.add_row(f"{run['reports']:,}", f"{run['cells']:,}", f"{run['export_s']}",
                      f"{run['peak_rss_mb']}", f"{run['growth_mb']}")  # fmt: skip
    Console(stderr=True).print(table)
    return figures


def run_dedup_bench(sizes: list[int]) -> None:
    """Print the calibration decisions and the scale table."""
    from devtools.bench_dedup import calibration, precision_recall, scale

    with progress() as bar:
        task = bar.add_task("calibration pairs", total=None)
        results = calibration(on_pair=lambda _: bar.advance(task))
    table = Table("pair", "expected", "decided", "MinHash similarity", title="dedup decisions")
    for name, expected, decided, sim in results:
        style = "green" if expected == decided else "red"
        table.add_row(name, expected, f"[{style}]{decided}[/]", f"{sim:.2f}")
    console.print(table)
    precision, recall = precision_recall(results)
    console.print(
        f"same-report decisions: precision {precision:.3f}, recall {recall:.3f}; "
        f"{sum(e == d for _, e, d, _ in results)}/{len(results)} decisions exact"
    )
    with progress() as bar:
        task = bar.add_task("index at scale", total=len(sizes))
        rows = scale(sizes, on_step=lambda step: bar.update(task, description=step))
    out = Table(
        "stored reports",
        "insert ms/report",
        "lookup ms (median)",
        "lookup ms (p95)",
        "near copy found",
        "bytes/report (SQLite file)",
        title="dedup index at scale",
    )
    for row in rows:
        out.add_row(
            f"{int(row['stored']):,}",
            f"{row['insert_ms']:.3f}",
            f"{row['lookup_ms']:.3f}",
            f"{row['lookup_p95_ms']:.3f}",
            f"{row['found']:.0%}",
            f"{row['bytes_per_report']:.0f}",
        )
    console.print(out)
