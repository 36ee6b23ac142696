"""Commands that read what is stored: reports, exports, the record schema."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from nianbao.cli.apps import app, reports_app
from nianbao.terminal import console, err, fail, progress

if TYPE_CHECKING:
    pass


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
    csv = "csv"
    parquet = "parquet"


class ExportTable(StrEnum):
    """What an export holds."""

    reports = "reports"
    indicators = "indicators"
    sources = "sources"


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = (
        ExportFormat.jsonl
    ),
    table: Annotated[
        ExportTable,
        typer.Option(
            help="reports (JSON Lines: the `reports show` shape; CSV/Parquet: one flat row each), "
            "indicators (one row per table cell) or sources."
        ),
    ] = ExportTable.reports,
    out: Annotated[
        str | None,
        typer.Option(
            help="A file, a directory, or s3://bucket/prefix (default: stdout; Parquet needs one)."
        ),
    ] = None,
    after: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Change-feed cursor: export only the reports changed after it (every row of "
            "each). The new cursor is printed at the end.",
        ),
    ] = None,
    bom: Annotated[bool, typer.Option(help="CSV: start with a UTF-8 BOM (for Excel).")] = False,
) -> None:
    """Export stored reports, indicator cells or sources as JSON Lines, CSV or Parquet."""
    from nianbao import runtime
    from nianbao.exports import run_export
    from nianbao.settings import get_settings

    if bom and fmt != ExportFormat.csv:
        raise fail("--bom applies to CSV only", "add --format csv, or drop --bom")
    repo = runtime.repository()
    with progress(transient=out is None) as bar:
        task = bar.add_task(f"exporting {table.value}", total=None)
        try:
            result = run_export(
                repo,
                get_settings(),
                table=table.value,
                fmt=fmt.value,
                out=out,
                after=after,
                bom=bom,
                on_start=lambda total: bar.update(task, total=total),
                on_rows=lambda n: bar.advance(task, n),
            )
        except ValueError as exc:
            raise fail(str(exc), "see: nianbao export --help") from None
    err.print(f"wrote {result.rows} {table.value} row(s) to {result.location}", soft_wrap=True)
    err.print(f"cursor: {result.cursor}", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the read API (reports, indicators, change feed) over HTTP; docs at /docs."""
    import os
    import socket

    import uvicorn

    from nianbao.api import app_from_settings

    try:
        with socket.create_server((host, port)):
            pass  # free now; uvicorn binds it next
    except OSError as exc:
        raise fail(
            f"cannot listen on {host}:{port}: {os.strerror(exc.errno) if exc.errno else exc}",
            "is another server running there? choose another port with --port",
        ) from None
    err.print(f"serving on http://{host}:{port} — docs: http://{host}:{port}/docs", soft_wrap=True)
    uvicorn.run(app_from_settings(), host=host, port=port, log_level="warning")


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
