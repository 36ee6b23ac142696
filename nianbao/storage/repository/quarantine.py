"""Quarantine: rejected pages, one open entry per page, listed, replayed and closed when stored.

A page (its URL and bytes) has at most one open entry: a rejection of a page with an open
entry (a redelivery, or a replay that failed again) updates that entry instead of adding one.
An entry is closed in the transaction that stores its page (`close_quarantine`, called by
`save_report`), so a page is never both stored and open in quarantine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, literal_column, select, text, update
from sqlalchemy.orm import Session

from nianbao.storage.repository.base import RepositoryBase, utcnow
from nianbao.storage.repository.changes import record_change
from nianbao.storage.repository.keys import url_key
from nianbao.storage.tables import QuarantineRow, SourceRow
from schemas.messages import Rejection

OPEN, CLOSED = "open", "closed"
_OPEN_ROW = QuarantineRow.status == literal_column("'open'")  # a partial index's predicate
# a literal, so PostgreSQL can match ON CONFLICT to the partial index (a parameter cannot)
_OPEN_INDEX = text("status = 'open'")


def close_quarantine(session: Session, url: str, sha256: str) -> int | None:
    """Close the open entry of this page (it is being stored); its id, or None if none was open."""
    return session.execute(
        update(QuarantineRow)
        .where(
            QuarantineRow.url_key == url_key(url),
            QuarantineRow.page_sha256 == sha256,
            _OPEN_ROW,
        )
        .values(status=CLOSED, closed_at=utcnow())
        .returning(QuarantineRow.id)
    ).scalar()


class Quarantine(RepositoryBase):
    """Idempotent quarantine writes, the review listing, and replay claims."""

    def save_rejection(self, rejection: Rejection) -> bool:
        """Quarantine a page; False if it already had an open entry (now updated) or is stored.

        A page quarantined now gets its `quarantined` event in the same transaction; an open
        entry whose reason or stage changes (a replay that failed otherwise) gets one too.
        """
        page, now = rejection.page, utcnow()
        key = url_key(page.url)
        with self._sessions.begin() as session:
            stored = session.scalar(
                select(
                    exists().where(SourceRow.url_key == key, SourceRow.page_sha256 == page.sha256)
                )
            )
            if stored:  # a late copy of a rejection whose page a replay has stored since
                return False
            row_id = session.execute(
                self._insert(QuarantineRow)
                .values(
                    stage=rejection.stage,
                    reason=rejection.reason,
                    detail=rejection.detail,
                    url_key=key,
                    url=page.url,
                    site_id=page.site_id,
                    page_sha256=page.sha256,
                    raw_ref=page.body_ref,
                    message=rejection.model_dump(mode="json"),
                    first_seen=now,
                    last_seen=now,
                    status=OPEN,
                )
                .on_conflict_do_nothing(
                    index_elements=["page_sha256", "url_key"], index_where=_OPEN_INDEX
                )
                .returning(QuarantineRow.id)
            ).scalar()
            if row_id is not None:
                record_change(session, "quarantined", _event(rejection), quarantine_id=row_id)
                return True
            self._update_open(session, rejection, key, now)
        return False

    def _update_open(self, session: Session, rejection: Rejection, key: str, now: datetime) -> None:
        """The page's open entry takes this rejection's reason; an event if that changed it."""
        row = session.scalars(
            select(QuarantineRow)
            .where(
                QuarantineRow.url_key == key,
                QuarantineRow.page_sha256 == rejection.page.sha256,
                _OPEN_ROW,
            )
            .with_for_update()
        ).first()
        if row is None:  # closed since the insert looked: nothing left to update
            return
        changed = (row.stage, row.reason, row.detail) != (
            rejection.stage,
            rejection.reason,
            rejection.detail,
        )
        row.stage, row.reason, row.detail = rejection.stage, rejection.reason, rejection.detail
        row.message = rejection.model_dump(mode="json")
        row.last_seen = now
        if changed:
            record_change(session, "quarantined", _event(rejection), quarantine_id=row.id)

    def list_quarantine(
        self,
        limit: int | None = 50,
        *,
        reason: str | None = None,
        site: str | None = None,
        since: datetime | None = None,
        status: str | None = None,
    ) -> list[QuarantineRow]:
        """Quarantine entries, newest first: of one reason, site, status, first seen since."""
        query = select(QuarantineRow).order_by(QuarantineRow.id.desc()).limit(limit)
        if reason:
            query = query.where(QuarantineRow.reason == reason)
        if site:
            query = query.where(QuarantineRow.site_id == site)
        if since:
            query = query.where(QuarantineRow.first_seen >= since)
        if status:
            query = query.where(QuarantineRow.status == status)
        with self.session() as session:
            return list(session.scalars(query))

    def get_quarantine(self, quarantine_id: int) -> QuarantineRow | None:
        """One quarantine entry, or None."""
        with self.session() as session:
            return session.get(QuarantineRow, quarantine_id)

    def claim_replays(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """Count a replay of each open entry named, with its `replayed` event; their pages.

        Returns the FetchedPage messages to send again (as JSON), in the order of `ids`;
        entries that are closed (or unknown) are skipped. One transaction per entry: the
        feed's lock is the last thing each takes.
        """
        pages = []
        for quarantine_id in ids:
            with self._sessions.begin() as session:
                claimed = session.execute(
                    update(QuarantineRow)
                    .where(QuarantineRow.id == quarantine_id, _OPEN_ROW)
                    .values(replays=QuarantineRow.replays + 1)
                    .returning(QuarantineRow.message, QuarantineRow.replays)
                ).first()
                if claimed is None:
                    continue
                page = claimed.message["page"]
                record_change(
                    session,
                    "replayed",
                    {
                        "quarantine_id": quarantine_id,
                        "replays": claimed.replays,
                        "url": page["url"],
                        "site_id": page["site_id"],
                    },
                    quarantine_id=quarantine_id,
                )
            pages.append(page)
        return pages


def _event(rejection: Rejection) -> dict[str, Any]:
    """The `quarantined` event's data."""
    return {
        "stage": rejection.stage,
        "reason": rejection.reason,
        "url": rejection.page.url,
        "site_id": rejection.page.site_id,
    }
