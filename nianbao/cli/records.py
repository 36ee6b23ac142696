"""Commands that read what is stored: reports, exports, the record schema."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
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
    err.print(f"serving on http://{host}:{port} — docs: http://{host}:{port}/docs")
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
