"""Commands that run the pipeline: a worker, backfills, and the pure core on files."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from nianbao.cli.apps import app
from nianbao.terminal import console, fail, progress

if TYPE_CHECKING:
    from nianbao.core.errors import PageRejected
    from nianbao.limits import Limits, Usage


@app.command()
def worker(
    queues: Annotated[
        str, typer.Option(help="Queues to consume, comma-separated.")
    ] = "crawl,pages,store",
    concurrency: Annotated[int, typer.Option("-c", "--concurrency", help="Processes.")] = 2,
    loglevel: Annotated[str, typer.Option(help="Log level.")] = "INFO",
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve this worker's task metrics (Prometheus) on this port."),
    ] = None,
) -> None:
    """Run a Celery worker with the project's defaults (same as `celery -A workers.app worker`)."""
    from nianbao.settings import get_settings

    if get_settings().embedded:
        raise fail(
            "no broker configured: in embedded mode tasks run inside the command that sends them",
            "set NIANBAO_BROKER_URL=redis://HOST:6379/0 (and NIANBAO_DATABASE_URL) to run workers",
        )
    directory = _serve_worker_metrics(metrics_port) if metrics_port else None
    import workers.queue_metrics  # noqa: F401  (stamps the send time on what this worker sends)
    from workers.app import app as celery

    try:
        celery.worker_main(
            ["worker", "-Q", queues, "-c", str(concurrency), "--loglevel", loglevel, "-E"]
        )
    finally:
        if directory is not None:
            from workers.metrics import remove

            remove(directory)


def _serve_worker_metrics(port: int) -> Path:
    """Multiprocess metrics in a fresh directory, served from this (the main) process."""
    from prometheus_client import start_http_server

    from workers.metrics import install, registry, remove

    directory = install()  # before the pool forks: every child writes beside it
    try:
        start_http_server(port, registry=registry())
    except OSError as exc:
        remove(directory)
        raise fail(
            f"cannot serve metrics on port {port}: {exc.strerror or exc}",
            "pick a free port for --metrics-port",
        ) from exc
    console.print(f"worker metrics on http://0.0.0.0:{port}/metrics")
    return directory


@app.command()
def exporter(
    port: Annotated[int, typer.Option(help="Serve the queue metrics on this port.")] = 9109,
) -> None:
    """Serve queue backlog, dead letters, quarantine and per-site metrics (Prometheus) forever."""
    from prometheus_client import start_http_server

    from nianbao.settings import get_settings

    settings = get_settings()
    if settings.embedded:
        raise fail(
            "no broker configured: in embedded mode nothing waits in a queue",
            "set NIANBAO_BROKER_URL=redis://HOST:6379/0 (and NIANBAO_DATABASE_URL)",
        )
    from producers.state import open_state
    from workers.queue_metrics import exporter_registry

    with open_state(settings, read_only=True) as state:
        try:
            start_http_server(port, registry=exporter_registry(state))
        except OSError as exc:
            raise fail(
                f"cannot serve metrics on port {port}: {exc.strerror or exc}",
                "pick a free port for --port",
            ) from exc
        console.print(f"queue metrics on http://0.0.0.0:{port}/metrics; Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            console.print("stopped")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (html, txt, pdf, docx).")],
    site: Annotated[str, typer.Option(help="Site id recorded on every page.")] = "ingest",
) -> None:
    """Enqueue local files as fetched pages (backfills)."""
    import workers.publishing  # wires publishing to the worker system
    import workers.queue_metrics  # noqa: F401  (stamps the send time on each message)
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
    from nianbao.convert import analyse_document, bounded_limits
    from nianbao.core.errors import PageRejected
    from nianbao.limits import Limits, run_measured
    from nianbao.settings import get_settings
    from producers.sniff import sniff

    settings = get_settings()
    body = path.read_bytes()
    limits = limits or Limits.from_settings()

    def parse_body() -> dict:  # attachments converted first (nianbao.convert), scans OCR'd
        record = analyse_document(
            body,
            content_type=sniff(body, name=path.name),
            max_bytes=settings.max_body_bytes,
            parse_seconds=limits.seconds,
        ).record
        return record.model_dump(mode="json")

    try:
        data, usage = run_measured(parse_body, bounded_limits(body, limits))
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
