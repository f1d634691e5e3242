"""Backups taken while the app writes restore into a running app that finds every practice."""

import threading
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from repository.app import create_app
from repository.cli import main
from repository.db import Database
from repository.models import Attachment, Practice, User
from repository.practices import workflow
from repository.submissions.attachments import Upload, add
from search import SearchParams
from tests.conftest import add_practices, make_user, record

PDF = b"%PDF-1.4\nbackup test\n"


def test_a_backup_taken_while_writing_restores_to_an_equal_working_app(
    db, settings, tmp_path, monkeypatch
):
    if not db.is_sqlite:
        pytest.skip("the PostgreSQL path (pg_dump/pg_restore) is tested below")
    add_practices(db, *[record(title=f"Before {i}") for i in range(20)])
    make_user(db, "p@org.example", organisation="Org")
    with db.write() as session:
        partner = session.scalar(select(User))
        draft = workflow.create_draft(session, partner, record(title="With a file"))
        add(session, settings.upload_dir, draft.id, partner, Upload("evidence.pdf", PDF))

    stop = threading.Event()

    def keep_writing():
        n = 0
        while not stop.is_set():
            add_practices(db, record(title=f"During {n}"))
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        monkeypatch.setenv("PRACTICES_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("PRACTICES_UPLOAD_DIR", str(settings.upload_dir))
        result = CliRunner().invoke(main, ["backup", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
    finally:
        stop.set()
        writer.join()

    restored_url = f"sqlite:///{tmp_path / 'restored' / 'practices.db'}"
    monkeypatch.setenv("PRACTICES_DATABASE_URL", restored_url)
    monkeypatch.setenv("PRACTICES_UPLOAD_DIR", str(tmp_path / "restored" / "uploads"))
    result = CliRunner().invoke(main, ["restore", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output

    restored = Database(restored_url)
    with restored.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    with restored.read() as session:
        published = set(session.scalars(select(Practice.id).where(Practice.status == "published")))
        stored = session.scalar(select(Attachment.stored_name))
    assert len(published) >= 20
    assert (tmp_path / "restored" / "uploads" / stored).read_bytes() == PDF
    app = create_app(
        replace(
            settings,
            database_url=restored_url,
            index_dir=tmp_path / "new-index",
            upload_dir=tmp_path / "restored" / "uploads",
        ),
        database=restored,
    )
    app.state.index_sync.repair()  # what start-up does: no index yet, so it is built
    first = app.state.index.search(SearchParams(per_page=100))
    found = set(first.ids)
    for page in range(2, first.pages + 1):
        found |= set(app.state.index.search(SearchParams(per_page=100, page=page)).ids)
    assert found == published
    restored.dispose()


def test_restore_refuses_a_database_that_is_not_empty(db, settings, tmp_path, monkeypatch):
    if not db.is_sqlite:
        pytest.skip("SQLite paths")
    monkeypatch.setenv("PRACTICES_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PRACTICES_UPLOAD_DIR", str(settings.upload_dir))
    assert CliRunner().invoke(main, ["backup", str(tmp_path / "b")]).exit_code == 0
    result = CliRunner().invoke(main, ["restore", str(tmp_path / "b")])
    assert result.exit_code == 1 and "not empty" in result.output


def test_postgresql_backup_and_restore_with_pg_dump(db, settings, tmp_path, monkeypatch):
    if db.is_sqlite:
        pytest.skip("needs PostgreSQL (PRACTICES_TEST_DATABASE_URL); CI runs it")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    add_practices(db, *[record(title=f"PG {i}") for i in range(5)])
    monkeypatch.setenv("PRACTICES_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PRACTICES_UPLOAD_DIR", str(settings.upload_dir))
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "pg")])
    assert result.exit_code == 0, result.output
    target = make_url(settings.database_url).set(database="practices_restore")
    admin = create_engine(make_url(settings.database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS practices_restore"))
        connection.execute(text("CREATE DATABASE practices_restore"))
    try:
        url = target.render_as_string(hide_password=False)
        monkeypatch.setenv("PRACTICES_DATABASE_URL", url)
        monkeypatch.setenv("PRACTICES_UPLOAD_DIR", str(tmp_path / "pg-uploads"))
        result = CliRunner().invoke(main, ["restore", str(tmp_path / "pg")])
        assert result.exit_code == 0, result.output
        restored = Database(url)
        with restored.read() as session:
            assert session.scalar(select(func.count()).select_from(Practice)) == 5
        restored.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS practices_restore WITH (FORCE)"))
        admin.dispose()


def test_a_backup_is_readable_by_its_owner_only(db, settings, tmp_path, monkeypatch):
    """Backups were 0755 and 0644: password hashes and drafts for every local user."""
    import stat

    make_user(db, "p@org.example", organisation="Org")
    with db.write() as session:
        partner = session.scalar(select(User))
        draft = workflow.create_draft(session, partner, record(title="With a file"))
        add(session, settings.upload_dir, draft.id, partner, Upload("evidence.pdf", PDF))
    monkeypatch.setenv("PRACTICES_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PRACTICES_UPLOAD_DIR", str(settings.upload_dir))
    target = tmp_path / "backups" / "today"
    result = CliRunner().invoke(main, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    paths = [target, *target.rglob("*")]
    assert len(paths) >= 4  # the directory, the database, the manifest, uploads and a file
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    # The evidence files the app keeps are its user's alone too.
    for path in settings.upload_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
