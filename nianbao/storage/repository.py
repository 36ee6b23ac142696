"""The SQLAlchemy repository: every read and write the system makes to its database.

Writes are idempotent and decided by unique constraints (INSERT … ON CONFLICT DO NOTHING), never
by check-then-insert, so two workers storing copies of one report at the same instant end with
one report and two sources, and a redelivered message changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    case,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from nianbao.core import similarity
from nianbao.core.dedup import Candidate, Identity, Verdict, decide, identity
from nianbao.storage.tables import (
    ArchiveOutboxRow,
    BandRow,
    DeadLetterRow,
    IndicatorRow,
    QuarantineRow,
    ReportRow,
    SectionRow,
    SourceRow,
    VersionRow,
)
from schemas.messages import ParsedPage, Rejection
from schemas.report import AnnualReport, ReportSource, ReportVersion, StoredReport

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs under several worker processes."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "isolation_level": None})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # the dedup decision reads, then writes: it takes the write lock at BEGIN
            # (execution option sqlite_begin="IMMEDIATE"); readers keep a deferred BEGIN
            mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)


def archive_key(fingerprint: str, figures: str | None = None) -> str:
    """Object-store key of a version's archived record.

    A version's exact key names it; a later version that shares the exact key with an earlier
    one (same text, other figures) adds its figures digest, so no key ever holds two records.
    """
    suffix = f".{figures}" if figures else ""
    return f"records/{fingerprint[:2]}/{fingerprint}{suffix}.json"


def archived_record(record: dict[str, Any]) -> bytes:
    """The bytes archived for a stored record: the same for every write of one version."""
    return AnnualReport.model_validate(record).model_dump_json().encode()


def url_key(url: str) -> str:
    """Bounded index key of a URL (URLs can be longer than a btree row allows)."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class SaveResult:
    """What storing a parsed page did."""

    report_id: int
    decision: str  # new | exact_duplicate | near_duplicate | new_version | redelivery
    similarity: float | None = None
    archive: PendingArchive | None = None  # the new version's archive, to write after commit


@dataclass(frozen=True)
class PendingArchive:
    """A version's record waiting in the outbox for its archive write."""

    id: int
    version_id: int
    key: str
    attempts: int  # claims so far; a claim is taken only at the attempts it was read with
    next_attempt_at: datetime
    last_error: str | None = None


