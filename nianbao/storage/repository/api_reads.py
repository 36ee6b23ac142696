"""The read API's and the exports' queries: filtered pages of reports and indicator cells, one
version, and the flat rows of the exports, read in keyset batches so memory stays flat.

Every filter is a bound parameter of a SQLAlchemy expression (never formatted into SQL). Region
names, the division code, the level and is_report are the report row's indexed copies of its
record's fields (kept by the store, filled for older rows by migration 0007).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, text

from nianbao.storage.repository.base import RepositoryBase
from nianbao.storage.repository.reads import _stored
from nianbao.storage.tables import IndicatorRow, ReportRow, SourceRow, VersionRow
from schemas.api import IndicatorCell, ReportSummary
from schemas.report import AnnualReport, ReportVersion, StoredReport

PROVINCE = ReportRow.province
CITY = ReportRow.city
COUNTY = ReportRow.county
DIVISION = ReportRow.division_code
LEVEL = ReportRow.level
IS_REPORT = ReportRow.is_report

_SUMMARY_COLUMNS = (
    ReportRow.id,
    ReportRow.year,
    ReportRow.format,
    LEVEL.label("level"),
    ReportRow.agency_name.label("agency"),
    ReportRow.title,
    IS_REPORT.label("is_report"),
    ReportRow.published_on,
    ReportRow.current_version,
    ReportRow.repetition_vs_previous_year,
    ReportRow.previous_year_report_id,
    ReportRow.fingerprint,
    ReportRow.created_at,
    ReportRow.updated_at,
    PROVINCE.label("province"),
    CITY.label("city"),
    COUNTY.label("county"),
    DIVISION.label("division_code"),
)
_CELL_COLUMNS = (
    IndicatorRow.id,
    IndicatorRow.report_id,
    ReportRow.year,
    ReportRow.format,
    ReportRow.agency_name.label("agency"),
    IndicatorRow.table_name.label("table"),
    IndicatorRow.position,
    IndicatorRow.row_label.label("row"),
    IndicatorRow.row_code,
    IndicatorRow.column_label.label("column"),
    IndicatorRow.column_code,
    IndicatorRow.unit,
    IndicatorRow.value,
    IndicatorRow.raw,
    IndicatorRow.semantics,
    PROVINCE.label("province"),
    CITY.label("city"),
    COUNTY.label("county"),
    DIVISION.label("division_code"),
)


@dataclass(frozen=True, slots=True)
class RegionFilter:
    """Reports of one region: by names as the reports give them, or inside a division code."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    division: str | None = None  # a GB/T 2260 code: that division and every one inside it

    def clauses(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses on the reports table."""
        found: list[ColumnElement[bool]] = []
        for column, value in ((PROVINCE, self.province), (CITY, self.city), (COUNTY, self.county)):
            if value is not None:
                found.append(column == value)
        if self.division is not None:  # a prefix as a range: the index serves it in any collation
            low, high = division_range(self.division)
            found.append(DIVISION >= low)  # noqa: SIM300 (SQL)
            if high is not None:
                found.append(DIVISION < high)  # noqa: SIM300 (SQL)
        return found


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """The filters of GET /reports; None means no filter."""

    year: int | None = None
    format: str | None = None
    level: str | None = None
    region: RegionFilter = RegionFilter()
    agency: str | None = None  # a substring of the agency's name
    is_report: bool | None = None
    updated_after: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses on the reports table."""
        found = self.region.clauses()
        if self.year is not None:
            found.append(ReportRow.year == self.year)
        if self.format is not None:
            found.append(ReportRow.format == self.format)
        if self.level is not None:
            found.append(LEVEL == self.level)  # noqa: SIM300 (SQL)
        if self.agency:
            found.append(ReportRow.agency_name.contains(self.agency, autoescape=True))
        if self.is_report is not None:
            found.append(IS_REPORT == self.is_report)  # noqa: SIM300 (SQL)
        if self.updated_after is not None:
            found.append(ReportRow.updated_at > self.updated_after)
        return found


@dataclass(frozen=True, slots=True)
class IndicatorFilter:
    """The filters of GET /indicators; None means no filter."""

    table: str | None = None
    row_code: str | None = None
    column_code: str | None = None
    year: int | None = None
    report_id: int | None = None
    region: RegionFilter = RegionFilter()

    def clauses(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses on indicators joined to reports."""
        found = self.region.clauses()
        for column, value in (
            (IndicatorRow.table_name, self.table),
            (IndicatorRow.row_code, self.row_code),
            (IndicatorRow.column_code, self.column_code),
            (ReportRow.year, self.year),
            (IndicatorRow.report_id, self.report_id),
        ):
            if value is not None:
                found.append(column == value)
        return found


def division_prefix(code: str) -> str:
    """The code prefix every division inside `code` shares (510100 → 5101, 510000 → 51)."""
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def division_range(code: str) -> tuple[str, str | None]:
    """Codes inside `code` as a range of digit strings: [5101, 5102) for 510100; no end for 99."""
    prefix = division_prefix(code)
    if not prefix.isdigit():
        raise ValueError(f"a division code is digits, not {code!r}")
    after = str(int(prefix) + 1).zfill(len(prefix))
    return prefix, after if len(after) == len(prefix) else None


def division_codes(code: str | None) -> dict[str, str | None]:
    """The province, prefecture and county codes a GB/T 2260 code lies in (its 2-2-2 digits)."""
    if not code or len(code) != 6 or not code.isdigit():
        return {"province_code": None, "city_code": None, "county_code": None}
    return {
        "province_code": code[:2] + "0000",
        "city_code": code[:4] + "00" if code[2:4] != "00" else None,
        "county_code": code if code[4:] != "00" else None,
    }


def _utc(value: Any) -> Any:
    """A naive datetime as UTC (SQLite gives them back naive; they were stored as UTC)."""
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) and not value.tzinfo else value


def _flat(row: Any) -> dict[str, Any]:
    """A result row as a dict: timestamps in UTC, division codes worked out from its region code."""
    mapping = {key: _utc(value) for key, value in row._mapping.items()}
    if "division_code" in mapping:
        mapping.update(division_codes(mapping["division_code"]))
    return mapping


class ApiReads(RepositoryBase):
    """What `nianbao serve` and `nianbao export` read."""

    def ping(self) -> None:
        """Raise when the database cannot answer a trivial query."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def report_page(self, where: ReportFilter, after: int, limit: int) -> list[ReportSummary]:
        """Up to `limit` report summaries with id > after that match, in id order."""
        stmt = (
            select(*_SUMMARY_COLUMNS)
            .where(ReportRow.id > after, *where.clauses())
            .order_by(ReportRow.id)
            .limit(limit)
        )
        with self.session() as session:
            return [ReportSummary.model_validate(_flat(row)) for row in session.execute(stmt)]

    def indicator_page(self, where: IndicatorFilter, after: int, limit: int) -> list[IndicatorCell]:
        """Up to `limit` indicator cells with id > after that match, in id order."""
        stmt = (
            select(*_CELL_COLUMNS)
            .join(ReportRow, ReportRow.id == IndicatorRow.report_id)
            .where(IndicatorRow.id > after, *where.clauses())
            .order_by(IndicatorRow.id)
            .limit(limit)
        )
        with self.session() as session:
            return [IndicatorCell.model_validate(_flat(row)) for row in session.execute(stmt)]

    def report_version(self, report_id: int, number: int) -> ReportVersion | None:
        """One version of a report, or None."""
        with self.session() as session:
            row = session.scalars(
                select(VersionRow).where(
                    VersionRow.report_id == report_id, VersionRow.version == number
                )
            ).first()
            if row is None:
                return None
            return ReportVersion(
                version=row.version,
                fingerprint=row.fingerprint,
                decision=row.decision,  # type: ignore[arg-type]
                similarity=row.similarity,
                created_at=row.created_at,
                record=AnnualReport.model_validate(row.record),
            )

    # -- exports: every matching row, in keyset batches ------------------------------------

    def export_count(self, table: str, report_ids: Sequence[int] | None = None) -> int:
        """How many rows an export of `table` writes (for the progress bar)."""
        model = _EXPORT_MODELS[table]
        key = ReportRow.id if model is ReportRow else model.report_id
        total = 0
        with self.session() as session:
            for chunk in _chunks(report_ids):
                stmt = select(func.count()).select_from(model)
                if chunk is not None:
                    stmt = stmt.where(key.in_(chunk))
                total += session.scalar(stmt) or 0
        return total

    def export_batches(
        self, table: str, report_ids: Sequence[int] | None = None, batch: int = 2000
    ) -> Iterator[list[dict[str, Any]]]:
        """The flat rows of `table` (reports, indicators or sources) in batches, in id order;
        only those of `report_ids` when given."""
        build = {"reports": _summary_stmt, "indicators": _cell_stmt, "sources": _source_stmt}
        model = _EXPORT_MODELS[table]
        for chunk in _chunks(report_ids):
            last = 0
            while True:
                stmt = build[table](chunk).where(model.id > last).order_by(model.id).limit(batch)
                with self.session() as session:
                    rows = [_flat(row) for row in session.execute(stmt)]
                if not rows:
                    break
                yield rows
                last = rows[-1]["id"]

    def export_stored(
        self, report_ids: Sequence[int] | None = None, batch: int = 200
    ) -> Iterator[StoredReport]:
        """Stored reports in full (the `reports show` shape), in id order; only `report_ids`'."""
        for chunk in _chunks(report_ids):
            last = 0
            while True:
                stmt = select(ReportRow).where(ReportRow.id > last)
                if chunk is not None:
                    stmt = stmt.where(ReportRow.id.in_(chunk))
                with self.session() as session:
                    rows = list(session.scalars(stmt.order_by(ReportRow.id).limit(batch)))
                    if not rows:
                        break
                    yield from _stored(session, rows)
                last = rows[-1].id

    def changed_report_ids(self, after: int) -> tuple[list[int], int]:
        """Ids of the reports the change feed names after `after`, and the feed's last cursor."""
        ids: set[int] = set()
        cursor = after
        while True:
            events = self.changes(after=cursor, limit=1000)  # type: ignore[attr-defined]
            if not events:
                return sorted(ids), cursor
            ids.update(e.report_id for e in events if e.report_id is not None)
            cursor = events[-1].cursor


_EXPORT_MODELS: dict[str, Any] = {
    "reports": ReportRow,
    "indicators": IndicatorRow,
    "sources": SourceRow,
}
_CHUNK = 500  # report ids per IN (…) list


def _chunks(ids: Sequence[int] | None) -> Iterable[Sequence[int] | None]:
    """The ids in chunks small enough for one IN list; [None] (no filter) when ids is None."""
    if ids is None:
        return [None]
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _summary_stmt(ids: Sequence[int] | None) -> Select[Any]:
    stmt = select(*_SUMMARY_COLUMNS)
    return stmt if ids is None else stmt.where(ReportRow.id.in_(ids))


def _cell_stmt(ids: Sequence[int] | None) -> Select[Any]:
    stmt = select(*_CELL_COLUMNS).join(ReportRow, ReportRow.id == IndicatorRow.report_id)
    return stmt if ids is None else stmt.where(IndicatorRow.report_id.in_(ids))


def _source_stmt(ids: Sequence[int] | None) -> Select[Any]:
    stmt = select(
        SourceRow.id,
        SourceRow.report_id,
        VersionRow.version,
        SourceRow.url,
        SourceRow.final_url,
        SourceRow.site_id,
        SourceRow.page_sha256,
        SourceRow.raw_ref,
        SourceRow.decision,
        SourceRow.similarity,
        SourceRow.method,
        SourceRow.differences,
        SourceRow.first_seen,
        SourceRow.last_seen,
    ).outerjoin(VersionRow, VersionRow.id == SourceRow.version_id)
    return stmt if ids is None else stmt.where(SourceRow.report_id.in_(ids))
