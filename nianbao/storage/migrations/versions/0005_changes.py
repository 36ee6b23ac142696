"""changes: the change feed, one row per stored event, its cursor in commit order

Revision ID: 0005
Revises: 0004
Create Date: 2027-02-02 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # The feed starts empty: what was stored before has no events (a consumer's first export
    # takes everything, then follows the feed from `nianbao changes`'s last cursor).
    op.create_table(
        "changes",
        sa.Column("cursor", _ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("report_id", _ID, nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("source_id", _ID, nullable=True),
        sa.Column("quarantine_id", _ID, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="small: decision, url, reason…",
        ),
        sa.PrimaryKeyConstraint("cursor", name=op.f("pk_changes")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_report_id"))
    op.drop_table("changes")
