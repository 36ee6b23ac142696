"""dedup: report versions, LSH band index, source evidence

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:43:20.144776
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=True, comment="MinHash, 128 × u32"),
        sa.Column(
            "figures", sa.String(length=32), nullable=False, comment="digest of the table values"
        ),
        sa.Column("agency_key", sa.Text(), nullable=True),
        sa.Column(
            "regions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column(
            "record",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("text_length", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=True, comment="to the version it revises"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_versions_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_versions")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_report_versions_fingerprint")),
        sa.UniqueConstraint(
            "report_id", "version", name=op.f("uq_report_versions_report_id_version")
        ),
    )
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_versions_agency_key_year"), ["agency_key", "year"], unique=False
        )

    op.create_table(
        "dedup_bands",
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column(
            "version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["report_versions.id"],
            name=op.f("fk_dedup_bands_version_id_report_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("band", "key", "version_id", name=op.f("pk_dedup_bands")),
    )
    with op.batch_alter_table("dedup_bands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dedup_bands_version_id"), ["version_id"], unique=False)

    with op.batch_alter_table("report_sources", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.add_column(sa.Column("similarity", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("method", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column(
                "differences",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
                comment="what this source said that the report's version does not",
            )
        )
        batch_op.drop_constraint(batch_op.f("uq_report_sources_report_id_url_key"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_report_sources_url_key_page_sha256"), ["url_key", "page_sha256"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_report_sources_version_id_report_versions"),
            "report_versions",
            ["version_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_key", sa.Text(), nullable=True))
        batch_op.alter_column(
            "fingerprint", comment="current version's", existing_type=sa.String(length=64),
            existing_nullable=False,
        )  # fmt: skip
        batch_op.alter_column(
            "record", comment="the current version's record", existing_nullable=False,
            existing_type=sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                 "postgresql"),
        )  # fmt: skip
        batch_op.add_column(
            sa.Column("current_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("repetition_vs_previous_year", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "previous_year_report_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.drop_constraint(batch_op.f("uq_reports_fingerprint"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_reports_agency_key_year"), ["agency_key", "year"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reports_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_previous_year_report_id_reports"),
            "reports",
            ["previous_year_report_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # Reports stored before versions existed become their own version 1. Their signatures are
    # unknown (the text is not kept), so they take part in exact dedup only until re-ingested.
    empty = "'[]'::jsonb" if op.get_bind().dialect.name == "postgresql" else "'[]'"
    op.execute(
        "INSERT INTO report_versions (report_id, version, fingerprint, signature, figures, "
        "agency_key, regions, year, record, text_length, decision, similarity, created_at) "
        f"SELECT id, 1, fingerprint, NULL, '', NULL, {empty}, year, record, text_length, 'new', "
        "NULL, created_at FROM reports"
    )
    op.execute(
        "UPDATE report_sources SET version_id = (SELECT v.id FROM report_versions v "
        "WHERE v.report_id = report_sources.report_id AND v.version = 1)"
    )
    _backfill_identity()


def _backfill_identity() -> None:
    """Agency key, regions and figures of the migrated versions, from their stored records."""
    from nianbao.core.dedup import identity
    from schemas.report import AnnualReport

    bind = op.get_bind()
    versions = sa.table(
        "report_versions", sa.column("id"), sa.column("report_id"), sa.column("agency_key"),
        sa.column("regions", sa.JSON()), sa.column("figures"), sa.column("record", sa.JSON()),
    )  # fmt: skip
    reports = sa.table("reports", sa.column("id"), sa.column("agency_key"))
    for row in bind.execute(sa.select(versions.c.id, versions.c.report_id, versions.c.record)):
        who = identity(AnnualReport.model_validate(row.record))
        bind.execute(
            versions.update()
            .where(versions.c.id == row.id)
            .values(agency_key=who.agency_key, regions=list(who.regions), figures=who.figures)
        )
        bind.execute(
            reports.update().where(reports.c.id == row.report_id).values(agency_key=who.agency_key)
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_reports_previous_year_report_id_reports"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_reports_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_reports_agency_key_year"))
        batch_op.create_unique_constraint(batch_op.f("uq_reports_fingerprint"), ["fingerprint"])
        batch_op.drop_column("previous_year_report_id")
        batch_op.drop_column("repetition_vs_previous_year")
        batch_op.drop_column("current_version")
        batch_op.drop_column("agency_key")

    with op.batch_alter_table("report_sources", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_report_sources_version_id_report_versions"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_report_sources_url_key_page_sha256"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_report_sources_report_id_url_key"), ["report_id", "url_key"]
        )
        batch_op.drop_column("differences")
        batch_op.drop_column("method")
        batch_op.drop_column("similarity")
        batch_op.drop_column("version_id")

    with op.batch_alter_table("dedup_bands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dedup_bands_version_id"))

    op.drop_table("dedup_bands")
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_versions_agency_key_year"))
    op.drop_table("report_versions")
