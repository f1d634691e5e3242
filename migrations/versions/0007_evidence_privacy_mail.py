"""private evidence, privacy explanations, purged revisions, drafts turned into updates, e-mail
that is sent (retries, one per event and address), saved searches

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every evidence file becomes internal, those of published practices included: they were
    # public without a curator ever deciding so. Curators make public the ones that may be.
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("visibility", sa.String(length=10), server_default="internal", nullable=False)
        )
        batch_op.add_column(sa.Column("visibility_set_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("visibility_set_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_attachment_visibility_set_by_id_app_user"),
            "app_user",
            ["visibility_set_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("curation_emails", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("converted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("privacy_explanations", sa.JSON(), nullable=True))
    with op.batch_alter_table("practice_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_draft_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("privacy_explanations", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_practice_update_from_draft_id_practice"),
            "practice",
            ["from_draft_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("practice_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("purged_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_practice_revision_purged_by_id_app_user"),
            "app_user",
            ["purged_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("email_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("link", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("unsubscribe", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("practice_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("update_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("last_error", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_email_outbox_user_id_app_user"),
            "app_user",
            ["user_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_email_outbox_event"), ["event", "to_address"]
        )
        batch_op.create_index(
            batch_op.f("ix_email_outbox_next_attempt_at"), ["next_attempt_at"], unique=False
        )
    # Messages written before there was a sender are not sent now: they are old news.
    op.execute(
        "UPDATE email_outbox SET failed_at = created_at, "
        "last_error = 'written before e-mail was sent' WHERE sent_at IS NULL"
    )
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_saved_search_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
    )
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_search_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_search_user_id"))
    op.drop_table("saved_search")
    with op.batch_alter_table("email_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_outbox_next_attempt_at"))
        batch_op.drop_constraint(batch_op.f("uq_email_outbox_event"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_email_outbox_user_id_app_user"), type_="foreignkey")
        for column in (
            "failed_at",
            "last_error",
            "claimed_until",
            "next_attempt_at",
            "attempts",
            "update_id",
            "practice_ids",
            "unsubscribe",
            "link",
            "user_id",
            "event",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("practice_revision", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_practice_revision_purged_by_id_app_user"), type_="foreignkey"
        )
        batch_op.drop_column("purged_by_id")
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("practice_update", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_practice_update_from_draft_id_practice"), type_="foreignkey"
        )
        batch_op.drop_column("privacy_explanations")
        batch_op.drop_column("from_draft_id")
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.drop_column("privacy_explanations")
        batch_op.drop_column("converted_at")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("curation_emails")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_attachment_visibility_set_by_id_app_user"), type_="foreignkey"
        )
        batch_op.drop_column("visibility_set_at")
        batch_op.drop_column("visibility_set_by_id")
        batch_op.drop_column("visibility")
