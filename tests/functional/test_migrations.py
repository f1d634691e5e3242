"""Migrations are code: they build the schema the models describe, both ways, on every database."""

from contextlib import nullcontext

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import inspect, text

from repository import migrations
from repository.db import Database
from repository.models import Base
from tests.conftest import add_practices, record, reset_schema


def test_models_and_migrations_do_not_drift(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_upgrade_again(db):
    migrations.downgrade(db.engine, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(db.engine)
    assert migrations.current_revision(db.engine) == migrations.head_revision()
    assert {t.name for t in Base.metadata.sorted_tables} <= set(
        inspect(db.engine).get_table_names()
    )


def batch_rebuild_practice(engine, foreign_keys_off: bool) -> None:
    """What a batch migration does on SQLite: copy the table, drop the old one, rename."""
    with engine.connect() as connection:
        guard = migrations.foreign_keys_suspended(connection) if foreign_keys_off else nullcontext()
        with guard:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            operations = Operations(context)
            with (
                context.begin_transaction(),
                operations.batch_alter_table("practice", recreate="always") as batch,
            ):
                batch.alter_column("title", comment="rebuilt")
        connection.commit()


def test_a_batch_rebuild_of_a_parent_table_keeps_child_rows(db):
    if not db.is_sqlite:
        pytest.skip("batch rebuilds are how SQLite alters tables; PostgreSQL alters in place")
    add_practices(db, record())
    batch_rebuild_practice(db.engine, foreign_keys_off=True)
    with db.engine.connect() as connection:
        tags = connection.execute(text("SELECT count(*) FROM practice_tag")).scalar()
        sources = connection.execute(text("SELECT count(*) FROM practice_source")).scalar()
        fk_on = connection.execute(text("PRAGMA foreign_keys")).scalar()
    assert tags > 0 and sources == 1
    assert fk_on == 1


def test_without_the_guard_the_same_rebuild_would_delete_children(tmp_path):
    """Shows the guard above is what saves the rows (the trap we fell into once)."""
    database = Database(f"sqlite:///{tmp_path / 'trap.db'}")
    reset_schema(database)
    add_practices(database, record())
    batch_rebuild_practice(database.engine, foreign_keys_off=False)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM practice_tag")).scalar() == 0
    database.dispose()


def test_upgrading_a_database_with_data_keeps_every_row(db):
    """0002 rebuilds the practice table on SQLite; its tags and sources must survive."""
    migrations.downgrade(db.engine, "0001")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation (id, name, actor_type, created_at) "
                "VALUES (1, 'Org', 'ngo', '2020-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO practice (id, title, summary, description, results, "
                "lessons_learned, start_year, language, practice_type, evidence, status, "
                "organisation_id, created_at, updated_at) VALUES "
                "(1, 'T', 'S', '', '', '', 2001, 'en', 'law', 'not_evaluated', "
                "'published', 1, '2020-01-01', '2020-01-01')"
            )
        )
        connection.execute(text("INSERT INTO practice_tag VALUES (1, 'pillars', 'prevention')"))
        connection.execute(
            text(
                "INSERT INTO practice_source (id, practice_id, position, title, url) "
                "VALUES (1, 1, 0, 'a', 'https://a.org')"
            )
        )
    migrations.upgrade(db.engine)
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM practice_tag")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM practice_source")).scalar() == 1
        assert connection.execute(text("SELECT auth_version FROM app_user")).all() == []


def test_accounts_deactivated_before_0005_stay_deactivated(db):
    """The migration tells an administrator's deactivation from a wait for approval, from the
    audit log, so a curator cannot approve a deactivated account afterwards."""
    migrations.downgrade(db.engine, "0004")
    with db.engine.begin() as connection:
        for user_id, active in ((1, False), (2, False), (3, True)):
            connection.execute(
                text(
                    "INSERT INTO app_user (id, email, name, role, password_hash, active, "
                    "created_at, auth_version) VALUES (:id, :email, 'N', 'partner', 'x', "
                    ":active, '2026-01-01', 0)"
                ),
                {"id": user_id, "email": f"u{user_id}@x.example", "active": active},
            )
        connection.execute(
            text(
                "INSERT INTO audit_log (at, action, target, address, detail) VALUES "
                "('2026-01-02', 'account.approved', 'user:1', '', '{}'), "
                "('2026-01-03', 'account.deactivated', 'user:1', '', '{}')"
            )
        )
    migrations.upgrade(db.engine)
    with db.engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, deactivated_at FROM app_user")).all())
    assert rows[1] is not None and rows[2] is None and rows[3] is None
