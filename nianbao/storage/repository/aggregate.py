"""The report aggregate's rows: a new report, a new version of one, and their children.

A report row holds its current version's record; each version keeps its own record, key,
signature and LSH bands; sections and indicators follow the current version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from nianbao.core import similarity
from nianbao.core.dedup import Identity
from nianbao.storage.repository.base import utcnow
from nianbao.storage.tables import BandRow, IndicatorRow, ReportRow, SectionRow, VersionRow
from schemas.messages import ParsedPage
from schemas.report import AnnualReport


def filter_columns(record: AnnualReport) -> dict[str, Any]:
    """The report row's copies of the record's region, level and kind (the API filters on them)."""
    region = record.region
    return {
        "province": region.province,
        "city": region.city,
        "county": region.county,
        "division_code": region.code,
        "level": record.agency.level,
        "is_report": record.is_report,
    }


def new_report(session: Session, parsed: ParsedPage, who: Identity) -> tuple[int, int]:
    """Add a report with its first version and children; returns (report id, version id)."""
    record, now = parsed.record, utcnow()
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
        **filter_columns(record),
    )
    session.add(report)
    session.flush()
    version_id = _add_version(session, report.id, 1, parsed, who, "new", None)
    _add_children(session, report.id, record)
    return report.id, version_id


def new_version(
    session: Session,
    report_id: int,
    parsed: ParsedPage,
    who: Identity,
    similarity_to_previous: float | None,
) -> int:
    """Add a version to a report and make it current (its record and children); its id."""
    report = session.get(ReportRow, report_id, with_for_update=True)
    assert report is not None
    record = parsed.record
    report.current_version += 1
    version_id = _add_version(session, report_id, report.current_version, parsed, who,
                              "new_version", similarity_to_previous)  # fmt: skip
    report.fingerprint = parsed.fingerprint
    report.title, report.format = record.title, record.format
    report.published_on, report.text_length = record.published_on, parsed.text_length
    report.record = record.model_dump(mode="json")
    for column, value in filter_columns(record).items():
        setattr(report, column, value)
    report.updated_at = utcnow()
    session.execute(delete(SectionRow).where(SectionRow.report_id == report_id))
    session.execute(delete(IndicatorRow).where(IndicatorRow.report_id == report_id))
    session.flush()
    _add_children(session, report_id, record)
    return version_id


def _add_version(
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
        signature_version=similarity.SIGNATURE_VERSION,
        figures=who.figures,
        agency_key=who.agency_key,
        regions=list(who.regions),
        year=who.year,
        record=parsed.record.model_dump(mode="json"),
        text_length=parsed.text_length,
        decision=decision,
        similarity=similarity_to_previous,
        created_at=utcnow(),
    )
    session.add(version)
    session.flush()
    if parsed.signature:
        session.execute(
            insert(BandRow),
            [
                {"band": band, "key": key, "version_id": version.id}
                for band, key in enumerate(similarity.band_keys(parsed.signature))
            ],
        )
    return version.id


def _add_children(session: Session, report_id: int, record: AnnualReport) -> None:
    """The current version's sections and indicators, each table in one bulk INSERT."""
    if record.sections:
        session.execute(
            insert(SectionRow),
            [
                {
                    "report_id": report_id,
                    "position": i,
                    "number": s.number,
                    "heading": s.heading,
                    "text": s.text,
                }
                for i, s in enumerate(record.sections)
            ],
        )
    if record.indicators:
        session.execute(
            insert(IndicatorRow),
            [
                {
                    "report_id": report_id,
                    "position": i,
                    "table_name": ind.table,
                    "row_label": ind.row,
                    "row_code": ind.row_code,
                    "column_label": ind.column,
                    "column_code": ind.column_code,
                    "unit": ind.unit,
                    "value": ind.value,
                    "raw": ind.raw,
                    "semantics": ind.semantics,
                }
                for i, ind in enumerate(record.indicators)
            ],
        )
