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
from workers.reliability import ReliableTask, redis_client

log = logging.getLogger(__name__)

BATCH = 20  # rows one opportunistic drain looks at
# An empty look at the outbox costs a pooled connection and one indexed query: ~0.3 ms on
# SQLite, ~0.9 ms on PostgreSQL (pre-ping included), next to ~4 ms for storing a page. After
# an empty look a process does not look again for this long: rows become due only after a
# failed write's backoff or a lease, so a few seconds' delay costs nothing.
CHECK_INTERVAL = 5.0
SWEEP_BATCHES = 50  # batches of BATCH rows one sweep writes at most
SWEEP_EVERY = 15.0  # while archives are owed, a sweep looks at least this often
SWEEP_PENDING = "nianbao:outbox:sweep-pending"
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
    data = repo.claim_archive(archive, get_settings().archive_lease)
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
    """The write after the commit failed: make sure a sweep comes back for it, even if no
    other store task arrives by then (an idle queue). Embedded, the next store task drains."""
    if get_settings().embedded:
        return
    schedule_sweep(retry_delay(archive.attempts + 1) + 1)


def schedule_sweep(countdown: float) -> None:
    """Send one outbox sweep for `countdown` seconds from now, unless one is already pending.

    One sweep at a time for the whole cluster (a Redis key), waking at least every
    SWEEP_EVERY seconds while rows are owed: a long outage costs one small task per interval,
    not one per owed row, and no sweep lingers long after the outbox is empty.
    """
    countdown = max(1.0, min(countdown, SWEEP_EVERY))
    client = redis_client()
    try:
        if client is not None and not client.set(
            SWEEP_PENDING, "1", nx=True, ex=int(countdown + get_settings().archive_lease)
        ):
            return  # a sweep is on its way; it will see this row too
        sweep_outbox.apply_async(countdown=countdown)
    except Exception as exc:  # the broker is down too: the next store task's drain remains
        log.warning("could not schedule an outbox sweep (%s: %s)", type(exc).__name__, exc)


@app.task(name="nianbao.store.archive", base=ReliableTask, bind=True)
def sweep_outbox(self: ReliableTask) -> str:
    """Write the archives that are due, and come back while any is still owed."""
    client = redis_client()
    if client is not None:
        client.delete(SWEEP_PENDING)  # from here on, a failure may schedule the next sweep
    try:
        repo = runtime.repository()
        for _ in range(SWEEP_BATCHES):  # bounded: the rest waits for the next sweep
            drained = drain_outbox(repo=repo, force=True)
            if drained.failed or not (drained.written or drained.skipped):
                break
        owed = repo.pending_archives(1, due_only=False)
    except Exception as exc:  # the database is down: the sweep comes back, never dead-lettered
        log.warning("outbox sweep postponed (%s: %s)", type(exc).__name__, exc)
        schedule_sweep(SWEEP_EVERY)
        return "postponed"
    if not owed:
        return "outbox empty"
    schedule_sweep(seconds_until(owed[0].next_attempt_at) + 1)
    return f"{repo.pending_archive_count()} owed"


def seconds_until(when: datetime) -> float:
    """Seconds from now to a stored timestamp (SQLite gives it back naive, in UTC)."""
    now = datetime.now(UTC)
    return (when.replace(tzinfo=UTC) if when.tzinfo is None else when).timestamp() - (
        now.timestamp()
    )
