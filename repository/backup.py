"""Consistent backups while the app is writing, and restore into an empty data directory.

SQLite: the online backup API copies a consistent snapshot (a plain copy of a database in WAL
mode is not a backup: it can miss committed transactions still in the WAL). PostgreSQL:
pg_dump's custom format, restored with pg_restore. Attachments are copied after the database,
so every file a backed-up row names is in the backup (files are written before their row
commits). The search index is not backed up: it is rebuilt from the database.
"""

import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from repository import migrations
from repository.db import Database

MANIFEST = "backup.json"


class BackupError(Exception):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(database)


def _pg_arguments(url: str) -> list[str]:
    """A libpq connection string for pg_dump and pg_restore (no password on the command line)."""
    parsed = make_url(url).set(drivername="postgresql")
    return [parsed.render_as_string(hide_password=False)]


def _owner_only(target: Path) -> None:
    """Directories 0700 and files 0600: a backup holds password hashes, drafts and evidence."""
    for path in (target, *target.rglob("*")):
        if not path.is_symlink():
            path.chmod(0o700 if path.is_dir() else 0o600)


def backup(database_url: str, upload_dir: Path, target: Path) -> dict:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Made unreadable to others before anything is written into it (the files written below
    # would get the umask's 0644).
    target.mkdir(mode=0o700, exist_ok=False)
    target.chmod(0o700)
    database = Database(database_url)
    revision = migrations.current_revision(database.engine)
    if database.is_sqlite:
        source = sqlite3.connect(_sqlite_path(database_url))
        destination = sqlite3.connect(target / "practices.db")
        with destination:
            source.backup(destination)
        destination.close()
        source.close()
        kind = "sqlite"
    else:
        dump = target / "practices.dump"
        # The operator's own PostgreSQL tools, with arguments we build; no shell.
        result = subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--file={dump}",
                *_pg_arguments(database_url),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
        kind = "postgresql"
    database.dispose()
    files = 0
    if upload_dir.exists():
        shutil.copytree(upload_dir, target / "uploads", ignore=shutil.ignore_patterns(".*.part"))
        files = sum(1 for p in (target / "uploads").iterdir() if p.is_file())
    manifest = {
        "created": datetime.now(UTC).isoformat(),
        "kind": kind,
        "revision": revision,
        "attachments": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    _owner_only(target)
    return manifest


def restore(source: Path, database_url: str, upload_dir: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a backup made by 'practices backup': {error}") from None
    if database_url.startswith("sqlite"):
        _sqlite_path(database_url).parent.mkdir(parents=True, exist_ok=True)
    database = Database(database_url)
    if migrations.current_revision(database.engine) is not None:
        raise BackupError("the target database is not empty: restore needs an empty one")
    if upload_dir.exists() and any(upload_dir.iterdir()):
        raise BackupError(f"the upload directory {upload_dir} is not empty")
    if manifest["kind"] == "sqlite":
        if not database.is_sqlite:
            raise BackupError("this is an SQLite backup; restore it to an SQLite database")
        database.dispose()
        path = _sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source / "practices.db", path)
    else:
        if database.is_sqlite:
            raise BackupError("this is a PostgreSQL backup; restore it to a PostgreSQL database")
        database.dispose()
        # The operator's own PostgreSQL tools, with arguments we build; no shell.
        result = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={_pg_arguments(database_url)[0]}",
                str(source / "practices.dump"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
    if (source / "uploads").exists():
        upload_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source / "uploads", upload_dir, dirs_exist_ok=True)
    database = Database(database_url)
    migrations.upgrade(database.engine)  # a backup from an older version is brought up to date
    database.dispose()
    return manifest
