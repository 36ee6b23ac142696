"""GET /reports, /reports/{id}, /reports/{id}/versions/{n} and /indicators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request

from nianbao.api.deps import Repo
from nianbao.storage.repository.api_reads import IndicatorFilter, RegionFilter, ReportFilter
from schemas.api import IndicatorPage, ReportPage
from schemas.report import Format, Level, ReportVersion, StoredReport, TableName

router = APIRouter()

DIVISION_CODE = r"^\d{2}(\d{2}){0,2}$"
Id = Annotated[int, Path(ge=1, description="Report id.")]
After = Annotated[
    int, Query(ge=0, description="Cursor: the `next` of the previous page (0: from the start).")
]
Year = Annotated[int | None, Query(ge=1990, le=2100, description="The statistics year.")]
Province = Annotated[str | None, Query(max_length=100, description="Province name, exact.")]
City = Annotated[str | None, Query(max_length=100, description="Prefecture name, exact.")]
County = Annotated[str | None, Query(max_length=100, description="County name, exact.")]
Division = Annotated[
    str | None,
    Query(
        pattern=DIVISION_CODE,
        description="GB/T 2260 code (2, 4 or 6 digits): that division and every one inside it "
        "(510000 or 51: all of Sichuan).",
    ),
]


def _region(
    province: str | None, city: str | None, county: str | None, division: str | None
) -> RegionFilter:
    """The region filter of the query's parameters."""
    return RegionFilter(province=province, city=city, county=county, division=division)


def _next_url(request: Request, cursor: int | None) -> str | None:
    """This request's URL for the page after `cursor`."""
    return None if cursor is None else str(request.url.include_query_params(after=cursor))


@router.get("/reports", response_model=ReportPage, tags=["reports"])
def list_reports(
    request: Request,
    repo: Repo,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 50,
    year: Year = None,
    format: Annotated[Format | None, Query(description="Report format.")] = None,
    level: Annotated[Level | None, Query(description="The agency's level.")] = None,
    province: Province = None,
    city: City = None,
    county: County = None,
    division: Division = None,
    agency: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Substring of the agency.")
    ] = None,
    is_report: Annotated[bool | None, Query(description="Only reports (or non-reports).")] = None,
    updated_after: Annotated[
        datetime | None,
        Query(description="Only reports changed after this instant (ISO 8601; naive is UTC)."),
    ] = None,
) -> ReportPage:
    """Stored reports in id order, filtered; follow `next` for the next page."""
    if updated_after is not None:
        updated_after = (
            updated_after.replace(tzinfo=UTC)
            if updated_after.tzinfo is None
            else updated_after.astimezone(UTC)
        )
    where = ReportFilter(
        year=year,
        format=format,
        level=level,
        region=_region(province, city, county, division),
        agency=agency,
        is_report=is_report,
        updated_after=updated_after,
    )
    items = repo.report_page(where, after, limit + 1)
    cursor = items[limit - 1].id if len(items) > limit else None
    return ReportPage(items=items[:limit], next=cursor, next_url=_next_url(request, cursor))


@router.get(
    "/reports/{report_id}",
    response_model=StoredReport,
    tags=["reports"],
    responses={404: {"description": "No report with this id."}},
)
def get_report(repo: Repo, report_id: Id) -> StoredReport:
    """One report as `nianbao reports show` prints it: current record, versions, sources."""
    stored = repo.get_report(report_id)
    if stored is None:
        raise HTTPException(404, f"no report with id {report_id}")
    return stored


@router.get(
    "/reports/{report_id}/versions/{number}",
    response_model=ReportVersion,
    tags=["reports"],
    responses={404: {"description": "No such report or version."}},
)
def get_version(
    repo: Repo, report_id: Id, number: Annotated[int, Path(ge=1, description="Version.")]
) -> ReportVersion:
    """One version of a report: its record as first published or as later corrected."""
    version = repo.report_version(report_id, number)
    if version is None:
        raise HTTPException(404, f"report {report_id} has no version {number}")
    return version


@router.get("/indicators", response_model=IndicatorPage, tags=["indicators"])
def list_indicators(
    request: Request,
    repo: Repo,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 50,
    table: Annotated[TableName | None, Query(description="The table.")] = None,
    row_code: Annotated[str | None, Query(max_length=64, description="Row code.")] = None,
    column_code: Annotated[str | None, Query(max_length=64, description="Column code.")] = None,
    year: Year = None,
    report_id: Annotated[int | None, Query(ge=1, description="One report's cells.")] = None,
    province: Province = None,
    city: City = None,
    county: County = None,
    division: Division = None,
) -> IndicatorPage:
    """The long table: one row per table cell (or narrative figure), in id order, filtered."""
    where = IndicatorFilter(
        table=table,
        row_code=row_code,
        column_code=column_code,
        year=year,
        report_id=report_id,
        region=_region(province, city, county, division),
    )
    items = repo.indicator_page(where, after, limit + 1)
    cursor = items[limit - 1].id if len(items) > limit else None
    return IndicatorPage(items=items[:limit], next=cursor, next_url=_next_url(request, cursor))
