"""Exports of the stored records: JSON Lines, CSV or Parquet, to a file, stdout or S3.

Tables: `reports` (in JSON Lines the full `reports show` shape; in CSV and Parquet one flat row
per report), `indicators` (the long table: one row per cell) and `sources`. Rows are read in
keyset batches and written as they come, so memory stays flat however many reports there are.
An incremental export (`after`, a change-feed cursor) writes every row of each report the feed
names after that cursor; the export's `cursor` is where the next incremental one starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal, Protocol

from nianbao.exports.columns import COLUMNS
from nianbao.exports.destination import Destination, opened, resolve
from nianbao.settings import Settings
from nianbao.storage.repository import Repository

Format = Literal["jsonl", "csv", "parquet"]
Table = Literal["reports", "indicators", "sources"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet")
TABLES: tuple[Table, ...] = ("reports", "indicators", "sources")

__all__ = ["FORMATS", "TABLES", "Destination", "ExportResult", "resolve", "run_export"]


class Writer(Protocol):
    """What every format's writer does: take batches of rows, then finish the file."""

    def write(self, rows: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote, where, and the change-feed cursor it is complete up to."""

    table: str
    format: str
    rows: int
    location: str
    cursor: int
    after: int | None


def default_name(table: Table, fmt: Format, after: int | None, cursor: int) -> str:
    """The file name in a directory or S3 prefix: the table, and the cursor range if incremental."""
    span = "" if after is None else f"-after-{after}-to-{cursor}"
    return f"{table}{span}.{fmt}"


def plan(repo: Repository, after: int | None) -> tuple[list[int] | None, int]:
    """The report ids to export (None: all) and the cursor the export is complete up to.

    A full export takes the feed's last cursor before reading, so a change made while it runs
    comes again in the next incremental export rather than not at all.
    """
    if after is None:
        return None, repo.last_cursor()
    return repo.changed_report_ids(after)


def _writer(fmt: Format, table: Table, stream: BinaryIO, bom: bool) -> Writer:
    """The writer of one format onto a stream."""
    if fmt == "jsonl":
        from nianbao.exports.jsonl import JsonlWriter

        return JsonlWriter(stream)
    if fmt == "csv":
        from nianbao.exports.csvfile import CsvWriter

        return CsvWriter(stream, COLUMNS[table], bom=bom)
    from nianbao.exports.parquet import ParquetExportWriter

    return ParquetExportWriter(stream, COLUMNS[table])


def _batches(
    repo: Repository, table: Table, fmt: Format, ids: list[int] | None
) -> Iterator[list[dict[str, Any]]]:
    """The rows to write, in batches: full stored reports for reports in JSON Lines, else flat."""
    if table == "reports" and fmt == "jsonl":
        batch: list[dict[str, Any]] = []
        for stored in repo.export_stored(ids):
            batch.append(stored.model_dump(mode="json"))
            if len(batch) >= 200:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    yield from repo.export_batches(table, ids, batch=5000 if table == "indicators" else 2000)


def run_export(
    repo: Repository,
    settings: Settings,
    *,
    table: Table = "reports",
    fmt: Format = "jsonl",
    out: str | None = None,
    after: int | None = None,
    bom: bool = False,
    on_start: Callable[[int], None] = lambda total: None,
    on_rows: Callable[[int], None] = lambda n: None,
) -> ExportResult:
    """Export one table in one format to `out` (None: stdout); `after`: only what changed since.

    `on_start(total)` is called with the number of rows to write, `on_rows(n)` after each batch.
    """
    ids, cursor = plan(repo, after)
    destination = resolve(out, default_name(table, fmt, after, cursor))
    if fmt == "parquet" and destination.is_stdout:
        raise ValueError("a Parquet export needs a file: --out PATH or s3://bucket/prefix")
    on_start(repo.export_count(table, ids))
    rows = 0
    with opened(destination, settings) as stream:
        writer = _writer(fmt, table, stream, bom)
        for batch in _batches(repo, table, fmt, ids):
            writer.write(batch)
            rows += len(batch)
            on_rows(len(batch))
        writer.close()
    return ExportResult(table, fmt, rows, destination.location, cursor, after)
