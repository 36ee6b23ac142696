"""Storing a parsed page: the dedup decision and its writes, in one transaction.

Writes are idempotent and decided by unique constraints, never by check-then-insert: a unique
key that fires rolls the transaction back and the page is decided again, seeing that row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nianbao.core.dedup import decide, identity
from nianbao.storage.repository.aggregate import new_report, new_version
from nianbao.storage.repository.changes import record_change
from nianbao.storage.repository.dedup import DedupLookups
from nianbao.storage.repository.keys import url_key
from nianbao.storage.repository.outbox import PendingArchive, queue_archive
from nianbao.storage.repository.quarantine import close_quarantine
from nianbao.storage.repository.repetition import update_repetition
from nianbao.storage.tables import SourceRow, VersionRow
from schemas.messages import FetchedPage, ParsedPage
from schemas.report import AnnualReport

log = logging.getLogger(__name__)

_SAVE_ATTEMPTS = 3  # transactions per save_report: a unique key that fired means a concurrent
# writer committed the same row first; the next transaction sees it and decides accordingly

# the feed's event for each decision that changes something (a redelivery changes nothing)
_EVENTS = {
    "new": "report_created",
    "new_version": "version_added",
    "near_duplicate": "near_duplicate_attached",
    "exact_duplicate": "source_added",
}
_COMPARED = ("title", "published_on", "signed_on", "period", "contact", "agency", "format")


@dataclass(frozen=True)
class SaveResult:
    """What storing a parsed page did."""

    report_id: int
    decision: str  # new | exact_duplicate | near_duplicate | new_version | redelivery
    similarity: float | None = None
    archive: PendingArchive | None = None  # the new version's archive, to write after commit


class ReportWrites(DedupLookups):
    """`save_report`: a page becomes a report, a version, or a source of a stored one."""

    def save_report(self, parsed: ParsedPage) -> SaveResult:
        """Store a parsed page and record the dedup decision for it, atomically.

        Redelivery (same URL, same bytes): nothing changes. Exact duplicate (same key and same
        figures): a new source. Otherwise the same agency-and-year's stored versions are
        compared: a near duplicate adds a source (and keeps what it said differently), a
        revision adds a version. Concurrent decisions for one agency and year are serialised by
        a lock. A new version's archive is queued in the same transaction (`archive_outbox`),
        and so is the change feed's event for the decision (`changes`), last.

        The unique keys are the last word: if one fires (a writer the locks do not cover
        committed the same row first), the whole transaction is rolled back and decided again,
        and then sees that row: a redelivery or a copy, never a second row.
        """
        for attempt in range(1, _SAVE_ATTEMPTS + 1):
            try:
                return self._save_report(parsed)
            except IntegrityError as exc:
                if attempt == _SAVE_ATTEMPTS:
                    raise
                log.warning(
                    "storing %s hit a unique key (%s); deciding again",
                    parsed.page.url,
                    str(exc.orig).splitlines()[0] if exc.orig else exc,
                )
        raise AssertionError("unreachable")

    def _save_report(self, parsed: ParsedPage) -> SaveResult:
        page, record, sig = parsed.page, parsed.record, parsed.signature
        who = identity(record)
        with (
            self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection,
            self._sessions(bind=connection) as session,
            session.begin(),
        ):
            self._lock(session, who, parsed.fingerprint)
            facts = self._page_facts(session, page, parsed.fingerprint, who)
            if facts.seen_source is not None and facts.seen_report is not None:
                _seen_again(session, facts.seen_source, page)
                return SaveResult(facts.seen_report, "redelivery")
            verdict = facts.exact
            if verdict is None:
                verdict = decide(who, sig, self._candidates(session, who, sig))
            archive = None
            if verdict.decision == "new":
                report_id, version_id = new_report(session, parsed, who)
            elif verdict.decision == "new_version":
                assert verdict.report_id is not None
                report_id = verdict.report_id
                version_id = new_version(session, report_id, parsed, who, verdict.similarity)
            else:
                assert verdict.report_id is not None and verdict.version_id is not None
                report_id, version_id = verdict.report_id, verdict.version_id
            differences = (
                _differences(session, version_id, record)
                if verdict.decision == "near_duplicate"
                else None
            )
            source_id = session.connection().scalar(
                _INSERT_SOURCE,
                {
                    "report_id": report_id,
                    "version_id": version_id,
                    "url_key": url_key(page.url),
                    "url": page.url,
                    "final_url": page.final_url,
                    "site_id": page.site_id,
                    "page_sha256": page.sha256,
                    "raw_ref": page.body_ref,
                    "decision": verdict.decision,
                    "similarity": verdict.similarity,
                    "method": verdict.method if verdict.decision != "new" else None,
                    "differences": differences,
                    "first_seen": page.fetched_at,
                    "last_seen": page.fetched_at,
                },
            )
            if facts.open_in_quarantine:  # stored: its review is over
                close_quarantine(session, page.url, page.sha256)
            if verdict.decision in ("new", "new_version"):
                update_repetition(session, report_id, who)
                archive = queue_archive(session, version_id, parsed.fingerprint, who)
            record_change(
                session,
                _EVENTS[verdict.decision],
                {
                    "decision": verdict.decision,
                    "similarity": verdict.similarity,
                    "url": page.url,
                    "site_id": page.site_id,
                    "year": record.year,
                    "agency": record.agency.name,
                },
                report_id=report_id,
                version_id=version_id,
                source_id=source_id,
            )
            return SaveResult(report_id, verdict.decision, verdict.similarity, archive)


_INSERT_SOURCE = insert(SourceRow).returning(SourceRow.id)  # one statement, no unit of work


def _seen_again(session: Session, source_id: int, page: FetchedPage) -> None:
    """A redelivered page: its stored source's last_seen moves on (never back)."""
    session.execute(
        update(SourceRow)
        .where(SourceRow.id == source_id, SourceRow.last_seen < page.fetched_at)
        .values(last_seen=page.fetched_at)
    )


_COMPARED_FIELDS = select(*(VersionRow.record[field].label(field) for field in _COMPARED)).where(
    VersionRow.id == bindparam("version_id")
)


def _differences(session: Session, version_id: int, record: AnnualReport) -> dict[str, Any] | None:
    """The fields where this source's record says something else than the version.

    Only the compared fields are read of the version's record (JSON paths), not the record.
    """
    stored = session.connection().execute(_COMPARED_FIELDS, {"version_id": version_id}).first()
    if stored is None:
        return None
    mine = record.model_dump(mode="json", include=set(_COMPARED))
    changed = {k: mine.get(k) for k in _COMPARED if getattr(stored, k) != mine.get(k)}
    return changed or None
