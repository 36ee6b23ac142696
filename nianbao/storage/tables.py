"""SQLAlchemy tables. The schema changes only through Alembic migrations (storage/migrations)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nianbao.core.similarity import SIGNATURE_VERSION

# Integer on SQLite so the primary key is the rowid (autoincrement); BIGINT elsewhere.
Id = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")
Timestamp = DateTime(timezone=True)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with deterministic constraint names (Alembic needs them)."""

    metadata = MetaData(naming_convention=NAMING)


class ReportRow(Base):
    """One report (one agency, one year): its current version and the figures about it."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True, comment="current version's")
    schema_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    agency_name: Mapped[str | None] = mapped_column(Text, index=True)
    agency_key: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    format: Mapped[str | None] = mapped_column(String(16))
    published_on: Mapped[date | None] = mapped_column(Date)
    text_length: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict[str, Any]] = mapped_column(Json, comment="the current version's record")
    current_version: Mapped[int] = mapped_column(Integer, server_default="1")
    repetition_vs_previous_year: Mapped[float | None] = mapped_column(Float)
    previous_year_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    # The current record's region, level and kind as columns: the API and the exports filter on
    # them (an index each), where a JSON path of the record would be read row by row.
    province: Mapped[str | None] = mapped_column(Text, index=True)
    city: Mapped[str | None] = mapped_column(Text, index=True)
    county: Mapped[str | None] = mapped_column(Text, index=True)
    division_code: Mapped[str | None] = mapped_column(
        String(12), index=True, comment="GB/T 2260 code of the report's region"
    )
    level: Mapped[str | None] = mapped_column(String(16), index=True)
    is_report: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (Index(None, "agency_key", "year"),)


class VersionRow(Base):
    """One version of a report: the record as first published, or as later corrected."""

    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("report_id", "version"),
        # a version is its exact key *and* its figures: the key folds away signs, commas and
        # spaces ("-968" and "968"), so one key can carry two sets of figures
        UniqueConstraint("fingerprint", "figures"),
        Index(None, "agency_key", "year"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, comment="MinHash, 128 × u32")
    signature_version: Mapped[int] = mapped_column(
        SmallInteger,
        default=SIGNATURE_VERSION,  # a row this code writes is signed by this code's scheme
        server_default="1",  # rows stored before the column were signed by scheme 1
        comment="MinHash scheme of the signature and bands (similarity.SIGNATURE_VERSION)",
    )
    figures: Mapped[str] = mapped_column(String(32), comment="digest of the table values")
    agency_key: Mapped[str | None] = mapped_column(Text)
    regions: Mapped[list[Any]] = mapped_column(Json)
    year: Mapped[int | None] = mapped_column(Integer)
    record: Mapped[dict[str, Any]] = mapped_column(Json)
    text_length: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(32))
    similarity: Mapped[float | None] = mapped_column(Float, comment="to the version it revises")
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class BandRow(Base):
    """The shared near-duplicate index: LSH band keys of every version's MinHash signature."""

    __tablename__ = "dedup_bands"
    __table_args__ = (PrimaryKeyConstraint("band", "key", "version_id"),)

    band: Mapped[int] = mapped_column(SmallInteger)
    key: Mapped[int] = mapped_column(BigInteger)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_versions.id", ondelete="CASCADE"), index=True
    )


class SourceRow(Base):
    """A page a report was seen on, with the dedup decision made for it and the evidence."""

    __tablename__ = "report_sources"
    __table_args__ = (UniqueConstraint("url_key", "page_sha256"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_versions.id", ondelete="SET NULL")
    )
    url_key: Mapped[str] = mapped_column(String(64), comment="sha256 of url: bounded index key")
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    site_id: Mapped[str] = mapped_column(String(200))
    page_sha256: Mapped[str] = mapped_column(String(64))
    raw_ref: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(32))
    similarity: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str | None] = mapped_column(String(32))
    differences: Mapped[dict[str, Any] | None] = mapped_column(
        Json, comment="what this source said that the report's version does not"
    )
    first_seen: Mapped[datetime] = mapped_column(Timestamp)
    last_seen: Mapped[datetime] = mapped_column(Timestamp)


class SectionRow(Base):
    """A report section, in document order."""

    __tablename__ = "report_sections"
    __table_args__ = (UniqueConstraint("report_id", "position"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(16))
    heading: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class IndicatorRow(Base):
    """A statistics cell or narrative figure, with verbatim labels and canonical codes."""

    __tablename__ = "indicators"
    __table_args__ = (
        UniqueConstraint("report_id", "position"),
        Index(None, "row_code", "column_code"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    table_name: Mapped[str] = mapped_column(String(32))
    row_label: Mapped[str] = mapped_column(Text)
    row_code: Mapped[str | None] = mapped_column(String(64))
    column_label: Mapped[str | None] = mapped_column(Text)
    column_code: Mapped[str | None] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    raw: Mapped[str] = mapped_column(Text)
    semantics: Mapped[str] = mapped_column(String(16))


class QuarantineRow(Base):
    """A rejected page (not a report, undecodable, too large) with its reason, open until stored."""

    __tablename__ = "quarantine"
    __table_args__ = (
        # one open entry per page (URL and bytes): a page rejected again updates it
        Index(
            "uq_quarantine_open_page",
            "page_sha256",
            "url_key",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    stage: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    site_id: Mapped[str] = mapped_column(String(200))
    page_sha256: Mapped[str] = mapped_column(String(64))
    raw_ref: Mapped[str] = mapped_column(Text)
    message: Mapped[dict[str, Any]] = mapped_column(Json)
    first_seen: Mapped[datetime] = mapped_column(Timestamp)
    last_seen: Mapped[datetime | None] = mapped_column(Timestamp, comment="last rejected")
    status: Mapped[str] = mapped_column(
        String(16), server_default="open", comment="open | closed (stored after a replay)"
    )
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    replays: Mapped[int] = mapped_column(Integer, server_default="0")


class DeadLetterRow(Base):
    """A task that failed after all retries: the message and error, kept for replay."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), unique=True)
    task_name: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(Json)
    kwargs: Mapped[dict[str, Any]] = mapped_column(Json)
    error: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    replayed_at: Mapped[datetime | None] = mapped_column(Timestamp)


class ArchiveOutboxRow(Base):
    """A version whose record still has to be archived to the object store (transactional outbox).

    Inserted in the transaction that stores the version; deleted once the archive is written.
    A row whose write fails stays, with its attempts and error, until a later drain succeeds.
    """

    __tablename__ = "archive_outbox"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_versions.id", ondelete="CASCADE"), unique=True
    )
    key: Mapped[str] = mapped_column(Text, comment="object-store key of the archived record")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class ChangeRow(Base):
    """One event of the change feed, its cursor assigned in commit order (repository.changes).

    Inserted in the transaction that made the change; never updated or deleted, so on SQLite
    the rowid (this INTEGER PRIMARY KEY) is never reused and only grows.
    """

    __tablename__ = "changes"

    cursor: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    # no foreign keys: an event outlives what it names (a report deleted later keeps its history)
    report_id: Mapped[int | None] = mapped_column(Id, index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    source_id: Mapped[int | None] = mapped_column(Id)
    quarantine_id: Mapped[int | None] = mapped_column(Id)
    at: Mapped[datetime] = mapped_column(Timestamp)
    data: Mapped[dict[str, Any]] = mapped_column(Json, comment="small: decision, url, reason…")
