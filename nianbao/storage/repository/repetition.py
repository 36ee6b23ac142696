"""The repetition figure: how much a report repeats the same agency's report of the year before."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nianbao.core import similarity
from nianbao.core.dedup import Identity
from nianbao.storage.tables import ReportRow, VersionRow


def update_repetition(session: Session, report_id: int, who: Identity) -> None:
    """Similarity to the same agency's previous year, for this report and the next year's."""
    if not who.agency_key or not who.year:
        return
    for earlier_year, later_year in ((who.year - 1, who.year), (who.year, who.year + 1)):
        earlier = _current(session, who, earlier_year)
        later = _current(session, who, later_year)
        if earlier and later and earlier[1] and later[1]:
            session.execute(
                update(ReportRow)
                .where(ReportRow.id == later[0])
                .values(
                    repetition_vs_previous_year=round(
                        similarity.estimate(
                            similarity.unpack(earlier[1]), similarity.unpack(later[1])
                        ),
                        4,
                    ),
                    previous_year_report_id=earlier[0],
                )
            )


def _current(session: Session, who: Identity, year: int) -> tuple[int, bytes] | None:
    """The same agency's report for `year` (regions must agree), with its signature."""
    rows = session.execute(
        select(ReportRow.id, VersionRow.signature, VersionRow.regions, VersionRow.signature_version)
        .join(
            VersionRow,
            (VersionRow.report_id == ReportRow.id)
            & (VersionRow.version == ReportRow.current_version),
        )
        .where(ReportRow.agency_key == who.agency_key, ReportRow.year == year)
        .order_by(ReportRow.id)
    )
    for report_id, signature, regions, scheme in rows:
        theirs = tuple(regions or (None,) * 4)
        if all(a is None or b is None or a == b for a, b in zip(who.regions, theirs, strict=False)):
            # a signature of an older scheme compares as nothing (until `nianbao dedup resign`)
            return report_id, signature if scheme == similarity.SIGNATURE_VERSION else b""
    return None
