"""report_versions.signature_version: which MinHash scheme signed a stored version

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-12 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every version stored so far was signed by scheme 1 (datasketch); signatures of two
    # schemes are not comparable, so dedup compares only same-version signatures and
    # `nianbao dedup resign` re-signs the old ones from their raw pages.
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "signature_version",
                sa.SmallInteger(),
                server_default="1",
                nullable=False,
                comment="MinHash scheme of the signature and bands (similarity.SIGNATURE_VERSION)",
            )
        )


def downgrade() -> None:
    # Scheme 2 signatures stay in place: a version-1 reader would compare them with its own
    # and find nothing alike (never a false merge); its bands never meet scheme 1 keys.
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_column("signature_version")
