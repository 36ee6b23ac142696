"""The `nianbao` command: run the pipeline, operate workers, read what is stored."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from nianbao import crawl_cli
from nianbao.terminal import console, fail, progress

if TYPE_CHECKING:
    from nianbao.core.errors import PageRejected
    from nianbao.limits import Limits, Usage

app = typer.Typer(
    help="Collect government information-disclosure annual reports (政府信息公开工作年度报告).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
reports_app = typer.Typer(
    help="Stored reports: list them, or show one.", invoke_without_command=True
)
dlq_app = typer.Typer(
    help="Dead letters: tasks that failed after all retries.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")
app.add_typer(dlq_app, name="dlq")
app.add_typer(db_app, name="db")
app.add_typer(crawl_cli.sites_app, name="sites")
app.command()(crawl_cli.crawl)
app.command()(crawl_cli.monitor)
app.command()(crawl_cli.metrics)


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


@app.command()
def worker(
    queues: Annotated[
        str, typer.Option(help="Queues to consume, comma-separated.")
    ] = "crawl,pages,store",
    concurrency: Annotated[int, typer.Option("-c", "--concurrency", help="Processes.")] = 2,
    loglevel: Annotated[str, typer.Option(help="Log level.")] = "INFO",
) -> None:
    """Run a Celery worker with the project's defaults (same as `celery -A workers.app worker`)."""
    from nianbao.settings import get_settings

    if get_settings().embedded:
        raise fail(
            "no broker configured: in embedded mode tasks run inside the command that sends them",
            "set NIANBAO_BROKER_URL=redis://HOST:6379/0 (and NIANBAO_DATABASE_URL) to run workers",
        )
    from workers.app import app as celery

    celery.worker_main(
        ["worker", "-Q", queues, "-c", str(concurrency), "--loglevel", loglevel, "-E"]
    )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (html, txt, pdf, docx).")],
    site: Annotated[str, typer.Option(help="Site id recorded on every page.")] = "ingest",
) -> None:
    """Enqueue local files as fetched pages (backfills)."""
    import workers.publishing  # noqa: F401  (wires publishing to the worker system)
    from producers.ingest import discover, ingest_file

    try:
        files = list(discover(paths))
    except FileNotFoundError as exc:
        raise fail(str(exc), "check the path; folders are searched recursively") from exc
    with progress() as bar:
        task = bar.add_task("ingesting", total=len(files))
        for path in files:
            ingest_file(path, site)
            bar.advance(task)
    console.print(f"enqueued {len(files)} page(s); see [bold]nianbao status[/]")


