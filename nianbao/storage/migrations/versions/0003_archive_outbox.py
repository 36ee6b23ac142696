"""archive outbox; a version is its exact key and its figures

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # One exact key may carry two sets of figures (the key folds away signs, commas, spaces):
    # the versions' unique key becomes (fingerprint, figures). Every existing row satisfies it.
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_report_versions_fingerprint"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_report_versions_fingerprint_figures"), ["fingerprint", "figures"]
        )

    op.create_table(
        "archive_outbox",
        sa.Column("id", _ID, nullable=False),
        sa.Column("version_id", _ID, nullable=False),
        sa.Column(
            "key", sa.Text(), nullable=False, comment="object-store key of the archived record"
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["report_versions.id"],
            name=op.f("fk_archive_outbox_version_id_report_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_outbox")),
        sa.UniqueConstraint("version_id", name=op.f("uq_archive_outbox_version_id")),
    )
    with op.batch_alter_table("archive_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_archive_outbox_next_attempt_at"), ["next_attempt_at"], unique=False
        )


def downgrade() -> None:
    # Versions that share an exact key cannot go back under a unique key of their own, and
    # dropping one would lose a stored version: refuse instead.
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT fingerprint FROM report_versions GROUP BY fingerprint HAVING count(*) > 1"
            )
        )
        .first()
    )
    if shared is not None:
        raise RuntimeError(
            f"cannot downgrade below 0003: versions share the exact key {shared[0]} "
            "(same text, other figures); 0002 allows one version per key"
        )
    with op.batch_alter_table("archive_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_outbox_next_attempt_at"))
    op.drop_table("archive_outbox")
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_report_versions_fingerprint_figures"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_report_versions_fingerprint"), ["fingerprint"]
        )
