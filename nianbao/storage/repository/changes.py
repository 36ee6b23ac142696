"""The change feed: every stored event, with a cursor a consumer keeps to resume exactly there.

Events (`KINDS`): a report created, a version added, a source added (an exact copy), a near
duplicate attached, a page quarantined, a dead letter replayed. A redelivery changes nothing
and is no event. Each event is inserted by `record_change` in the transaction that made the
change, so the feed never names a change that was rolled back and never misses one committed.

Why a consumer that reads `changes(after=last)` sees every event once and in order:

- PostgreSQL. The cursor comes from a sequence, and sequence values are handed out at INSERT
  but become visible at COMMIT: with two writers, cursor 11 can commit before 10, a consumer
  reads 11, keeps it, and never sees 10. So `record_change` takes a transaction-level advisory
  lock dedicated to the feed (`FEED_LOCK`) in the statement that inserts the event (before its
  cursor is drawn), as the last write of the transaction; the lock is released at commit (or
  rollback). Cursors are then drawn and committed one transaction at a time, in commit
  order: when a cursor is visible, every smaller cursor is visible too or was rolled back for
  good (a gap, never filled later). Only the insert and the commit run under the lock, and
  nothing is waited for while holding it (every other row and lock of the transaction was
  taken before), so it cannot deadlock and serialises only the tail of each write.
- SQLite. One writer at a time: the store path begins IMMEDIATE and the other writers hold the
  database's write lock from their first write until commit, so rowids are drawn in commit
  order. The table is never deleted from, so a rowid is never reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from nianbao.storage.repository.base import RepositoryBase, utcnow
from nianbao.storage.tables import ChangeRow, VersionRow

KINDS = (
    "report_created",
    "version_added",
    "source_added",
    "near_duplicate_attached",
    "quarantined",
    "replayed",
)
MAX_LIMIT = 1000  # most events one read returns
# ISO 8601 as pydantic writes it ("…Z" for UTC): the CLI's JSON lines and the API's events agree
_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(datetime)
FEED_LOCK = 0x6E62_6665_6564  # "nbfeed": the feed's advisory lock id (PostgreSQL)

_EVENT_COLUMNS = ("kind", "report_id", "version", "source_id", "quarantine_id", "at", "data")
# the event's version number is looked up from its version row in the same statement
_VERSION_OF = (
    select(VersionRow.version).where(VersionRow.id == bindparam("version_id")).scalar_subquery()
)
# built once (SQLite: one writer at a time already orders the rowids)
_INSERT_EVENT = insert(ChangeRow).values(
    kind=bindparam("kind"),
    report_id=bindparam("report_id"),
    version=_VERSION_OF,
    source_id=bindparam("source_id"),
    quarantine_id=bindparam("quarantine_id"),
    at=bindparam("at"),
    data=bindparam("data"),
)


def _typed(name: str) -> Any:
    """A bound value typed as its column (the SELECT of an INSERT … SELECT has no column types)."""
    return bindparam(name, type_=ChangeRow.__table__.c[name].type)


# PostgreSQL: the feed lock and the insert in one round trip. The MATERIALIZED CTE is scanned
# (the lock taken) before the row it feeds is projected, and the cursor's nextval is part of
# that projection: the cursor is always drawn under the lock.
_FEED_LOCKED = (
    select(func.pg_advisory_xact_lock(FEED_LOCK).label("taken"))
    .cte("feed_lock")
    .prefix_with("MATERIALIZED")
)
_INSERT_EVENT_LOCKED = insert(ChangeRow).from_select(
    list(_EVENT_COLUMNS),
    select(
        _typed("kind"),
        _typed("report_id"),
        _VERSION_OF,
        _typed("source_id"),
        _typed("quarantine_id"),
        _typed("at"),
        _typed("data"),
    ).select_from(_FEED_LOCKED),
)


@dataclass(frozen=True)
class ChangeEvent:
    """One event of the feed, as a consumer reads it."""

    cursor: int
    kind: str
    at: datetime
    report_id: int | None
    version: int | None
    source_id: int | None
    quarantine_id: int | None
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object (timestamps in ISO 8601, UTC)."""
        return {
            "cursor": self.cursor,
            "kind": self.kind,
            "at": _TIMESTAMP.dump_python(self.at, mode="json"),
            "report_id": self.report_id,
            "version": self.version,
            "source_id": self.source_id,
            "quarantine_id": self.quarantine_id,
            "data": self.data,
        }


def record_change(
    session: Session,
    kind: str,
    data: dict[str, Any],
    *,
    report_id: int | None = None,
    version_id: int | None = None,
    source_id: int | None = None,
    quarantine_id: int | None = None,
) -> None:
    """Append one event to the feed: call it as the transaction's last write (it takes the lock).

    `version_id` names the version row; the event keeps its number (1, 2, …).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    session.flush()  # every other write first: nothing is waited for under the feed lock
    connection = session.connection()
    locked = connection.dialect.name == "postgresql"
    connection.execute(
        _INSERT_EVENT_LOCKED if locked else _INSERT_EVENT,
        {
            "kind": kind,
            "report_id": report_id,
            "version_id": version_id,
            "source_id": source_id,
            "quarantine_id": quarantine_id,
            "at": utcnow(),
            "data": data,
        },
    )


class ChangeFeed(RepositoryBase):
    """Reading the change feed from a cursor."""

    def changes(self, after: int = 0, limit: int = 100) -> list[ChangeEvent]:
        """Events with a cursor greater than `after`, oldest first; at most `limit` (≤ 1000)."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        query = (
            select(ChangeRow)
            .where(ChangeRow.cursor > after)
            .order_by(ChangeRow.cursor)
            .limit(min(limit, MAX_LIMIT))
        )
        with self.session() as session:
            return [_event(row) for row in session.scalars(query)]

    def last_cursor(self) -> int:
        """The newest event's cursor; 0 when the feed is empty."""
        with self.session() as session:
            return session.scalar(select(func.max(ChangeRow.cursor))) or 0


def _event(row: ChangeRow) -> ChangeEvent:
    """A stored row as an event (SQLite hands timestamps back without their UTC zone)."""
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return ChangeEvent(
        cursor=row.cursor,
        kind=row.kind,
        at=at,
        report_id=row.report_id,
        version=row.version,
        source_id=row.source_id,
        quarantine_id=row.quarantine_id,
        data=row.data,
    )
