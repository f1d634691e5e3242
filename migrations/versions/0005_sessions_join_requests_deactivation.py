"""signed-in sessions, requests to join an organisation, deactivation, counters that expire

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signed_in_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_signed_in_session_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_in_session")),
    )
    with op.batch_alter_table("signed_in_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signed_in_session_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_signed_in_session_expires_at"), ["expires_at"], unique=False
        )

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("requested_organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_app_user_requested_organisation_id_organisation"),
            "organisation",
            ["requested_organisation_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # An inactive account whose last activation change was a deactivation was deactivated by
    # an administrator; the others are waiting for their first approval.
    op.execute(
        """
        UPDATE app_user SET deactivated_at = (
            SELECT max(a.at) FROM audit_log a
            WHERE a.action = 'account.deactivated' AND a.target = 'user:' || app_user.id
        )
        WHERE active = false AND EXISTS (
            SELECT 1 FROM audit_log a
            WHERE a.action = 'account.deactivated' AND a.target = 'user:' || app_user.id
            AND NOT EXISTS (
                SELECT 1 FROM audit_log later
                WHERE later.action IN ('account.activated', 'account.approved')
                AND later.target = a.target AND later.at > a.at
            )
        )
        """
    )

    # Counters are minutes-long and were never pruned: start afresh with expiring ones.
    op.execute("DELETE FROM rate_counter")
    with op.batch_alter_table("rate_counter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_at", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("expires_at", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_rate_counter_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rate_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_counter_expires_at"))
        batch_op.drop_column("expires_at")
        batch_op.drop_column("last_at")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_app_user_requested_organisation_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_column("requested_organisation_id")
        batch_op.drop_column("deactivated_at")
    with op.batch_alter_table("signed_in_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signed_in_session_expires_at"))
        batch_op.drop_index(batch_op.f("ix_signed_in_session_user_id"))
    op.drop_table("signed_in_session")
