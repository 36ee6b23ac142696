"""The entry point: every national-template table of a report read, checked and returned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nianbao.core.document import Table
from nianbao.core.gbtables.active import read_active
from nianbao.core.gbtables.applications import read_applications
from nianbao.core.gbtables.completeness import dedupe, missing_warnings
from nianbao.core.gbtables.formats import format_of_active, format_of_applications
from nianbao.core.gbtables.identities import application_identities, review_identities
from nianbao.core.gbtables.maps import (
    ACTIVE,
    ACTIVE_EXPECTED,
    ACTIVE_LABELS,
    APPLICATION_COLUMN_LABELS,
    APPLICATION_EXPECTED_ROWS,
    APPLICATION_ROW_LABELS,
    APPLICATIONS,
    REVIEW,
    REVIEW_GROUPS,
    REVIEW_RESULTS,
    GbFormat,
)
from nianbao.core.gbtables.review import read_review
from schemas.report import Indicator, ValidationWarning


@dataclass(frozen=True)
class GbTables:
    """What the national-template tables of one report hold: format, cells and broken rules."""

    format: GbFormat | None
    indicators: list[Indicator]
    warnings: list[ValidationWarning]


def parse_gb_tables(tables: Sequence[Table]) -> GbTables:
    """Find the 主动公开, 申请 and 复议/诉讼 tables among the grids and read every cell by its row and column labels."""  # noqa: E501
    warnings: list[ValidationWarning] = []
    active = dedupe(read_active(tables, warnings), warnings)
    applications = dedupe(read_applications(tables, warnings), warnings)
    review = dedupe(read_review(tables, warnings), warnings)

    active_format, active_mixed = format_of_active(active)
    application_format, application_mixed = format_of_applications(applications)
    fmt = active_format or application_format
    conflicts = [
        f"{name} labels point to both gb2019 and gb2021"
        for name, mixed in (("主动公开", active_mixed), ("申请", application_mixed))
        if mixed
    ]
    if active_format and application_format and active_format != application_format:
        conflicts.append(f"主动公开 says {active_format}, 申请 says {application_format}")
    if conflicts:
        warnings.append(
            ValidationWarning(
                rule="format.conflict",
                message=f"the tables disagree on the format: {'; '.join(conflicts)}; using {fmt}",
            )
        )

    active_expected = active_format or fmt
    if active and active_expected:
        expected = ACTIVE_EXPECTED[active_expected]
        warnings.extend(missing_warnings(ACTIVE, expected, ACTIVE_LABELS, ACTIVE_LABELS, active))
    if applications:
        rows = APPLICATION_EXPECTED_ROWS[application_format or fmt]
        expected_rows = {code: tuple(APPLICATION_COLUMN_LABELS) for code in rows}
        warnings.extend(
            missing_warnings(
                APPLICATIONS,
                expected_rows,
                APPLICATION_ROW_LABELS,
                APPLICATION_COLUMN_LABELS,
                applications,
            )
        )
        warnings.extend(application_identities(applications, application_format or fmt))
    if review:
        groups = {code: tuple(r for r, _ in REVIEW_RESULTS) for code, _ in REVIEW_GROUPS}
        warnings.extend(
            missing_warnings(
                REVIEW,
                groups,
                dict(REVIEW_GROUPS),
                dict(REVIEW_RESULTS),
                review,
            )
        )
        warnings.extend(review_identities(review))

    indicators = [cell.indicator() for cell in (*active, *applications, *review)]
    return GbTables(format=fmt, indicators=indicators, warnings=warnings)
