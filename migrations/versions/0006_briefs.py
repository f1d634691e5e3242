"""briefs kept in the database: named, shared, edited line by line

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brief",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("opening", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("share_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_brief_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brief")),
        sa.UniqueConstraint("key", name=op.f("uq_brief_key")),
        sa.UniqueConstraint("share_token", name=op.f("uq_brief_share_token")),
    )
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_brief_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_brief_updated_at"), ["updated_at"], unique=False)
    op.create_table(
        "brief_item",
        sa.Column("brief_id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["brief_id"],
            ["brief.id"],
            name=op.f("fk_brief_item_brief_id_brief"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_brief_item_practice_id_practice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("brief_id", "practice_id", name=op.f("pk_brief_item")),
    )
    with op.batch_alter_table("brief_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_brief_item_practice_id"), ["practice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("brief_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brief_item_practice_id"))
    op.drop_table("brief_item")
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brief_updated_at"))
        batch_op.drop_index(batch_op.f("ix_brief_user_id"))
    op.drop_table("brief")
