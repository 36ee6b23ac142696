"""The read queries: counts, report listings, one stored report, export in batches, outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nianbao.storage.repository.base import RepositoryBase
from nianbao.storage.repository.keys import url_key
from nianbao.storage.tables import DeadLetterRow, QuarantineRow, ReportRow, SourceRow, VersionRow
from schemas.report import AnnualReport, ReportSource, ReportVersion, StoredReport


class ReportReads(RepositoryBase):
    """What `nianbao status`, `show`, `list` and `export` read."""

    def counts(self) -> dict[str, int]:
        """How many reports, sources, open quarantine entries and pending dead letters exist."""
        with self.session() as session:
            return {
                "reports": session.scalar(select(func.count()).select_from(ReportRow)) or 0,
                "sources": session.scalar(select(func.count()).select_from(SourceRow)) or 0,
                "quarantined": session.scalar(  # open entries: a replayed-and-stored one is done
                    select(func.count())
                    .select_from(QuarantineRow)
                    .where(QuarantineRow.status == "open")
                )
                or 0,
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
            return _stored(session, [row])[0]

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
                yield from _stored(session, rows)
                last_id = rows[-1].id

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


def _stored(session: Session, rows: list[ReportRow]) -> list[StoredReport]:
    """The stored reports of these rows, each with its versions and sources."""
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
