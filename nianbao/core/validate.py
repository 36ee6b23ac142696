"""Parsed fields to a validated AnnualReport, or a rejection. Pure functions, no I/O.

Only what is not a report, or has neither agency nor year, is rejected. Everything else that
looks wrong is a warning on the record: real reports break the rules, and a flagged record is
more useful to an evaluator than a missing one. Rule ids are stable.
"""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError

from nianbao.core.errors import PageRejected
from nianbao.core.parse import ParsedReport
from schemas.report import (
    Agency,
    AnnualReport,
    Contact,
    Indicator,
    Period,
    Region,
    Section,
    ValidationWarning,
)


def validate(parsed: ParsedReport) -> AnnualReport:
    """Build the record, with a warning for every rule it breaks, and check it as consumers will.

    The record is built with the schema's validation and then read back from its own JSON, as
    the store worker reads it from the queue: a record that would fail there (a value out of
    range, a number JSON cannot carry) is rejected here as ``invalid_record`` instead, so no
    invalid record leaves the core.
    """
    try:
        record = _record(parsed)
        AnnualReport.model_validate_json(record.model_dump_json())
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors()[:5]
        )
        raise PageRejected(
            "validate", "invalid_record", f"the record fails its schema: {problems}"
        ) from exc
    return record


def _record(parsed: ParsedReport) -> AnnualReport:
    info = parsed.agency
    return AnnualReport(
        is_report=parsed.is_report,
        reason=None if parsed.is_report else parsed.reason,
        title=parsed.title,
        agency=Agency(
            name=info.name, aliases=info.aliases, level=info.level,  # type: ignore[arg-type]
            is_department=info.is_department,
        ),
        region=Region(
            province=info.province, city=info.city, county=info.county, township=info.township,
            code=info.code,
        ),
        year=parsed.year,
        format=parsed.format,  # type: ignore[arg-type]
        published_on=parsed.published_on,
        signed_on=parsed.signed_on,
        period=Period(start=parsed.period_start, end=parsed.period_end),
        contact=Contact(
            address=parsed.contact.address, postcode=parsed.contact.postcode,
            phones=parsed.contact.phones, fax=parsed.contact.fax, email=parsed.contact.email,
        ),
        sections=[Section(number=s.number, heading=s.heading, text=s.text)
                  for s in parsed.sections],
        indicators=parsed.indicators,
        warnings=[
            *parsed.warnings,
            *(_warning(rule, message) for rule, message in info.warnings),
            *cross_field_warnings(parsed),
        ],
    )  # fmt: skip


def rejection(record: AnnualReport) -> PageRejected | None:
    """Why this record must be quarantined rather than stored, or None to store it."""
    if not record.is_report:
        return PageRejected("validate", "not_a_report", record.reason or "not an annual report")
    if record.agency.name is None and record.year is None:
        return PageRejected(
            "validate", "no_agency_or_year", "found neither the issuing agency nor the year"
        )
    return None


def _warning(rule: str, message: str) -> ValidationWarning:
    return ValidationWarning(rule=rule, message=message)


def cross_field_warnings(parsed: ParsedReport) -> list[ValidationWarning]:
    """Rules across fields: period and dates against the year, prose against tables."""
    if not parsed.is_report:
        return []
    found: list[ValidationWarning] = []
    year = parsed.year
    if parsed.agency.name is None:
        found.append(_warning("agency.missing", "no issuing agency found"))
    if year is None:
        found.append(_warning("year.missing", "no statistics year found"))
        return found + _narrative_vs_tables(parsed.indicators)
    start, end = parsed.period_start, parsed.period_end
    if start and start.year != year:
        found.append(
            _warning(
                "period.year",
                f"the statistics period starts in {start.year}, the report is for {year}",
            )
        )
    elif start and end and (start != date(year, 1, 1) or end != date(year, 12, 31)):
        found.append(
            _warning(
                "period.partial_year",
                f"the statistics period {start}–{end} is not the whole of {year}",
            )
        )
    if parsed.published_on and parsed.published_on <= date(year, 12, 31):
        found.append(
            _warning(
                "published.before_year_end",
                f"published {parsed.published_on}, before the {year} it reports on had ended",
            )
        )
    implied = "gb2021" if year >= 2021 else "gb2019" if year >= 2019 else "pre2019"
    if parsed.format in {"gb2019", "gb2021", "pre2019"} and parsed.format != implied:
        found.append(
            _warning(
                "format.year_mismatch",
                f"the tables follow {parsed.format}, a {year} report should follow {implied}",
            )
        )
    return found + _narrative_vs_tables(parsed.indicators)


# narrative code -> the table cells (table, row_code, column_code) that state the same figure
_SAME_FIGURE: dict[str, list[list[tuple[str, str, str | None]]]] = {
    "active.total": [[("legacy_stats", "active.total", "value")]],
    "requests.received": [
        [("legacy_stats", "requests.received", "value")],
        [("applications", "new_received", "total")],
    ],
    "review.total": [
        [("legacy_stats", "review.total", "value")],
        [("review_litigation", "review", "total")],
    ],
    "litigation.total": [
        [("legacy_stats", "litigation.total", "value")],
        [("review_litigation", "litigation_direct", "total"),
         ("review_litigation", "litigation_after_review", "total")],
    ],
}  # fmt: skip


def _narrative_vs_tables(indicators: list[Indicator]) -> list[ValidationWarning]:
    cells = {(i.table, i.row_code, i.column_code): i for i in indicators}
    found = []
    for stated in (i for i in indicators if i.table == "narrative"):
        for group in _SAME_FIGURE.get(stated.row_code or "", []):
            parts = [cells.get(key) for key in group]
            if any(part is None or part.value is None for part in parts):
                continue
            table_value = sum(part.value or 0 for part in parts if part)
            if stated.value is not None and abs(stated.value - table_value) > 1e-9:
                found.append(
                    _warning(
                        "narrative.table_mismatch",
                        f"the text says {stated.row!r} ({stated.value:g}), the table says "
                        f"{table_value:g}",
                    )
                )
            break
    return found
