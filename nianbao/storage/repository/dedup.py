"""Dedup lookups: the locks that serialise decisions, and the stored versions a page may copy.

What is already known of the page (a redelivery, an open quarantine entry, an exact copy by its
key) is one statement; other candidates come from LSH band hits and the same agency-year.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    TextClause,
    and_,
    bindparam,
    case,
    exists,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import Session

from nianbao.core import similarity
from nianbao.core.dedup import Candidate, Identity, Verdict
from nianbao.storage.repository.base import RepositoryBase
from nianbao.storage.repository.keys import url_key
from nianbao.storage.tables import BandRow, QuarantineRow, SourceRow, VersionRow
from schemas.messages import FetchedPage

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
# a same-agency-and-year version, as a candidate even without a band hit
_SAME_AGENCY_YEAR = (
    select(VersionRow.id.label("version_id"))
    .where(VersionRow.agency_key == bindparam("agency_key"), VersionRow.year == bindparam("year"))
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


def _candidate_query(bands: bool, agency_year: bool) -> Select[Any]:
    """Candidates' columns in one statement: band hits, same agency-year, or both (a union)."""
    parts = [q.subquery() for q, wanted in ((_BAND_HITS, bands), (_SAME_AGENCY_YEAR, agency_year))
             if wanted]  # fmt: skip
    ids = union(*(select(part.c.version_id) for part in parts)) if len(parts) > 1 else (
        select(parts[0].c.version_id)
    )  # fmt: skip
    return _CANDIDATE_COLUMNS.where(VersionRow.id.in_(ids))


_CANDIDATE_QUERIES = {
    (bands, agency_year): _candidate_query(bands, agency_year)
    for bands in (True, False)
    for agency_year in (True, False)
    if bands or agency_year
}


def _exact_copy_column(column: Any) -> Any:
    """A column of the version with this exact key and these figures ("" = never computed)."""
    return (
        select(column)
        .where(
            VersionRow.fingerprint == bindparam("fingerprint"),
            VersionRow.figures.in_((bindparam("figures"), "")),
        )
        .order_by(case((VersionRow.figures == bindparam("figures"), 0), else_=1), VersionRow.id)
        .limit(1)
        .scalar_subquery()
    )


def _seen_column(column: Any) -> Any:
    """A column of the stored source with this URL and these bytes (unique), if any."""
    return (
        select(column)
        .where(
            SourceRow.url_key == bindparam("url_key"),
            SourceRow.page_sha256 == bindparam("sha256"),
        )
        .scalar_subquery()
    )


# What the store needs to know of a page before deciding, in one round trip after the locks:
# a stored source of the same URL and bytes (a redelivery), an open quarantine entry to close,
# and the version that is its exact copy.
_PAGE_FACTS = select(
    _seen_column(SourceRow.id).label("source_id"),
    _seen_column(SourceRow.report_id).label("source_report_id"),
    exists()
    .where(
        QuarantineRow.url_key == bindparam("url_key"),
        QuarantineRow.page_sha256 == bindparam("sha256"),
        QuarantineRow.status == literal_column("'open'"),  # the partial index's predicate
    )
    .label("open_in_quarantine"),
    _exact_copy_column(VersionRow.id).label("exact_version_id"),
    _exact_copy_column(VersionRow.report_id).label("exact_report_id"),
)


@dataclass(frozen=True)
class PageFacts:
    """What the database already holds of a page about to be stored."""

    seen_source: int | None  # a source with this URL and bytes: the page is a redelivery
    seen_report: int | None
    open_in_quarantine: bool  # its quarantine entry is closed by storing it
    exact: Verdict | None  # the version with its exact key and figures, as a verdict


def _lock_statement(count: int) -> TextClause:
    """Take `count` advisory locks in one round trip, in the order of the bound ids."""
    calls = ", ".join(f"pg_advisory_xact_lock(:l{i})" for i in range(count))
    return text(f"SELECT {calls}")


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
        ids = sorted(
            int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            for name in names
        )
        # one SELECT: PostgreSQL evaluates its target list left to right, so the locks are
        # still taken in ascending order
        locks = {f"l{i}": lock for i, lock in enumerate(ids)}
        session.connection().execute(_lock_statement(len(ids)), locks)

    def _page_facts(
        self, session: Session, page: FetchedPage, fingerprint: str, who: Identity
    ) -> PageFacts:
        """A stored source of this page, its open quarantine entry, and its exact copy.

        The exact copy is the version with this exact key and these figures. Same text, other
        figures (a moved cell, a sign the key folds away): never an exact copy; such a page is
        decided by its candidates and may become a version under the key.
        """
        params = {
            "url_key": url_key(page.url),
            "sha256": page.sha256,
            "fingerprint": fingerprint,
            "figures": who.figures,
        }
        row = session.connection().execute(_PAGE_FACTS, params).one()
        exact = (
            Verdict("exact_duplicate", row.exact_report_id, row.exact_version_id, 1.0, "exact")
            if row.exact_version_id is not None
            else None
        )
        return PageFacts(row.source_id, row.source_report_id, bool(row.open_in_quarantine), exact)

    def _candidates(self, session: Session, who: Identity, sig: list[int]) -> list[Candidate]:
        """Stored versions that may be the same report: LSH band hits and same agency-year."""
        bands, agency_year = bool(sig), bool(who.agency_key and who.year)
        if not (bands or agency_year):
            return []
        params: dict[str, Any] = {"agency_key": who.agency_key, "year": who.year}
        if bands:
            params |= {f"k{band}": key for band, key in enumerate(similarity.band_keys(sig))}
        # Core on the session's connection: plain rows need none of the ORM's result machinery
        rows = session.connection().execute(_CANDIDATE_QUERIES[bands, agency_year], params)
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
