"""Dedup lookups: the locks that serialise decisions, and the stored versions a page may copy.

An exact copy is found by its key; other candidates by LSH band hits and the same agency-year.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Row, and_, bindparam, case, or_, select, text
from sqlalchemy.orm import Session

from nianbao.core import similarity
from nianbao.core.dedup import Candidate, Identity, Verdict
from nianbao.storage.repository.base import RepositoryBase
from nianbao.storage.tables import BandRow, VersionRow

_CANDIDATES = 50  # most candidates examined per decision (LSH hits plus same agency and year)


# Built once: an OR of (band, key) pairs, one index search each on every backend (a row-value
# IN makes SQLite scan the whole index); only the keys are bound per lookup, and SQLAlchemy
# reuses the compiled statement (building 32 clauses per page cost more than running them).
_BAND_HITS = (
    select(BandRow.version_id)
    .where(
        or_(
            *(
                and_(BandRow.band == band, BandRow.key == bindparam(f"k{band}"))
                for band in range(similarity.BANDS)
            )
        )
    )
    .distinct()
    .limit(_CANDIDATES)
)
# what a decision reads of a candidate: not its record (the largest column by far)
_CANDIDATE_COLUMNS = select(
    VersionRow.id,
    VersionRow.report_id,
    VersionRow.agency_key,
    VersionRow.regions,
    VersionRow.year,
    VersionRow.figures,
    VersionRow.signature,
    VersionRow.signature_version,
)


class DedupLookups(RepositoryBase):
    """The reads a dedup decision makes, under the locks it takes."""

    def _lock(self, session: Session, who: Identity, fingerprint: str) -> None:
        """Serialise decisions that could conflict (SQLite: BEGIN IMMEDIATE already did).

        One agency-year (near duplicates, versions), its neighbouring years (each one's
        repetition figure reads the other), and the exact key (copies whose parses disagree on
        identity). Locks are taken in ascending order, so two decisions never deadlock.
        """
        if self.engine.dialect.name != "postgresql":
            return
        names = [f"key|{fingerprint}"]
        if who.agency_key and who.year:
            names += [f"{who.agency_key}|{year}" for year in (who.year - 1, who.year, who.year + 1)]
        else:
            names.append("unkeyed")
        for lock_id in sorted(
            int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            for name in names
        ):
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})

    def _exact_copy(self, session: Session, fingerprint: str, who: Identity) -> Verdict | None:
        """The stored version with this exact key and these figures, as a verdict; else None.

        Same text, other figures (a moved cell, a sign the key folds away): never an exact
        copy; such a page is decided by its candidates and may become a version under the key.
        """
        exact = session.execute(
            select(VersionRow.id, VersionRow.report_id)
            .where(
                VersionRow.fingerprint == fingerprint,
                VersionRow.figures.in_((who.figures, "")),  # "": figures never computed
            )
            .order_by(case((VersionRow.figures == who.figures, 0), else_=1), VersionRow.id)
            .limit(1)
        ).first()
        if exact is None:
            return None
        return Verdict("exact_duplicate", exact.report_id, exact.id, 1.0, "exact")

    def _candidates(self, session: Session, who: Identity, sig: list[int]) -> list[Candidate]:
        """Stored versions that may be the same report: LSH band hits and same agency-year."""
        ids: set[int] = set()
        if sig:
            keys = similarity.band_keys(sig)
            ids.update(session.scalars(_BAND_HITS, {f"k{b}": k for b, k in enumerate(keys)}))
        if who.agency_key and who.year:
            ids.update(
                session.scalars(
                    select(VersionRow.id)
                    .where(VersionRow.agency_key == who.agency_key, VersionRow.year == who.year)
                    .limit(_CANDIDATES)
                )
            )
        if not ids:
            return []
        rows = session.execute(_CANDIDATE_COLUMNS.where(VersionRow.id.in_(ids)))
        return [
            Candidate(
                version_id=row.id,
                report_id=row.report_id,
                identity=Identity(
                    row.agency_key, tuple(row.regions or (None,) * 4), row.year, row.figures
                ),  # type: ignore[arg-type]
                signature=_comparable_signature(row),
            )
            for row in rows
        ]


def _comparable_signature(row: Row[Any]) -> list[int]:
    """The stored signature if this code's scheme made it, else [] (estimate 0: never near).

    A version signed by an older scheme (until `nianbao dedup resign`) still matches by its
    exact key, and by identity only as a new report: never as a near duplicate or a version.
    """
    if not row.signature or row.signature_version != similarity.SIGNATURE_VERSION:
        return []
    return similarity.unpack(row.signature)
