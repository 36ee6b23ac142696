"""The SQLAlchemy repository: every read and write the system makes to its database.

Writes are idempotent and decided by unique constraints (INSERT … ON CONFLICT DO NOTHING), never
by check-then-insert, so two workers storing copies of one report at the same instant end with
one report and two sources, and a redelivered message changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from nianbao.storage.tables import (
    DeadLetterRow,
    IndicatorRow,
    QuarantineRow,
    ReportRow,
    SectionRow,
    SourceRow,
)
from schemas.messages import ParsedPage, Rejection
from schemas.report import AnnualReport, ReportSource, StoredReport


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs under several worker processes."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)


def url_key(url: str) -> str:
    """Bounded index key of a URL (URLs can be longer than a btree row allows)."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class SaveResult:
    """What storing a parsed page did."""

    report_id: int
    decision: str  # new | exact_duplicate | redelivery


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


def _now() -> datetime:
    return datetime.now(UTC)


class Repository:
    """Reads and idempotent writes of reports, sources, quarantine and dead letters."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def _insert(self, table: Any) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def session(self) -> Session:
        """A new session (unit of work); use as a context manager."""
        return self._sessions()

    # -- writes -------------------------------------------------------------------------------

    def save_report(self, parsed: ParsedPage) -> SaveResult:
        """Store a parsed page: a new report, a new source of an existing one, or nothing."""
        page, record, now = parsed.page, parsed.record, _now()
        with self._sessions.begin() as session:
            report_id = session.execute(
                self._insert(ReportRow)
                .values(
                    fingerprint=parsed.fingerprint,
                    schema_version=record.schema_version,
                    title=record.title,
                    agency_name=record.agency.name,
                    year=record.year,
                    format=record.format,
                    published_on=record.published_on,
                    text_length=parsed.text_length,
                    record=record.model_dump(mode="json"),
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["fingerprint"])
                .returning(ReportRow.id)
            ).scalar()
            created = report_id is not None
            if report_id is None:
                report_id = session.scalar(
                    select(ReportRow.id).where(ReportRow.fingerprint == parsed.fingerprint)
                )
                assert report_id is not None, "conflicting report vanished"
            else:
                self._add_children(session, report_id, record)
            source_id = session.execute(
                self._insert(SourceRow)
                .values(
                    report_id=report_id,
                    url_key=url_key(page.url),
                    url=page.url,
                    final_url=page.final_url,
                    site_id=page.site_id,
                    page_sha256=page.sha256,
                    raw_ref=page.body_ref,
                    decision="new" if created else "exact_duplicate",
                    first_seen=page.fetched_at,
                    last_seen=page.fetched_at,
                )
                .on_conflict_do_nothing(index_elements=["report_id", "url_key"])
                .returning(SourceRow.id)
            ).scalar()
            if source_id is None:
                session.execute(
                    update(SourceRow)
                    .where(
                        SourceRow.report_id == report_id,
                        SourceRow.url_key == url_key(page.url),
                        SourceRow.last_seen < page.fetched_at,
                    )
                    .values(last_seen=page.fetched_at)
                )
                return SaveResult(report_id, "redelivery")
            return SaveResult(report_id, "new" if created else "exact_duplicate")

    def _add_children(self, session: Session, report_id: int, record: AnnualReport) -> None:
        session.add_all(
            SectionRow(
                report_id=report_id,
                position=i,
                number=s.number,
                heading=s.heading,
                text=s.text,
            )
            for i, s in enumerate(record.sections)
        )
        session.add_all(
            IndicatorRow(
                report_id=report_id,
                position=i,
                table_name=ind.table,
                row_label=ind.row,
                row_code=ind.row_code,
                column_label=ind.column,
                column_code=ind.column_code,
                unit=ind.unit,
                value=ind.value,
                raw=ind.raw,
                semantics=ind.semantics,
            )
            for i, ind in enumerate(record.indicators)
        )

    def save_rejection(self, rejection: Rejection) -> bool:
        """Quarantine a page; False if this page was already quarantined at this stage."""
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
                    first_seen=_now(),
                )
                .on_conflict_do_nothing(index_elements=["page_sha256", "url_key", "stage"])
                .returning(QuarantineRow.id)
            ).scalar()
        return row_id is not None

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
                    created_at=_now(),
                )
                .on_conflict_do_nothing(index_elements=["task_id"])
                .returning(DeadLetterRow.id)
            ).scalar()
        return row_id is not None

    def claim_dead_letter(self, dead_letter_id: int) -> bool:
        """Mark a pending dead letter as replayed; False if someone else already did."""
        with self._sessions.begin() as session:
            result = session.execute(
                update(DeadLetterRow)
                .where(DeadLetterRow.id == dead_letter_id, DeadLetterRow.status == "pending")
                .values(status="replayed", replayed_at=_now())
            )
        return result.rowcount == 1  # type: ignore[attr-defined]

    def release_dead_letter(self, dead_letter_id: int) -> None:
        """Put a claimed dead letter back to pending (its replay could not be sent)."""
        with self._sessions.begin() as session:
            session.execute(
                update(DeadLetterRow)
                .where(DeadLetterRow.id == dead_letter_id)
                .values(status="pending", replayed_at=None)
            )

    # -- reads --------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """How many reports, sources, quarantined pages and pending dead letters are stored."""
        with self.session() as session:
            return {
                "reports": session.scalar(select(func.count()).select_from(ReportRow)) or 0,
                "sources": session.scalar(select(func.count()).select_from(SourceRow)) or 0,
                "quarantined": session.scalar(select(func.count()).select_from(QuarantineRow)) or 0,
                "dead_letters": session.scalar(
                    select(func.count())
                    .select_from(DeadLetterRow)
                    .where(DeadLetterRow.status == "pending")
                )
                or 0,
            }

    def list_reports(self, limit: int = 50, offset: int = 0) -> list[ReportRow]:
        """Report rows, newest first."""
        with self.session() as session:
            return list(
                session.scalars(
                    select(ReportRow).order_by(ReportRow.id.desc()).limit(limit).offset(offset)
                )
            )

    def get_report(self, report_id: int) -> StoredReport | None:
        """One stored report with all its sources."""
        with self.session() as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                return None
            return self._stored(session, [row])[0]

    def iter_reports(self, batch: int = 500) -> Iterator[StoredReport]:
        """Every stored report with its sources, in id order, read in batches."""
        last_id = 0
        while True:
            with self.session() as session:
                rows = list(
                    session.scalars(
                        select(ReportRow)
                        .where(ReportRow.id > last_id)
                        .order_by(ReportRow.id)
                        .limit(batch)
                    )
                )
                if not rows:
                    return
                yield from self._stored(session, rows)
                last_id = rows[-1].id

    def _stored(self, session: Session, rows: list[ReportRow]) -> list[StoredReport]:
        sources: dict[int, list[ReportSource]] = {row.id: [] for row in rows}
        for src in session.scalars(
            select(SourceRow)
            .where(SourceRow.report_id.in_(sources))
            .order_by(SourceRow.first_seen, SourceRow.id)
        ):
            sources[src.report_id].append(
                ReportSource(
                    url=src.url,
                    final_url=src.final_url,
                    site_id=src.site_id,
                    page_sha256=src.page_sha256,
                    raw_ref=src.raw_ref,
                    decision=src.decision,  # type: ignore[arg-type]
                    first_seen=src.first_seen,
                    last_seen=src.last_seen,
                )
            )
        return [
            StoredReport(
                id=row.id,
                fingerprint=row.fingerprint,
                created_at=row.created_at,
                record=AnnualReport.model_validate(row.record),
                sources=sources[row.id],
            )
            for row in rows
        ]

    def page_outcomes(self, urls: Iterable[str]) -> dict[str, str]:
        """For each URL: the dedup decision stored for it, or 'quarantined: reason'."""
        keys = {url_key(url): url for url in urls}
        found: dict[str, str] = {}
        with self.session() as session:
            for key, reason in session.execute(
                select(QuarantineRow.url_key, QuarantineRow.reason).where(
                    QuarantineRow.url_key.in_(keys)
                )
            ):
                found[keys[key]] = f"quarantined: {reason}"
            for key, decision in session.execute(
                select(SourceRow.url_key, SourceRow.decision).where(SourceRow.url_key.in_(keys))
            ):
                found[keys[key]] = decision
        return found

    def list_quarantine(self, limit: int = 50) -> list[QuarantineRow]:
        """Quarantined pages, newest first."""
        with self.session() as session:
            return list(
                session.scalars(
                    select(QuarantineRow).order_by(QuarantineRow.id.desc()).limit(limit)
                )
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
