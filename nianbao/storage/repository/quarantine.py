"""Quarantine: pages that were rejected, kept once per page and stage, and listed."""

from __future__ import annotations

from sqlalchemy import select

from nianbao.storage.repository.base import RepositoryBase, utcnow
from nianbao.storage.repository.changes import record_change
from nianbao.storage.repository.keys import url_key
from nianbao.storage.tables import QuarantineRow
from schemas.messages import Rejection


class Quarantine(RepositoryBase):
    """Idempotent quarantine writes and the quarantine listing."""

    def save_rejection(self, rejection: Rejection) -> bool:
        """Quarantine a page; False if this page was already quarantined at this stage.

        A page quarantined now gets its `quarantined` event in the same transaction.
        """
        page = rejection.page
        with self._sessions.begin() as session:
            row_id = session.execute(
                self._insert(QuarantineRow)
                .values(
                    stage=rejection.stage,
                    reason=rejection.reason,
                    detail=rejection.detail,
                    url_key=url_key(page.url),
                    url=page.url,
                    site_id=page.site_id,
                    page_sha256=page.sha256,
                    raw_ref=page.body_ref,
                    message=rejection.model_dump(mode="json"),
                    first_seen=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["page_sha256", "url_key", "stage"])
                .returning(QuarantineRow.id)
            ).scalar()
            if row_id is not None:  # quarantined before: no change, no event
                record_change(
                    session,
                    "quarantined",
                    {
                        "stage": rejection.stage,
                        "reason": rejection.reason,
                        "url": page.url,
                        "site_id": page.site_id,
                    },
                    quarantine_id=row_id,
                )
        return row_id is not None

    def list_quarantine(self, limit: int = 50) -> list[QuarantineRow]:
        """Quarantined pages, newest first."""
        with self.session() as session:
            return list(
                session.scalars(
                    select(QuarantineRow).order_by(QuarantineRow.id.desc()).limit(limit)
                )
            )
