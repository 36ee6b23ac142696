"""The archive outbox: a new version's archive, queued in the transaction that stores it.

Drains claim a row for a lease, write the record to the object store, then delete the row; a
failed write leaves the row with its error, due again later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from nianbao.core.dedup import Identity
from nianbao.storage.repository.base import RepositoryBase, utcnow
from nianbao.storage.repository.keys import archive_key
from nianbao.storage.tables import ArchiveOutboxRow, VersionRow
from schemas.report import AnnualReport


@dataclass(frozen=True)
class PendingArchive:
    """A version's record waiting in the outbox for its archive write."""

    id: int
    version_id: int
    key: str
    attempts: int  # claims so far; a claim is taken only at the attempts it was read with
    next_attempt_at: datetime
    last_error: str | None = None


def archived_record(record: dict[str, Any]) -> bytes:
    """The bytes archived for a stored record: the same for every write of one version."""
    return AnnualReport.model_validate(record).model_dump_json().encode()


def queue_archive(
    session: Session, version_id: int, fingerprint: str, who: Identity
) -> PendingArchive:
    """The outbox row of a new version, in the transaction that stores the version."""
    earlier = session.scalar(
        select(VersionRow.id)
        .where(VersionRow.fingerprint == fingerprint, VersionRow.id != version_id)
        .limit(1)
    )
    now = utcnow()
    row = ArchiveOutboxRow(
        version_id=version_id,
        key=archive_key(fingerprint, who.figures if earlier is not None else None),
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return PendingArchive(row.id, version_id, row.key, 0, now)


class ArchiveOutbox(RepositoryBase):
    """Reading, claiming and settling the outbox's rows."""

    def pending_archives(self, limit: int = 20, *, due_only: bool = True) -> list[PendingArchive]:
        """Outbox rows whose archive is still to be written, oldest due first.

        due_only: only rows whose next attempt has come (not claimed by a live drain, not
        backing off after a failure). One index range scan: cheap when the outbox is empty.
        """
        query = select(ArchiveOutboxRow).order_by(
            ArchiveOutboxRow.next_attempt_at, ArchiveOutboxRow.id
        )
        if due_only:
            query = query.where(ArchiveOutboxRow.next_attempt_at <= utcnow())
        with self.session() as session:
            return [
                PendingArchive(
                    row.id,
                    row.version_id,
                    row.key,
                    row.attempts,
                    row.next_attempt_at,
                    row.last_error,
                )
                for row in session.scalars(query.limit(limit))
            ]

    def pending_archive(self, archive_id: int) -> PendingArchive | None:
        """One outbox row, or None once its archive is written."""
        with self.session() as session:
            row = session.get(ArchiveOutboxRow, archive_id)
            if row is None:
                return None
            return PendingArchive(
                row.id, row.version_id, row.key, row.attempts, row.next_attempt_at, row.last_error
            )

    def pending_archive_count(self) -> int:
        """How many versions still wait for their archive (for `nianbao status`)."""
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(ArchiveOutboxRow)) or 0

    def claim_archive(self, archive: PendingArchive, lease: float) -> bytes | None:
        """Take an outbox row for `lease` seconds; the bytes to archive, or None if taken.

        The claim succeeds only at the attempts count it was read with, so of two drains that
        read one row one writes it; the other moves on. A drain that dies keeps the row only
        until its lease ends.
        """
        with self._sessions.begin() as session:
            claimed = session.execute(
                update(ArchiveOutboxRow)
                .where(
                    ArchiveOutboxRow.id == archive.id,
                    ArchiveOutboxRow.attempts == archive.attempts,
                )
                .values(
                    attempts=archive.attempts + 1,
                    next_attempt_at=utcnow() + timedelta(seconds=lease),
                )
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            record = session.scalar(
                select(VersionRow.record).where(VersionRow.id == archive.version_id)
            )
        return archived_record(record) if record is not None else None

    def archive_written(self, archive: PendingArchive) -> None:
        """The archive is in the object store: the outbox row goes (a no-op if already gone)."""
        with self._sessions.begin() as session:
            session.execute(delete(ArchiveOutboxRow).where(ArchiveOutboxRow.id == archive.id))

    def archive_failed(self, archive: PendingArchive, error: str, retry_in: float) -> None:
        """The write failed: the row stays, with the error, due again in `retry_in` seconds.

        Only the claim that failed updates it (`archive.attempts` + 1): a later claim's outcome
        is never overwritten.
        """
        with self._sessions.begin() as session:
            session.execute(
                update(ArchiveOutboxRow)
                .where(
                    ArchiveOutboxRow.id == archive.id,
                    ArchiveOutboxRow.attempts == archive.attempts + 1,
                )
                .values(
                    last_error=error[:2000],
                    next_attempt_at=utcnow() + timedelta(seconds=retry_in),
                )
            )
