"""The stored record: one government information-disclosure annual report (version 1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Format = Literal["pre2019", "gb2019", "gb2021", "gb_unknown"]
Level = Literal["national", "province", "city", "county", "township"]
TableName = Literal[
    "legacy_stats", "active_disclosure", "applications", "review_litigation", "narrative"
]
Semantics = Literal["number", "zero", "blank", "not_applicable", "approximate"]
TextSource = Literal["html", "text", "pdf_text", "docx", "doc", "wps", "rtf", "xls", "xlsx", "ocr"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Agency(_Model):
    """The issuing agency, as the report names itself."""

    name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    level: Level | None = None
    is_department: bool | None = Field(
        None, description="A bureau or office rather than the government itself."
    )


class Region(_Model):
    """Where the agency sits; null where the text does not say (never guessed)."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    code: str | None = Field(
        None,
        description="GB/T 2260 code of the most specific division identified (a township: its "
        "county's); null when the name is not found or several divisions share it.",
    )


class Period(_Model):
    """The statistics period the report's figures cover."""

    start: date | None = None
    end: date | None = None


class Contact(_Model):
    """The contact block for questions about the report."""

    address: str | None = None
    postcode: str | None = None
    phones: list[str] = Field(default_factory=list)
    fax: str | None = None
    email: str | None = None


class Section(_Model):
    """A numbered section, heading kept verbatim."""

    number: str | None = None
    heading: str
    text: str


class Indicator(_Model):
    """One table cell or explicit narrative figure, matched to its row and column labels."""

    table: TableName
    row: str = Field(description="Row label, verbatim.")
    row_code: str | None = Field(None, description="Stable canonical code of the row.")
    column: str | None = Field(None, description="Column label, verbatim.")
    column_code: str | None = None
    unit: str | None = None
    value: float | None = None
    raw: str = Field(description="The cell text as written.")
    semantics: Semantics


class ValidationWarning(_Model):
    """A validation rule the report breaks: recorded, not a reason to reject."""

    rule: str
    message: str


class AnnualReport(_Model):
    """A parsed 政府信息公开工作年度报告. Key names are a public contract (see the README)."""

    schema_version: Literal[1] = 1
    is_report: bool
    reason: str | None = Field(None, description="Why it is not a report, when is_report is false.")
    title: str | None = None
    agency: Agency = Field(default_factory=Agency)
    region: Region = Field(default_factory=Region)
    year: int | None = Field(None, ge=1990, le=2100, description="The statistics year.")
    format: Format | None = None
    published_on: date | None = None
    signed_on: date | None = None
    period: Period = Field(default_factory=Period)
    contact: Contact = Field(default_factory=Contact)
    sections: list[Section] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    warnings: list[ValidationWarning] = Field(default_factory=list)
    text_source: TextSource | None = Field(
        None,
        description="Where the text came from: html, text, pdf_text (a PDF's text layer), docx, "
        "doc, wps, rtf, xls, xlsx (converted attachments) or ocr (a scan); null on records "
        "stored before it was recorded.",
    )


Decision = Literal["new", "exact_duplicate", "near_duplicate", "new_version", "redelivery"]


class ReportSource(_Model):
    """One place a report was seen, with the dedup decision made for it and the evidence."""

    url: str
    final_url: str
    site_id: str
    page_sha256: str
    raw_ref: str = Field(description="Object-store key of the raw page.")
    decision: Decision
    similarity: float | None = Field(None, description="MinHash similarity to the match.")
    method: str | None = Field(None, description="exact (same key) or minhash.")
    version: int | None = Field(None, description="The report version this page carried.")
    differences: dict[str, Any] | None = Field(
        None, description="What this source said that the report's version does not."
    )
    first_seen: datetime
    last_seen: datetime


class ReportVersion(_Model):
    """One version of a report: as first published, or as republished with corrections."""

    version: int
    fingerprint: str
    decision: Literal["new", "new_version"]
    similarity: float | None = Field(None, description="To the version it revises.")
    created_at: datetime
    record: AnnualReport


class StoredReport(_Model):
    """A report as downstream consumers get it: the current record, its history, its sources."""

    schema_version: Literal[1] = 1
    id: int
    fingerprint: str = Field(description="The current version's exact-duplicate key.")
    created_at: datetime
    current_version: int
    repetition_vs_previous_year: float | None = Field(
        None, description="Text similarity to the same agency's report for the year before."
    )
    previous_year_report_id: int | None = None
    record: AnnualReport
    versions: list[ReportVersion]
    sources: list[ReportSource]
