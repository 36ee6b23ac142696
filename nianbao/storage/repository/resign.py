"""Re-signing stored versions whose MinHash an older scheme made (`nianbao dedup resign`).

Signatures of two schemes cannot be compared, so until a version is re-signed dedup matches it
by its exact key only. Re-signing reads one of the version's raw pages again, signs it with the
current scheme, and swaps signature, scheme and LSH bands in one transaction. Idempotent: a
version of the current scheme is never touched, so a second run finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from nianbao.core import similarity
from nianbao.core.dedup import Identity
from nianbao.core.errors import PageRejected
from nianbao.storage.objects import ObjectNotFound
from nianbao.storage.repository.base import RepositoryBase
from nianbao.storage.repository.repetition import update_repetition
from nianbao.storage.tables import BandRow, ReportRow, SourceRow, VersionRow

_BATCH = 200  # versions read per query while re-signing


@dataclass(frozen=True)
class Resigned:
    """What a resign run did: versions re-signed, and those it had to leave as they were."""

    resigned: int = 0
    no_page: int = 0  # none of its sources' raw pages is in the object store
    unreadable: int = 0  # its raw pages no longer yield text (the page is rejected)

    @property
    def left(self) -> int:
        """Versions still signed by an older scheme after this run."""
        return self.no_page + self.unreadable


class Resigning(RepositoryBase):
    """Finds versions of an older signature scheme and signs them again from their raw pages."""

    def stale_signatures(self) -> int:
        """How many stored versions an older signature scheme signed."""
        with self.session() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(VersionRow)
                    .where(VersionRow.signature_version != similarity.SIGNATURE_VERSION)
                )
                or 0
            )

    def resign(
        self,
        read_raw: Callable[[str], bytes],
        sign: Callable[[bytes, str], list[int]],
        on_version: Callable[[], None] | None = None,
    ) -> Resigned:
        """Re-sign every version of an older scheme: `sign(raw page, url)` of a source's page.

        `read_raw` reads a raw_ref from the object store (ObjectNotFound when gone); `sign` may
        raise PageRejected. The page that made the version is tried first, then its copies.
        """
        counts = {"resigned": 0, "no_page": 0, "unreadable": 0}
        last = 0
        while True:
            with self.session() as session:
                ids = session.scalars(
                    select(VersionRow.id)
                    .where(
                        VersionRow.signature_version != similarity.SIGNATURE_VERSION,
                        VersionRow.id > last,
                    )
                    .order_by(VersionRow.id)
                    .limit(_BATCH)
                ).all()
            if not ids:
                return Resigned(**counts)
            for version_id in ids:
                counts[self._resign_one(version_id, read_raw, sign)] += 1
                if on_version:
                    on_version()
            last = ids[-1]

    def _resign_one(
        self,
        version_id: int,
        read_raw: Callable[[str], bytes],
        sign: Callable[[bytes, str], list[int]],
    ) -> str:
        """Re-sign one version; which count it adds to (resigned, no_page, unreadable)."""
        outcome, sig = "no_page", None
        for raw_ref, url in self._pages(version_id):
            try:
                sig = sign(read_raw(raw_ref), url)
                break
            except ObjectNotFound:
                continue
            except PageRejected:
                outcome = "unreadable"
        if sig is None:
            return outcome
        with self.session() as session, session.begin():
            written = session.execute(
                update(VersionRow)
                .where(
                    VersionRow.id == version_id,
                    VersionRow.signature_version != similarity.SIGNATURE_VERSION,
                )
                .values(
                    signature=similarity.pack(sig),
                    signature_version=similarity.SIGNATURE_VERSION,
                )
            ).rowcount
            if not written:  # another run re-signed it meanwhile
                return "resigned"
            session.execute(delete(BandRow).where(BandRow.version_id == version_id))
            session.add_all(
                BandRow(band=band, key=key, version_id=version_id)
                for band, key in enumerate(similarity.band_keys(sig))
            )
            session.flush()
            self._repetition(session, version_id)
        return "resigned"

    def _pages(self, version_id: int) -> list[tuple[str, str]]:
        """(raw_ref, url) of the version's sources: the page that made it first."""
        with self.session() as session:
            made_it = case((SourceRow.decision.in_(("new", "new_version")), 0), else_=1)
            rows = session.execute(
                select(SourceRow.raw_ref, SourceRow.url)
                .where(SourceRow.version_id == version_id)
                .order_by(made_it, SourceRow.id)
            ).all()
        return [(row.raw_ref, row.url) for row in rows]

    def _repetition(self, session: Session, version_id: int) -> None:
        """Recompute the repetition figures around a re-signed current version.

        Only once every current version of that agency in the neighbouring years has the
        current scheme: a figure across two schemes would be meaningless.
        """
        version = session.get(VersionRow, version_id)
        assert version is not None
        report = session.get(ReportRow, version.report_id)
        current = report is not None and report.current_version == version.version
        if not current or not version.agency_key or not version.year:
            return
        stale = session.scalar(
            select(func.count())
            .select_from(VersionRow)
            .join(
                ReportRow,
                (VersionRow.report_id == ReportRow.id)
                & (VersionRow.version == ReportRow.current_version),
            )
            .where(
                ReportRow.agency_key == version.agency_key,
                ReportRow.year.in_((version.year - 1, version.year, version.year + 1)),
                VersionRow.signature_version != similarity.SIGNATURE_VERSION,
            )
        )
        if stale:
            return
        who = Identity(
            version.agency_key, tuple(version.regions or (None,) * 4), version.year, version.figures
        )  # type: ignore[arg-type]
        update_repetition(session, version.report_id, who)
