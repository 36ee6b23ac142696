"""Dead letters: tasks that ran out of retries, recorded once, listed, and claimed for replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from nianbao.storage.repository.base import RepositoryBase, utcnow
from nianbao.storage.repository.changes import record_change
from nianbao.storage.tables import DeadLetterRow


@dataclass(frozen=True)
class DeadLetter:
    """A dead-lettered task, as listed and replayed."""

    id: int
    task_id: str
    task_name: str
    args: list[Any]
    kwargs: dict[str, Any]
    error: str
    attempts: int
    status: str
    created_at: datetime


class DeadLetters(RepositoryBase):
    """Idempotent dead-letter writes, their replay claims, and the listing."""

    def add_dead_letter(
        self,
        *,
        task_id: str,
        task_name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        error: str,
        traceback: str,
        attempts: int,
    ) -> bool:
        """Record a task that ran out of retries; False if it was already recorded."""
        with self._sessions.begin() as session:
            row_id = session.execute(
                self._insert(DeadLetterRow)
                .values(
                    task_id=task_id,
                    task_name=task_name,
                    args=args,
                    kwargs=kwargs,
                    error=error,
                    traceback=traceback,
                    attempts=attempts,
                    status="pending",
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["task_id"])
                .returning(DeadLetterRow.id)
            ).scalar()
        return row_id is not None

    def claim_dead_letter(self, dead_letter_id: int) -> bool:
        """Mark a pending dead letter as replayed; False if someone else already did.

        A claim is the feed's `replayed` event, in the same transaction (a replay the broker
        refuses is released to pending again; replaying it later adds another event).
        """
        with self._sessions.begin() as session:
            claimed = session.execute(
                update(DeadLetterRow)
                .where(DeadLetterRow.id == dead_letter_id, DeadLetterRow.status == "pending")
                .values(status="replayed", replayed_at=utcnow())
                .returning(DeadLetterRow.task_id, DeadLetterRow.task_name, DeadLetterRow.args)
            ).first()
            if claimed is not None:
                record_change(
                    session,
                    "replayed",
                    {
                        "dead_letter_id": dead_letter_id,
                        "task_id": claimed.task_id,
                        "task_name": claimed.task_name,
                        "url": _message_url(claimed.args),
                    },
                )
        return claimed is not None

    def release_dead_letter(self, dead_letter_id: int) -> None:
        """Put a claimed dead letter back to pending (its replay could not be sent)."""
        with self._sessions.begin() as session:
            session.execute(
                update(DeadLetterRow)
                .where(DeadLetterRow.id == dead_letter_id)
                .values(status="pending", replayed_at=None)
            )

    def list_dead_letters(self, status: str | None = "pending") -> list[DeadLetter]:
        """Dead letters, oldest first; all of them when status is None."""
        query = select(DeadLetterRow).order_by(DeadLetterRow.id)
        if status:
            query = query.where(DeadLetterRow.status == status)
        with self.session() as session:
            return [
                DeadLetter(
                    id=row.id,
                    task_id=row.task_id,
                    task_name=row.task_name,
                    args=row.args,
                    kwargs=row.kwargs,
                    error=row.error,
                    attempts=row.attempts,
                    status=row.status,
                    created_at=row.created_at,
                )
                for row in session.scalars(query)
            ]


def _message_url(args: list[Any]) -> str | None:
    """The page URL a task's message names (a fetched page, or a record's or rejection's page)."""
    message = args[0] if args and isinstance(args[0], dict) else {}
    page = message.get("page") if isinstance(message.get("page"), dict) else message
    url = page.get("url")
    return url if isinstance(url, str) else None
