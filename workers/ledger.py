"""The page ledger: a page sent into the pipeline stays open here until it has an outcome.

Why it exists: kombu's Redis transport takes a message off its queue (BRPOP) and records it as
unacknowledged in a second round trip. A worker killed between the two, or a broker that goes
away between them, loses the message, and nothing logs it. The ledger closes that gap end to end:

* ``open_page`` is written (HSET, same Redis as the broker, same durability) *before* the page's
  first message is sent;
* ``close_page`` runs when the page has an outcome: a store task succeeded (report, source or
  quarantine row committed) or the page was dead-lettered;
* ``reconcile`` looks at pages open longer than a grace period, searches the broker for any
  message that carries them (queues at every priority, and the unacknowledged set), and sends
  again, under the original task id, a page that was missing on two looks in a row.

Every stage is idempotent (a redelivered message stores nothing twice), so a page sent again
while its first copy still existed somewhere costs one extra run and no duplicate.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis

log = logging.getLogger(__name__)

LEDGER_KEY = "nianbao:ledger"  # page id -> {"task", "task_id", "args", "sent"}
SUSPECT_KEY = "nianbao:ledger:suspect"  # page id -> time it was first found nowhere
LOCK_KEY = "nianbao:ledger:lock"  # one reconciler at a time across workers
UNACKED_KEY = "unacked"  # kombu's Redis transport: delivery tag -> [message, exchange, key]
PRIORITY_SEP = "\x06\x16"  # kombu: queue "pages" at priority 3 is the list "pages\x06\x163"
PRIORITY_STEPS = (3, 6, 9)
_SCAN_CHUNK = 500
SECOND_LOOK = 10.0  # seconds between the two looks that must both miss a page


def page_of(args: Any) -> dict[str, Any] | None:
    """The FetchedPage (as sent) inside a task's args: a page, a parsed page or a rejection."""
    if not isinstance(args, list | tuple) or not args or not isinstance(args[0], dict):
        return None
    first = args[0]
    page = first if "body_ref" in first else first.get("page")
    return page if isinstance(page, dict) and "url" in page and "sha256" in page else None


def page_id(page: dict[str, Any]) -> str:
    """A page's ledger id: its URL and the digest of its body."""
    return hashlib.sha256(f"{page['url']}\n{page['sha256']}".encode()).hexdigest()[:32]


def open_page(client: redis.Redis, task_name: str, task_id: str, args: list[Any]) -> None:
    """Record a page before its first message is sent (so a send that fails is open too)."""
    page = page_of(args)
    if page is None:
        return
    entry = {"task": task_name, "task_id": task_id, "args": args, "sent": time.time()}
    client.hset(LEDGER_KEY, page_id(page), json.dumps(entry, ensure_ascii=False))


def close_page(client: redis.Redis, args: Any) -> None:
    """The page has an outcome: forget it."""
    page = page_of(args)
    if page is not None:
        pipe = client.pipeline()
        close_in(pipe, page)
        pipe.execute()


def close_in(pipe: Any, page: dict[str, Any]) -> None:
    """Queue the commands that forget a page with an outcome on a pipeline (the caller runs it)."""
    pid = page_id(page)
    pipe.hdel(LEDGER_KEY, pid).hdel(SUSPECT_KEY, pid)


def _task_args(raw: bytes | str) -> list[Any] | None:
    """The args of one message as kombu's Redis transport keeps it (JSON, body base64)."""
    try:
        message = json.loads(raw)
        if isinstance(message, list):  # unacked entries: [message, exchange, routing key]
            message = message[0]
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        payload = json.loads(body)
        return payload[0] if isinstance(payload, list) else None
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _broker_messages(client: redis.Redis, queues: tuple[str, ...]) -> Iterator[bytes]:
    for queue in queues:
        for key in (queue, *(f"{queue}{PRIORITY_SEP}{step}" for step in PRIORITY_STEPS)):
            start = 0
            while True:
                chunk = client.lrange(key, start, start + _SCAN_CHUNK - 1)
                yield from chunk
                if len(chunk) < _SCAN_CHUNK:
                    break
                start += _SCAN_CHUNK
    for _, value in client.hscan_iter(UNACKED_KEY, count=_SCAN_CHUNK):
        yield value


def pages_in_broker(client: redis.Redis, queues: tuple[str, ...]) -> set[str]:
    """Ids of every page that some message waiting, reserved or in a countdown carries."""
    found = set()
    for raw in _broker_messages(client, queues):
        page = page_of(_task_args(raw))
        if page is not None:
            found.add(page_id(page))
    return found


@dataclass(frozen=True)
class Reconciled:
    """What one look at the ledger found."""

    open: int  # pages without an outcome yet
    overdue: int  # of those, open longer than the grace period
    in_broker: int  # overdue, but a message for them exists: nothing to do
    suspect: int  # found nowhere for the first time: looked at again next time
    resent: int  # found nowhere twice: sent again


def reconcile(client: redis.Redis, app: Any, queues: tuple[str, ...], grace: float) -> Reconciled:
    """Send again the pages that are open, overdue and missing from the broker on two looks."""
    now = time.time()
    entries = {pid.decode(): json.loads(raw) for pid, raw in client.hgetall(LEDGER_KEY).items()}
    overdue = {pid: e for pid, e in entries.items() if now - float(e["sent"]) > grace}
    if not overdue:
        client.delete(SUSPECT_KEY)
        return Reconciled(len(entries), 0, 0, 0, 0)
    present = pages_in_broker(client, queues)
    suspects = {pid.decode(): float(at) for pid, at in client.hgetall(SUSPECT_KEY).items()}
    missing = [pid for pid in overdue if pid not in present]
    resent = 0
    for pid in missing:
        if pid not in suspects:
            client.hset(SUSPECT_KEY, pid, now)
            continue
        if now - suspects[pid] < SECOND_LOOK:  # two looks close together prove nothing
            continue
        entry = overdue[pid]
        log.warning(
            "page %s (%s) has no outcome and no message anywhere; sending %s[%s] again",
            pid,
            (page_of(entry["args"]) or {}).get("url"),
            entry["task"],
            entry["task_id"],
        )
        app.send_task(  # no limits in the message: the worker's own settings decide
            entry["task"],
            args=entry["args"],
            task_id=entry["task_id"],
            time_limit=None,
            soft_time_limit=None,
        )
        entry["sent"] = now
        client.pipeline().hset(LEDGER_KEY, pid, json.dumps(entry, ensure_ascii=False)).hdel(
            SUSPECT_KEY, pid
        ).execute()
        resent += 1
    stale = [pid for pid in suspects if pid not in missing]  # found again, or closed
    if stale:
        client.hdel(SUSPECT_KEY, *stale)
    return Reconciled(
        open=len(entries),
        overdue=len(overdue),
        in_broker=len(overdue) - len(missing),
        suspect=len(missing) - resent,
        resent=resent,
    )


def reconcile_once(
    client: redis.Redis, app: Any, queues: tuple[str, ...], grace: float, interval: float
) -> Reconciled | None:
    """Reconcile unless another process did within ``interval`` seconds (a Redis lock)."""
    if not client.set(LOCK_KEY, "1", nx=True, ex=max(1, int(interval))):
        return None
    return reconcile(client, app, queues, grace)
