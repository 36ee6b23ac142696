"""Put a fetched body in the object store and its FetchedPage message on the pages queue.

Producers know nothing of the worker system: they publish through a port (an object store and
a function that sends a message to a task by name) that the worker system wires at import
(`workers.publishing`). Task names are the message contract in `schemas.tasks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nianbao.core.text import detect_encoding
from nianbao.storage.objects import ObjectStore, put_raw
from schemas.messages import FetchedPage, Rejection, SiteHints
from schemas.tasks import PROCESS_PAGE, SAVE_REJECTION

Send = Callable[[str, dict[str, Any]], None]  # (task name, message): the message is on its queue


@dataclass(frozen=True)
class Port:
    """Where published pages go: the object store for bodies, and a sender for messages."""

    store: Callable[[], ObjectStore]
    send: Send


_port: Port | None = None


def wire(store: Callable[[], ObjectStore], send: Send) -> None:
    """Connect publishing to a worker system (done by `workers.publishing` when imported)."""
    global _port
    _port = Port(store, send)


def port() -> Port:
    """The wired port; an error that says what to import when nothing wired it."""
    if _port is None:
        raise RuntimeError(
            "no worker system is wired for publishing: import workers.publishing first"
        )
    return _port


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
    wired = port()
    sha256, key = put_raw(wired.store(), body)
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
    wired.send(PROCESS_PAGE, page.model_dump(mode="json"))
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
    wired = port()
    sha256, key = put_raw(wired.store(), b"")
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
    wired.send(SAVE_REJECTION, rejection.model_dump(mode="json"))
