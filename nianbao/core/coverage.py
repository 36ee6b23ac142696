"""Coverage: which report years are stored, which are missing, and which are overdue.

Due dates, from the regulation (see the reference notes on the 条例):

- report years up to 2018 — 条例 (2007, 国务院令第492号) Art. 31: every agency publishes its
  report by 31 March of the next year (the 2018 reports were due on 31 March 2019, before the
  revised 条例 came into force on 15 May 2019);
- report years from 2019 — 修订条例 (2019, 国务院令第711号) Art. 49: a government's departments
  by 31 January of the next year; a 县级以上 government's own report (本级政府) by 31 March.

Pure: today's date is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

FIRST_YEAR = 2008  # the 2007 条例 came into force on 1 May 2008: no report year before it
REVISED_FROM = 2019  # first report year under the revised 条例's earlier deadline


def is_government(agency: str | None) -> bool:
    """Whether an agency is a government itself (人民政府), not one of its departments."""
    return agency is not None and agency.strip().endswith("人民政府")


def due_date(report_year: int, *, government: bool = False) -> date:
    """The last day a report for `report_year` may be published on time."""
    if report_year < REVISED_FROM or government:
        return date(report_year + 1, 3, 31)
    return date(report_year + 1, 1, 31)


def latest_due_year(today: date, *, government: bool = False) -> int:
    """The newest report year whose due date has passed by `today` (a day after it)."""
    year = today.year - 1
    while year >= FIRST_YEAR and today <= due_date(year, government=government):
        year -= 1
    return year


@dataclass(frozen=True)
class Coverage:
    """The report years of one site or agency, and how the checked year stands."""

    stored: tuple[int, ...]
    missing: tuple[int, ...]  # years expected (first stored … latest due) and not stored
    year: int  # the checked year: --year, else the year before today's
    due: date  # its due date
    status: str  # "stored" | "overdue" (missing after its due date) | "not due" (missing, not yet)

    @property
    def flagged(self) -> bool:
        """The checked year's report is missing after its due date."""
        return self.status == "overdue"


def coverage(
    stored_years: Iterable[int | None],
    today: date,
    *,
    government: bool = False,
    year: int | None = None,
) -> Coverage:
    """How the stored years cover what the regulation asks for by `today`.

    Expected years run from the first stored year (or the checked year, with nothing stored)
    through the newest year that is due; each one not stored is missing. The checked year is
    `year`, or the previous calendar year: missing after its due date, it is overdue.
    """
    stored = tuple(sorted({y for y in stored_years if y is not None}))
    checked = today.year - 1 if year is None else year
    due = due_date(checked, government=government)
    last = latest_due_year(today, government=government)
    first = max(min(stored, default=min(checked, last)), FIRST_YEAR)
    missing = tuple(y for y in range(first, last + 1) if y not in stored)
    if checked in stored:
        status = "stored"
    elif today > due:
        status = "overdue"
    else:
        status = "not due"
    return Coverage(stored, missing, checked, due, status)


def year_ranges(years: Iterable[int]) -> str:
    """Years as compact ranges: 2015–2018, 2020, 2022–2023 (— when none)."""
    spans: list[list[int]] = []
    for y in sorted(set(years)):
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans) or "—"
