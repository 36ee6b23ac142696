"""Read-only aggregates the metrics exporter serves: dead letters, quarantine, per-site novelty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from nianbao.storage.tables import DeadLetterRow, QuarantineRow, ReportRow, SourceRow

NEW_DECISIONS = ("new", "new_version")  # a source that brought a report or a version


@dataclass(frozen=True)
class SiteNovelty:
    """When a site last brought something new, and the newest report year it brought."""

    last_new: float | None  # Unix time
    latest_year: int | None


def pending_dead_letters(engine: Engine) -> dict[str, int]:
    """Pending (not replayed) dead letters per task name."""
    stmt = (
        select(DeadLetterRow.task_name, func.count())
        .where(DeadLetterRow.status == "pending")
        .group_by(DeadLetterRow.task_name)
    )
    with engine.connect() as connection:
        return {name: int(count) for name, count in connection.execute(stmt)}


def quarantine_counts(engine: Engine) -> dict[tuple[str, str], int]:
    """Open quarantine entries per (reason, stage) (a replayed page that was stored is closed)."""
    stmt = (
        select(QuarantineRow.reason, QuarantineRow.stage, func.count())
        .where(QuarantineRow.status == "open")
        .group_by(QuarantineRow.reason, QuarantineRow.stage)
    )
    with engine.connect() as connection:
        return {(reason, stage): int(count) for reason, stage, count in connection.execute(stmt)}


def site_novelty(engine: Engine) -> dict[str, SiteNovelty]:
    """Per site: the first sighting of its newest new report or version, and its newest year."""
    new = (
        select(SourceRow.site_id, func.max(SourceRow.first_seen))
        .where(SourceRow.decision.in_(NEW_DECISIONS))
        .group_by(SourceRow.site_id)
    )
    years = (
        select(SourceRow.site_id, func.max(ReportRow.year))
        .join(ReportRow, ReportRow.id == SourceRow.report_id)
        .group_by(SourceRow.site_id)
    )
    with engine.connect() as connection:
        last_new = {site: _unix(when) for site, when in connection.execute(new)}
        latest = {site: year for site, year in connection.execute(years)}
    return {
        site: SiteNovelty(last_new.get(site), latest.get(site))
        for site in sorted(last_new.keys() | latest.keys())
    }


def _unix(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
