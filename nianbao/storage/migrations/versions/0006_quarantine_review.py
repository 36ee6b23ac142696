"""quarantine review: an entry is open until its page is stored; replays counted

Revision ID: 0006
Revises: 0005
Create Date: 2027-02-20 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    # The key was (page, stage): a page rejected again at another stage (after a replay, say)
    # got a second row. Now a page has at most one open entry, and a rejection updates it.
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_seen", sa.DateTime(timezone=True), nullable=True, comment="last rejected"
            )
        )
        batch_op.add_column(
            sa.Column(
                "status",
                sa.String(length=16),
                server_default="open",
                nullable=False,
                comment="open | closed (stored after a replay)",
            )
        )
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("replays", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint(
            batch_op.f("uq_quarantine_page_sha256_url_key_stage"), type_="unique"
        )
    op.execute("UPDATE quarantine SET last_seen = first_seen")
    # a page that is also stored as a source needs no review; of a page's entries at several
    # stages the newest stays open
    op.execute(
        "UPDATE quarantine SET status = 'closed', closed_at = CURRENT_TIMESTAMP "
        "WHERE EXISTS (SELECT 1 FROM report_sources s WHERE s.url_key = quarantine.url_key "
        "AND s.page_sha256 = quarantine.page_sha256) "
        "OR id NOT IN (SELECT max(id) FROM quarantine GROUP BY page_sha256, url_key)"
    )
    op.create_index(
        "uq_quarantine_open_page",
        "quarantine",
        ["page_sha256", "url_key"],
        unique=True,
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    )


def downgrade() -> None:
    op.drop_index(
        "uq_quarantine_open_page",
        table_name="quarantine",
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    )
    # 0005's key holds one row per page and stage: of several, the newest is kept
    op.execute(
        "DELETE FROM quarantine WHERE id NOT IN "
        "(SELECT max(id) FROM quarantine GROUP BY page_sha256, url_key, stage)"
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_quarantine_page_sha256_url_key_stage"),
            ["page_sha256", "url_key", "stage"],
        )
        batch_op.drop_column("replays")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("status")
        batch_op.drop_column("last_seen")