@app.command()
def parse(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to parse.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Parse files with the pure core, without the queue or the database."""
    from producers.ingest import discover

    try:
        files = list(discover(paths))
    except FileNotFoundError as exc:
        raise fail(str(exc), "check the path") from exc
    from nianbao.core.gazetteer import gazetteer

    gazetteer()  # loaded once here: every file's bounded child process inherits it
    table = Table("file", "report", "year", "format", "agency", "title / reason")
    for path in files:
        out = parse_file(path)
        if as_json:
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        else:
            table.add_row(
                path.name,
                "yes" if out["is_report"] else "[red]no[/]",
                str(out["year"] or ""),
                out["format"] or "",
                out["agency"]["name"] or "",
                (out["title"] or "") if out["is_report"] else (out["reason"] or ""),
            )
    if not as_json:
        console.print(table)


def parse_file(path: Path, limits: Limits | None = None) -> dict:
    """Parse one file with the pure core: its record as JSON data, plus `source`.

    A rejected file gives a record with ``is_report`` false and ``reason`` "code: detail".
    """
    from schemas.report import AnnualReport

    data, rejected, _ = parse_outcome(path, limits)
    if rejected is not None:
        data = AnnualReport(
            is_report=False, reason=f"{rejected.reason}: {rejected.detail}"
        ).model_dump(mode="json")
    return {"source": str(path), **data}


def parse_outcome(
    path: Path, limits: Limits | None = None
) -> tuple[dict, PageRejected | None, Usage]:
    """One file through the pure core: (record JSON data, rejection or None, what it used).

    The core runs in a bounded child process (`nianbao.limits`): NIANBAO_PARSE_TIMEOUT of wall
    clock and a memory cap, so a hostile file becomes a rejection (``parse_timeout``,
    ``memory_limit``, ``parser_crashed``) instead of hanging or exhausting this process. Any
    other exception out of the core is a bug and surfaces as `nianbao.limits.ChildFailed`.
    """
    from nianbao.core.errors import PageRejected
    from nianbao.core.pipeline import analyse
    from nianbao.limits import Limits, run_measured
    from nianbao.settings import get_settings
    from producers.sniff import sniff

    settings = get_settings()
    body = path.read_bytes()

    def parse_body() -> dict:
        record = analyse(
            body, content_type=sniff(body, name=path.name), max_bytes=settings.max_body_bytes
        ).record
        return record.model_dump(mode="json")

    try:
        data, usage = run_measured(parse_body, limits or Limits.from_settings())
    except PageRejected as exc:
        return {}, exc, exc.usage  # type: ignore[attr-defined]
    return data, None, usage


@app.command("eval")
def evaluate(
    labels: Annotated[Path, typer.Argument(help="Folder of labelled JSON records.")],
    inputs: Annotated[Path, typer.Argument(help="Folder of the inputs (same file stems).")],
    show: Annotated[int, typer.Option(help="Mismatches to list.")] = 20,
) -> None:
    """Compare the parser with labelled records: per-field accuracy, indicator precision/recall."""
    from nianbao.evaluate import FIELDS, score

    label_files = sorted(labels.glob("*.json"))
    if not label_files:
        raise fail(
            f"no *.json labels in {labels}",
            "label files are `nianbao parse --json` "
            "records saved one per file, named like their input",
        )
    pairs = []
    for label_file in label_files:
        matches = [p for p in inputs.glob(label_file.stem + ".*") if p.suffix != ".json"]
        if not matches:
            raise fail(
                f"no input for {label_file.name} in {inputs}",
                "inputs must have the same file name stem as their label",
            )
        label = json.loads(label_file.read_text(encoding="utf-8"))
        pairs.append((label_file.stem, label, parse_file(matches[0])))
    result = score(pairs)
    table = Table("field", "accuracy", title=f"{result.documents} labelled report(s)")
    for path in FIELDS:
        accuracy = result.accuracy(path)
        style = "green" if accuracy == 1 else "yellow"
        table.add_row(path, f"[{style}]{accuracy:.0%}[/]")
    console.print(table)
    indicators = Table("indicators", "labelled", "produced", "precision", "recall")
    indicators.add_row(
        "all tables",
        str(result.labelled),
        str(result.produced),
        f"{result.precision:.3f}",
        f"{result.recall:.3f}",
    )
    console.print(indicators)
    if result.mismatches:
        shown = Table("document", "field", "label", "parser", title="mismatches")
        for name, path, expected, got in result.mismatches[:show]:
            shown.add_row(name, path, str(expected)[:60], str(got)[:60])
        console.print(shown)


@reports_app.callback()
def reports_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """List stored reports (newest first)."""
    if ctx.invoked_subcommand:
        return
    from nianbao import runtime

    repo = runtime.repository()
    table = Table("id", "year", "format", "agency", "title", "published")
    for row in repo.list_reports(limit=limit):
        table.add_row(
            str(row.id),
            str(row.year or ""),
            row.format or "",
            row.agency_name or "",
            row.title or "",
            str(row.published_on or ""),
        )
    console.print(table)
    console.print("[dim]one record in full: nianbao reports show ID[/]")


@reports_app.command("show")
def reports_show(report_id: Annotated[int, typer.Argument(help="Report id.")]) -> None:
    """Print one stored report, with its sources, as JSON."""
    from nianbao import runtime

    stored = runtime.repository().get_report(report_id)
    if stored is None:
        raise fail(f"no report with id {report_id}", "list them with: nianbao reports")
    sys.stdout.write(stored.model_dump_json(indent=2) + "\n")


class ExportFormat(StrEnum):
    """Export formats."""

    jsonl = "jsonl"


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = (
        ExportFormat.jsonl
    ),
    out: Annotated[Path | None, typer.Option(help="Output file (default: stdout).")] = None,
) -> None:
    """Export every stored report, one per line, with its sources."""
    from nianbao import runtime

    repo = runtime.repository()
    total = repo.counts()["reports"]
    handle = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        with progress(transient=out is None) as bar:
            task = bar.add_task("exporting", total=total)
            for stored in repo.iter_reports():
                handle.write(stored.model_dump_json() + "\n")
                bar.advance(task)
    finally:
        if out:
            handle.close()
    if out:
        console.print(f"wrote {total} report(s) to {out}")


@app.command()
def status() -> None:
    """Queue depths and what is stored, quarantined and dead-lettered."""
    from nianbao import runtime
    from nianbao.settings import get_settings
    from workers.app import in_flight, queue_depths

    settings = get_settings()
    mode = "embedded (in-process)" if settings.embedded else f"distributed ({settings.broker_url})"
    console.print(f"mode: {mode}")
    try:
        depths = queue_depths()
    except Exception as exc:
        raise fail(f"broker unreachable: {exc}", "is Redis running at NIANBAO_BROKER_URL?") from exc
    table = Table("queue", "waiting")
    if depths is None:
        table.add_row("crawl / pages / store", "— (tasks run in-process)")
    else:
        for name, depth in depths.items():
            table.add_row(name, str(depth))
        held = in_flight()
        if held is not None:
            table.add_row("held by workers (unacked)", str(held["unacked"]))
            table.add_row("pages without an outcome (ledger)", str(held["ledger"]))
    console.print(table)
    repo = runtime.repository()
    counts = repo.counts()
    stored = Table("reports", "sources", "quarantined", "dead letters", "archives owed")
    stored.add_row(
        *(str(counts[k]) for k in ("reports", "sources", "quarantined", "dead_letters")),
        str(repo.pending_archive_count()),
    )
    console.print(stored)
    crawling = crawl_cli.crawl_status_table()
    if crawling is not None:
        console.print(crawling)


@app.command()
def reconcile(
    grace: Annotated[
        float | None,
        typer.Option(
            help="Seconds without an outcome before a page is looked for "
            "(default: NIANBAO_RECONCILE_GRACE)."
        ),
    ] = None,
) -> None:
    """Look for pages lost between the broker and a worker, and send them again.

    Workers do this on their own every NIANBAO_RECONCILE_INTERVAL seconds; a page is sent again
    only when two looks in a row find no message for it anywhere.
    """
    from nianbao.settings import get_settings
    from workers.app import QUEUES
    from workers.app import app as celery_app
    from workers.ledger import reconcile as look
    from workers.reliability import redis_client

    client = redis_client()
    if client is None:
        raise fail("the page ledger lives in the Redis broker", "set NIANBAO_BROKER_URL")
    found = look(
        client, celery_app, QUEUES, get_settings().reconcile_grace if grace is None else grace
    )
    table = Table("open", "overdue", "still in the broker", "missing once", "sent again")
    table.add_row(
        *(str(v) for v in (found.open, found.overdue, found.in_broker, found.suspect, found.resent))
    )
    console.print(table)


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


@dlq_app.command("list")
def dlq_list() -> None:
    """Dead letters waiting for a replay."""
    from workers.dlq import pending

    letters = pending()
    table = Table("id", "task", "attempts", "failed at", "error")
    for letter in letters:
        table.add_row(
            str(letter.id),
            letter.task_name,
            str(letter.attempts),
            letter.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            letter.error[:100],
        )
    console.print(table)
    if letters:
        console.print("[dim]send again: nianbao dlq replay ID... (or --all)[/]")


@dlq_app.command("replay")
def dlq_replay(
    ids: Annotated[list[int] | None, typer.Argument(help="Dead-letter ids.")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Replay every pending one.")] = False,
) -> None:
    """Send dead-lettered messages to their tasks again."""
    from workers.dlq import pending, replay

    letters = pending()
    if not replay_all:
        if not ids:
            raise fail("name the dead letters to replay", "nianbao dlq replay ID... or --all")
        missing = set(ids) - {letter.id for letter in letters}
        if missing:
            raise fail(f"not pending: {sorted(missing)}", "see: nianbao dlq list")
        letters = [letter for letter in letters if letter.id in set(ids)]
    with progress() as bar:
        task = bar.add_task("replaying", total=len(letters))
        done = []
        for letter in letters:
            done += replay([letter])
            bar.advance(task)
    console.print(f"replayed {len(done)} message(s)")


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
) -> None:
    """Per-stage ms/page on the seed pages; end-to-end pages/s beside a no-op task's rate."""
    if crawl:
        from devtools.bench_crawl import run_crawl_bench

        run_crawl_bench(console, reports)
        return
    if dedup:
        run_dedup_bench([int(size) for size in sizes.split(",")])
        return
    from devtools.bench import run_bench

    run_bench(console, pages=pages, workers=workers, rounds=rounds, e2e=e2e)


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


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database to the newest schema."""
    from nianbao import runtime
    from nianbao.settings import get_settings

    runtime.repository()  # migrates on first use
    console.print(f"database at head: {get_settings().effective_database_url}")


@app.command()
def schema(
    model: Annotated[str | None, typer.Option(help="One model (default: all).")] = None,
) -> None:
    """Print the JSON Schema of the queue messages and the stored record."""
    from schemas import json_schemas

    schemas = json_schemas()
    if model:
        if model not in schemas:
            raise fail(f"unknown model {model!r}", f"one of: {', '.join(schemas)}")
        schemas = schemas[model]
    sys.stdout.write(json.dumps(schemas, ensure_ascii=False, indent=2) + "\n")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
