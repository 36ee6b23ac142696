"""reports: the current record's region, level and kind as indexed columns

Revision ID: 0007
Revises: 0006
Create Date: 2027-03-01 06:00:00.000000
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_INDEXED = ("province", "city", "county", "division_code", "level")
_BATCH = 1000


def upgrade() -> None:
    # The API and the exports filtered on JSON paths of the record, read row by row; the store
    # now keeps these copies with the record, and they are filled here for the stored reports.
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("city", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("county", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "division_code",
                sa.String(length=12),
                nullable=True,
                comment="GB/T 2260 code of the report's region",
            )
        )
        batch_op.add_column(sa.Column("level", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("is_report", sa.Boolean(), nullable=True))
    _fill()
    for column in _INDEXED:
        op.create_index(f"ix_reports_{column}", "reports", [column], unique=False)


def _fill() -> None:
    """Copy the fields from each stored record, in keyset batches (memory stays flat)."""
    bind = op.get_bind()
    reports = sa.table(
        "reports",
        sa.column("id", sa.BigInteger()),
        sa.column("record", sa.JSON()),
        *(sa.column(name) for name in (*_INDEXED, "is_report")),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(reports.c.id, reports.c.record)
            .where(reports.c.id > last)
            .order_by(reports.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            reports.update().where(reports.c.id == sa.bindparam("row_id")),
            [{"row_id": row.id, **_columns(row.record)} for row in rows],
        )
        last = rows[-1].id


def _columns(record: Any) -> dict[str, Any]:
    """The copies of one stored record (JSON text on some drivers)."""
    if isinstance(record, str):
        record = json.loads(record)
    region = record.get("region") or {}
    return {
        "province": region.get("province"),
        "city": region.get("city"),
        "county": region.get("county"),
        "division_code": region.get("code"),
        "level": (record.get("agency") or {}).get("level"),
        "is_report": record.get("is_report"),
    }


def downgrade() -> None:
    for column in _INDEXED:
        op.drop_index(f"ix_reports_{column}", table_name="reports")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        for column in ("is_report", "level", "division_code", "county", "city", "province"):
            batch_op.drop_column(column)
