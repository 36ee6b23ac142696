"""Backfills: local files and folders become FetchedPage messages, like crawled pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from producers.publish import publish
from producers.sniff import sniff
from schemas.messages import FetchedPage

SUFFIXES = {
    *(".html", ".htm", ".shtml", ".txt", ".pdf", ".doc", ".docx", ".wps", ".rtf", ".xls"),
    *(".xlsx", ".png", ".jpg", ".jpeg", ".tif", ".tiff"),  # converted by nianbao.convert
}


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and files with a report-like suffix inside named folders."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        elif path.is_file():
            yield path
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")


def ingest_file(path: Path, site_id: str = "ingest") -> FetchedPage:
    """Enqueue one local file; its URL is its file:// URI, so ingesting twice is a no-op."""
    body = path.read_bytes()
    stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return publish(
        body,
        url=path.resolve().as_uri(),
        site_id=site_id,
        content_type=sniff(body, name=path.name),
        fetched_at=stamp,
    )


def ingest(
    files: Iterable[Path],
    site_id: str = "ingest",
    on_page: Callable[[FetchedPage], None] | None = None,
) -> list[FetchedPage]:
    """Enqueue every file; `on_page` is called after each (progress bars)."""
    pages = []
    for path in files:
        page = ingest_file(path, site_id)
        pages.append(page)
        if on_page:
            on_page(page)
    return pages
