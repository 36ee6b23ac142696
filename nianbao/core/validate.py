"""Parsed fields to a validated AnnualReport, or a rejection. Pure functions, no I/O.

Only what is not a report, or has neither agency nor year, is rejected. Everything else that
looks wrong is a warning on the record: real reports break the rules, and a flagged record is
more useful to an evaluator than a missing one.
"""

from __future__ import annotations

from datetime import date

from nianbao.core.errors import PageRejected
from nianbao.core.parse import ParsedFields, format_era
from schemas.report import Agency, AnnualReport, Period, Section, ValidationWarning


def validate(fields: ParsedFields) -> AnnualReport:
    """Build the record, with a warning for every rule it breaks."""
    return AnnualReport(
        is_report=fields.is_report,
        reason=None if fields.is_report else fields.reason,
        title=fields.title,
        agency=Agency(name=fields.agency_name),
        year=fields.year,
        format=format_era(fields.year),
        published_on=fields.published_on,
        period=Period(start=fields.period_start, end=fields.period_end),
        sections=[Section(number=n, heading=h, text=t) for n, h, t in fields.sections],
        warnings=_warnings(fields),
    )


def rejection(record: AnnualReport) -> PageRejected | None:
    """Why this record must be quarantined rather than stored, or None to store it."""
    if not record.is_report:
        return PageRejected("validate", "not_a_report", record.reason or "not an annual report")
    if record.agency.name is None and record.year is None:
        return PageRejected(
            "validate", "no_agency_or_year", "found neither the issuing agency nor the year"
        )
    return None


def _warnings(fields: ParsedFields) -> list[ValidationWarning]:
    found: list[ValidationWarning] = []
    if fields.agency_name is None:
        found.append(ValidationWarning(rule="agency.missing", message="no issuing agency found"))
    if fields.year is None:
        found.append(ValidationWarning(rule="year.missing", message="no statistics year found"))
    year = fields.year
    if year is not None and fields.period_start and fields.period_start.year != year:
        found.append(
            ValidationWarning(
                rule="period.year",
                message=f"statistics period starts in {fields.period_start.year}, "
                f"the report is for {year}",
            )
        )
    if year is not None and fields.published_on and fields.published_on < date(year, 1, 1):
        found.append(
            ValidationWarning(
                rule="published.before_year",
                message=f"published {fields.published_on}, before the report year {year} began",
            )
        )
    return found
