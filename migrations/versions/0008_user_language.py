"""the interface language an account chose

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 19:10:00

Numbered 0008 because 0007 is taken by the partner and curator flows (issue 13); whoever merges
both re-points down_revision to "0007".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("language")
