"""What the read API (`nianbao serve`) and the flat exports return: a stable, documented schema.

A report in full is `schemas.report.StoredReport`; these are the flat shapes beside it: a report's
summary (one row of GET /reports and of the reports CSV/Parquet export), one indicator cell (the
long table), one source, one change-feed event, and the pages that carry them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.report import Decision, Format, Level, Semantics, TableName


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Divisions(_Model):
    """Where a report's agency sits: names as the report gives them, GB/T 2260 codes."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    division_code: str | None = Field(
        None, description="GB/T 2260 code of the most specific division identified."
    )
    province_code: str | None = Field(None, description="The province's code (first 2 digits).")
    city_code: str | None = Field(
        None, description="The prefecture's code (first 4 digits), null above prefecture level."
    )
    county_code: str | None = Field(None, description="The county's code, null above county level.")


class ReportSummary(Divisions):
    """One stored report without its text, tables and history: GET /reports/{id} has those."""

    id: int
    year: int | None = None
    format: Format | None = None
    level: Level | None = None
    agency: str | None = None
    title: str | None = None
    is_report: bool
    published_on: date | None = None
    current_version: int
    repetition_vs_previous_year: float | None = None
    previous_year_report_id: int | None = None
    fingerprint: str
    created_at: datetime
    updated_at: datetime


class IndicatorCell(Divisions):
    """One cell of a report's statistics tables (or one narrative figure): the long table."""

    id: int = Field(description="The cell's row id (the /indicators pagination cursor).")
    report_id: int
    year: int | None = None
    format: Format | None = None
    agency: str | None = None
    table: TableName
    position: int = Field(description="Order of the cell in its report.")
    row: str = Field(description="Row label, verbatim.")
    row_code: str | None = None
    column: str | None = Field(None, description="Column label, verbatim.")
    column_code: str | None = None
    unit: str | None = None
    value: float | None = Field(None, description="Null when the cell has no number; never 0.")
    raw: str = Field(description="The cell text as written.")
    semantics: Semantics


class SourceRecord(_Model):
    """One page a report was seen on (flat: one row of the sources export)."""

    id: int
    report_id: int
    version: int | None = None
    url: str
    final_url: str
    site_id: str
    page_sha256: str
    raw_ref: str
    decision: Decision
    similarity: float | None = None
    method: str | None = None
    differences: dict[str, Any] | None = None
    first_seen: datetime
    last_seen: datetime


class ChangeOut(_Model):
    """One change-feed event; `cursor` increases with every event."""

    cursor: int
    kind: str = Field(description="What happened, e.g. report created, new version, quarantined.")
    at: datetime
    report_id: int | None = None
    version: int | None = None
    source_id: int | None = None
    quarantine_id: int | None = None
    data: dict[str, Any] | None = None


class ReportPage(_Model):
    """One page of GET /reports, in id order."""

    items: list[ReportSummary]
    next: int | None = Field(description="Pass as `after` for the next page; null on the last.")
    next_url: str | None = None


class IndicatorPage(_Model):
    """One page of GET /indicators, in cell id order."""

    items: list[IndicatorCell]
    next: int | None = Field(description="Pass as `after` for the next page; null on the last.")
    next_url: str | None = None


class ChangePage(_Model):
    """Events after a cursor, in cursor order."""

    items: list[ChangeOut]
    cursor: int = Field(
        description="Keep it and pass it as `after` next time (unchanged when nothing happened)."
    )


class Health(_Model):
    """GET /healthz."""

    status: str
    database: str