_SAVE_ATTEMPTS = 3  # transactions per save_report: a unique key that fired means a concurrent
# writer committed the same row first; the next transaction sees it and decides accordingly
_CANDIDATES = 50  # most candidates examined per decision (LSH hits plus same agency and year)
_COMPARED = ("title", "published_on", "signed_on", "period", "contact", "agency", "format")


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
        """Store a parsed page and record the dedup decision for it, atomically.

        Redelivery (same URL, same bytes): nothing changes. Exact duplicate (same key and same
        figures): a new source. Otherwise the same agency-and-year's stored versions are
        compared: a near duplicate adds a source (and keeps what it said differently), a
        revision adds a version. Concurrent decisions for one agency and year are serialised by
        a lock. A new version's archive is queued in the same transaction (`archive_outbox`).

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
            seen = session.execute(
                select(SourceRow.id, SourceRow.report_id).where(
                    SourceRow.url_key == url_key(page.url), SourceRow.page_sha256 == page.sha256
                )
            ).first()
            if seen is not None:
                session.execute(
                    update(SourceRow)
                    .where(SourceRow.id == seen.id, SourceRow.last_seen < page.fetched_at)
                    .values(last_seen=page.fetched_at)
                )
                return SaveResult(seen.report_id, "redelivery")
            # same text, other figures (a moved cell, a sign the key folds away): never an exact
            # copy; such a page is decided below and may become a version under the same key
            exact = session.execute(
                select(VersionRow.id, VersionRow.report_id)
                .where(
                    VersionRow.fingerprint == parsed.fingerprint,
                    VersionRow.figures.in_((who.figures, "")),  # "": figures never computed
                )
                .order_by(case((VersionRow.figures == who.figures, 0), else_=1), VersionRow.id)
                .limit(1)
            ).first()
            if exact is not None:
                verdict = Verdict("exact_duplicate", exact.report_id, exact.id, 1.0, "exact")
            else:
                verdict = decide(who, sig, self._candidates(session, who, sig))
            archive = None
            if verdict.decision == "new":
                report_id, version_id = self._new_report(session, parsed, who)
            elif verdict.decision == "new_version":
                assert verdict.report_id is not None
                report_id = verdict.report_id
                version_id = self._new_version(session, report_id, parsed, who, verdict.similarity)
            else:
                assert verdict.report_id is not None and verdict.version_id is not None
                report_id, version_id = verdict.report_id, verdict.version_id
            differences = (
                self._differences(session, version_id, record)
                if verdict.decision == "near_duplicate"
                else None
            )
            session.add(
                SourceRow(
                    report_id=report_id,
                    version_id=version_id,
                    url_key=url_key(page.url),
                    url=page.url,
                    final_url=page.final_url,
                    site_id=page.site_id,
                    page_sha256=page.sha256,
                    raw_ref=page.body_ref,
                    decision=verdict.decision,
                    similarity=verdict.similarity,
                    method=verdict.method if verdict.decision != "new" else None,
                    differences=differences,
                    first_seen=page.fetched_at,
                    last_seen=page.fetched_at,
                )
            )
            if verdict.decision in ("new", "new_version"):
                self._update_repetition(session, report_id, who)
                archive = self._queue_archive(session, version_id, parsed.fingerprint, who)
            return SaveResult(report_id, verdict.decision, verdict.similarity, archive)

    def _queue_archive(
        self, session: Session, version_id: int, fingerprint: str, who: Identity
    ) -> PendingArchive:
        """The outbox row of a new version, in the transaction that stores the version."""
        earlier = session.scalar(
            select(VersionRow.id)
            .where(VersionRow.fingerprint == fingerprint, VersionRow.id != version_id)
            .limit(1)
        )
        now = _now()
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

    def _lock(self, session: Session, who: Identity, fingerprint: str) -> None:
        """Serialise decisions that could conflict (SQLite: BEGIN IMMEDIATE already did).

        One agency-year (near duplicates, versions), its neighbouring years (each one's
        repetition figure reads the other), and the exact key (copies whose parses disagree on
        identity). Locks are taken in ascending order, so two decisions never deadlock.
        """
        if self.engine.dialect.name != "postgresql":
            return
        names = [f"key|{fingerprint}"]
        if who.agency_key and who.year:
            names += [f"{who.agency_key}|{year}" for year in (who.year - 1, who.year, who.year + 1)]
        else:
            names.append("unkeyed")
        for lock_id in sorted(
            int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            for name in names
        ):
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})

    def _candidates(self, session: Session, who: Identity, sig: list[int]) -> list[Candidate]:
        """Stored versions that may be the same report: LSH band hits and same agency-year."""
        ids: set[int] = set()
        if sig:
            keys = similarity.band_keys(sig)
            ids.update(
                session.scalars(
                    select(BandRow.version_id)
                    # OR of (band, key) pairs: one index search each on every backend (a
                    # row-value IN makes SQLite scan the whole index)
                    .where(
                        or_(
                            *(and_(BandRow.band == b, BandRow.key == k) for b, k in enumerate(keys))
                        )
                    )
                    .distinct()
                    .limit(_CANDIDATES)
                )
            )
        if who.agency_key and who.year:
            ids.update(
                session.scalars(
                    select(VersionRow.id)
                    .where(VersionRow.agency_key == who.agency_key, VersionRow.year == who.year)
                    .limit(_CANDIDATES)
                )
            )
        if not ids:
            return []
        rows = session.scalars(select(VersionRow).where(VersionRow.id.in_(ids)))
        return [
            Candidate(
                version_id=row.id,
                report_id=row.report_id,
                identity=Identity(
                    row.agency_key, tuple(row.regions or (None,) * 4), row.year, row.figures
                ),  # type: ignore[arg-type]
                signature=similarity.unpack(row.signature) if row.signature else [],
            )
            for row in rows
        ]

    def _new_report(self, session: Session, parsed: ParsedPage, who: Identity) -> tuple[int, int]:
        record, now = parsed.record, _now()
        report = ReportRow(
            fingerprint=parsed.fingerprint,
            schema_version=record.schema_version,
            title=record.title,
            agency_name=record.agency.name,
            agency_key=who.agency_key,
            year=record.year,
            format=record.format,
            published_on=record.published_on,
            text_length=parsed.text_length,
            record=record.model_dump(mode="json"),
            current_version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(report)
        session.flush()
        version_id = self._add_version(session, report.id, 1, parsed, who, "new", None)
        self._add_children(session, report.id, record)
        return report.id, version_id

    def _new_version(
        self,
        session: Session,
        report_id: int,
        parsed: ParsedPage,
        who: Identity,
        similarity_to_previous: float | None,
    ) -> int:
        report = session.get(ReportRow, report_id, with_for_update=True)
        assert report is not None
        record = parsed.record
        report.current_version += 1
        version_id = self._add_version(session, report_id, report.current_version, parsed, who,
                                       "new_version", similarity_to_previous)  # fmt: skip
        report.fingerprint = parsed.fingerprint
        report.title, report.format = record.title, record.format
        report.published_on, report.text_length = record.published_on, parsed.text_length
        report.record = record.model_dump(mode="json")
        report.updated_at = _now()
        session.execute(delete(SectionRow).where(SectionRow.report_id == report_id))
        session.execute(delete(IndicatorRow).where(IndicatorRow.report_id == report_id))
        session.flush()
        self._add_children(session, report_id, record)
        return version_id

    def _add_version(
        self,
        session: Session,
        report_id: int,
        number: int,
        parsed: ParsedPage,
        who: Identity,
        decision: str,
        similarity_to_previous: float | None,
    ) -> int:
        version = VersionRow(
            report_id=report_id,
            version=number,
            fingerprint=parsed.fingerprint,
            signature=similarity.pack(parsed.signature) if parsed.signature else None,
            figures=who.figures,
            agency_key=who.agency_key,
            regions=list(who.regions),
            year=who.year,
            record=parsed.record.model_dump(mode="json"),
            text_length=parsed.text_length,
            decision=decision,
            similarity=similarity_to_previous,
            created_at=_now(),
        )
        session.add(version)
        session.flush()
        if parsed.signature:
            session.add_all(
                BandRow(band=band, key=key, version_id=version.id)
                for band, key in enumerate(similarity.band_keys(parsed.signature))
            )
        return version.id

    def _differences(
        self, session: Session, version_id: int, record: AnnualReport
    ) -> dict[str, Any] | None:
        """The fields where this source's record says something else than the version."""
        stored = session.scalar(select(VersionRow.record).where(VersionRow.id == version_id))
        mine = record.model_dump(mode="json")
        changed = {k: mine[k] for k in _COMPARED if stored and stored.get(k) != mine.get(k)}
        return changed or None

    def _update_repetition(self, session: Session, report_id: int, who: Identity) -> None:
        """Similarity to the same agency's previous year, for this report and the next year's."""
        if not who.agency_key or not who.year:
            return
        for earlier_year, later_year in ((who.year - 1, who.year), (who.year, who.year + 1)):
            earlier = self._current(session, who, earlier_year)
            later = self._current(session, who, later_year)
            if earlier and later and earlier[1] and later[1]:
                session.execute(
                    update(ReportRow)
                    .where(ReportRow.id == later[0])
                    .values(
                        repetition_vs_previous_year=round(
                            similarity.estimate(
                                similarity.unpack(earlier[1]), similarity.unpack(later[1])
                            ),
                            4,
                        ),
                        previous_year_report_id=earlier[0],
                    )
                )

    def _current(self, session: Session, who: Identity, year: int) -> tuple[int, bytes] | None:
        """The same agency's report for `year` (regions must agree), with its signature."""
        rows = session.execute(
            select(ReportRow.id, VersionRow.signature, VersionRow.regions)
            .join(
                VersionRow,
                (VersionRow.report_id == ReportRow.id)
                & (VersionRow.version == ReportRow.current_version),
            )
            .where(ReportRow.agency_key == who.agency_key, ReportRow.year == year)
            .order_by(ReportRow.id)
        )
        for report_id, signature, regions in rows:
            theirs = tuple(regions or (None,) * 4)
            if all(
                a is None or b is None or a == b for a, b in zip(who.regions, theirs, strict=False)
            ):
                return report_id, signature
        return None

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

    # -- the archive outbox -------------------------------------------------------------------

    def pending_archives(self, limit: int = 20, *, due_only: bool = True) -> list[PendingArchive]:
        """Outbox rows whose archive is still to be written, oldest due first.

        due_only: only rows whose next attempt has come (not claimed by a live drain, not
        backing off after a failure). One index range scan: cheap when the outbox is empty.
        """
        query = select(ArchiveOutboxRow).order_by(
            ArchiveOutboxRow.next_attempt_at, ArchiveOutboxRow.id
        )
        if due_only:
            query = query.where(ArchiveOutboxRow.next_attempt_at <= _now())
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
                    next_attempt_at=_now() + timedelta(seconds=lease),
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
                    next_attempt_at=_now() + timedelta(seconds=retry_in),
                )
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
        ids = [row.id for row in rows]
        versions: dict[int, list[VersionRow]] = {i: [] for i in ids}
        numbers: dict[int, int] = {}
        for version in session.scalars(
            select(VersionRow).where(VersionRow.report_id.in_(ids)).order_by(VersionRow.version)
        ):
            versions[version.report_id].append(version)
            numbers[version.id] = version.version
        sources: dict[int, list[ReportSource]] = {i: [] for i in ids}
        for src in session.scalars(
            select(SourceRow)
            .where(SourceRow.report_id.in_(ids))
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
                    similarity=src.similarity,
                    method=src.method,
                    version=numbers.get(src.version_id) if src.version_id else None,
                    differences=src.differences,
                    first_seen=src.first_seen,
                    last_seen=src.last_seen,
                )
            )
        return [
            StoredReport(
                id=row.id,
                fingerprint=row.fingerprint,
                created_at=row.created_at,
                current_version=row.current_version,
                repetition_vs_previous_year=row.repetition_vs_previous_year,
                previous_year_report_id=row.previous_year_report_id,
                record=AnnualReport.model_validate(row.record),
                versions=[
                    ReportVersion(
                        version=v.version,
                        fingerprint=v.fingerprint,
                        decision=v.decision,  # type: ignore[arg-type]
                        similarity=v.similarity,
                        created_at=v.created_at,
                        record=AnnualReport.model_validate(v.record),
                    )
                    for v in versions[row.id]
                ],
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
