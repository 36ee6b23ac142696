"""Put a fetched body in the object store and its FetchedPage message on the pages queue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from celery import Task

from nianbao import runtime
from nianbao.core.text import detect_encoding
from nianbao.storage.objects import put_raw
from schemas.messages import FetchedPage, Rejection, SiteHints
from workers import ledger
from workers.reliability import redis_client
from workers.tasks import process_page, save_rejection


def send(task: Task, message: dict[str, Any]) -> None:
    """Send a page's first message, opened in the page ledger first (see workers/ledger.py)."""
    task_id, args = str(uuid.uuid4()), [message]
    client = redis_client()
    if client is not None:
        ledger.open_page(client, task.name, task_id, args)
    task.apply_async(args=args, task_id=task_id)


def publish(
    body: bytes,
    *,
    url: str,
    site_id: str,
    content_type: str,
    final_url: str | None = None,
    http_status: int | None = None,
    encoding: str | None = None,
    link_text: str | None = None,
    referrer: str | None = None,
    fetched_at: datetime | None = None,
    hints: SiteHints | None = None,
) -> FetchedPage:
    """Store the body content-addressed (before the message exists), then enqueue the page.

    hints are the sites file's agency, region and level for the site: the parser falls back on
    them only for what the page itself does not say.
    """
    sha256, key = put_raw(runtime.object_store(), body)
    if content_type.startswith("text/") or content_type == "application/xhtml+xml":
        encoding = detect_encoding(body, encoding)
    page = FetchedPage(
        url=url,
        final_url=final_url or url,
        site_id=site_id,
        fetched_at=fetched_at or datetime.now(UTC),
        http_status=http_status,
        content_type=content_type,
        encoding=encoding,
        sha256=sha256,
        size=len(body),
        body_ref=key,
        link_text=link_text,
        referrer=referrer,
        hints=hints,
    )
    send(process_page, page.model_dump(mode="json"))
    return page


def quarantine_unfetchable(
    url: str,
    site_id: str,
    reason: str,
    detail: str,
    referrer: str | None = None,
    link_text: str | None = None,
) -> None:
    """Quarantine a page the crawler would not (or could not) take in, with its reason.

    Nothing of the body is kept (it was refused: too large, a decompression bomb, a blocked
    address, ...), so the record points at the empty object; the reason and detail say why.
    """
    sha256, key = put_raw(runtime.object_store(), b"")
    page = FetchedPage(
        url=url,
        final_url=url,
        site_id=site_id,
        fetched_at=datetime.now(UTC),
        content_type="application/octet-stream",
        sha256=sha256,
        size=0,
        body_ref=key,
        link_text=link_text,
        referrer=referrer,
    )
    rejection = Rejection(page=page, stage="fetch", reason=reason, detail=detail)
    send(save_rejection, rejection.model_dump(mode="json"))
