"""geographic scope, source publisher and year, translations of title and summary

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=10), server_default="national", nullable=False)
        )
        batch_op.add_column(sa.Column("scope_area", sa.String(length=40), nullable=True))
    # Practices without countries were global before scope existed.
    op.execute(
        "UPDATE practice SET scope = 'global' WHERE id NOT IN "
        "(SELECT practice_id FROM practice_country)"
    )
    with op.batch_alter_table("practice_source", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("publisher", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("year", sa.Integer(), nullable=True))
    op.create_table(
        "practice_translation",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_practice_translation_practice_id_practice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("practice_id", "language", name=op.f("pk_practice_translation")),
    )


def downgrade() -> None:
    op.drop_table("practice_translation")
    with op.batch_alter_table("practice_source", schema=None) as batch_op:
        batch_op.drop_column("year")
        batch_op.drop_column("publisher")
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.drop_column("scope_area")
        batch_op.drop_column("scope")
