"""The archive outbox, drained: stored versions whose record is not yet in the object store.

A new version and its outbox row commit in one database transaction (`Repository.save_report`),
so a version can never exist without either its archive or a row saying it is owed. Whoever
writes the archive removes the row: the store task right after its commit, or any later drain.

Writes are idempotent (one key per version, the same bytes every time), so a row written twice
(two drains, a lease that ran out mid-write) costs a duplicate PUT and nothing else. A row whose
write keeps failing stays, counted by `Repository.pending_archive_count()`, and is tried again
with exponential backoff; nothing ever drops it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from nianbao import runtime
from nianbao.settings import get_settings
from nianbao.storage.objects import ObjectStore
from nianbao.storage.repository import PendingArchive, Repository
from workers.app import app
from workers.reliability import ReliableTask

log = logging.getLogger(__name__)

BATCH = 20  # rows one opportunistic drain looks at
LEASE = 300.0  # seconds a claimed row is left to its drain before another may take it
# An empty look at the outbox costs a pooled connection and one indexed query: ~0.3 ms on
# SQLite, ~0.9 ms on PostgreSQL (pre-ping included), next to ~4 ms for storing a page. After
# an empty look a process does not look again for this long: rows become due only after a
# failed write's backoff or a lease, so a few seconds' delay costs nothing.
CHECK_INTERVAL = 5.0
_quiet_until = 0.0  # time.monotonic() before which this process skips the empty look


@dataclass(frozen=True)
class Drained:
    """What one drain did."""

    written: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another drain meanwhile


def retry_delay(attempts: int) -> float:
    """Seconds until a row that failed on its `attempts`-th claim is due again: the tasks'
    backoff (NIANBAO_RETRY_BACKOFF_BASE, doubling, capped at NIANBAO_RETRY_BACKOFF_MAX)."""
    settings = get_settings()
    return min(settings.retry_backoff_max, settings.retry_backoff_base * 2 ** max(0, attempts - 1))


def deliver(
    archive: PendingArchive,
    repo: Repository | None = None,
    store: ObjectStore | None = None,
) -> bool | None:
    """Write one pending archive: True written, False failed (the row stays), None taken."""
    repo = repo or runtime.repository()
    data = repo.claim_archive(archive, LEASE)
    if data is None:
        return None
    try:
        (store or runtime.object_store()).put(archive.key, data, "application/json")
    except Exception as exc:  # the object store is down or refuses: keep the row, try later
        delay = retry_delay(archive.attempts + 1)
        log.warning(
            "archive %s not written (%s: %s); pending, due again in %.0fs",
            archive.key,
            type(exc).__name__,
            exc,
            delay,
        )
        repo.archive_failed(archive, f"{type(exc).__name__}: {exc}", delay)
        return False
    repo.archive_written(archive)
    return True


def drain_outbox(
    limit: int = BATCH,
    repo: Repository | None = None,
    store: ObjectStore | None = None,
    *,
    force: bool = False,
) -> Drained:
    """Write up to `limit` due archives, oldest first; stop at the first failure.

    One failure usually means the object store is down: the rest wait for the next drain
    instead of each paying for its own timeout. Empty outbox: one indexed query, and then
    none for CHECK_INTERVAL seconds in this process unless `force`.
    """
    global _quiet_until
    if not force and time.monotonic() < _quiet_until:
        return Drained()
    repo = repo or runtime.repository()
    due = repo.pending_archives(limit)
    _quiet_until = 0.0 if due else time.monotonic() + CHECK_INTERVAL
    written = failed = skipped = 0
    for archive in due:
        outcome = deliver(archive, repo, store)
        if outcome is None:
            skipped += 1
        elif outcome:
            written += 1
        else:
            failed += 1
            break
    return Drained(written, failed, skipped)


def owe_later(archive: PendingArchive) -> None:
    """The write after the commit failed: come back for this row when it is due, even if no
    other store task arrives by then (an idle queue). Embedded, the next store task drains."""
    if get_settings().embedded:
        return
    try:
        write_owed_archive.apply_async(
            args=[archive.id], countdown=retry_delay(archive.attempts + 1) + 1
        )
    except Exception as exc:  # the broker is down too: the next store task's drain remains
        log.warning("could not schedule archive %s (%s: %s)", archive.key, type(exc).__name__, exc)


@app.task(name="nianbao.store.archive", base=ReliableTask, bind=True)
def write_owed_archive(self: ReliableTask, archive_id: int) -> str:
    """Write one owed archive (its write after the commit failed), then drain a few more.

    Ends when the row is gone (written, by this or any drain); while the write keeps failing
    it sends itself again for the row's next due time, so an outage needs no new traffic.
    """
    repo = runtime.repository()
    archive = repo.pending_archive(archive_id)
    if archive is None:
        return "written"
    outcome = None  # another drain holds it, or it backs off: come back when it is due
    if seconds_until(archive.next_attempt_at) <= 0:
        outcome = deliver(archive, repo)
    if outcome:
        drain_outbox(force=True)
        return "written"
    current = repo.pending_archive(archive_id)
    if current is None:
        return "written"
    delay = max(1.0, seconds_until(current.next_attempt_at))
    write_owed_archive.apply_async(args=[archive_id], countdown=delay + 1)
    return "pending"


def seconds_until(when: datetime) -> float:
    """Seconds from now to a stored timestamp (SQLite gives it back naive, in UTC)."""
    now = datetime.now(UTC)
    return (when.replace(tzinfo=UTC) if when.tzinfo is None else when).timestamp() - (
        now.timestamp()
    )
