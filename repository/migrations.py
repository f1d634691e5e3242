"""Running the Alembic migrations from code: the CLI, the app's start-up check and the tests."""

from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.connect() as connection:
        command.upgrade(alembic_config(str(engine.url), connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.connect() as connection:
        command.downgrade(alembic_config(str(engine.url), connection), revision)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def run_migrations_online(context, config: Config, metadata: MetaData) -> None:
    """Body of env.py: migrate on the given connection, or on a new one from the URL."""
    connection = config.attributes.get("connection")
    if connection is None:
        from repository.db import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _migrate(context, connection, metadata)
        engine.dispose()
    else:
        _migrate(context, connection, metadata)


@contextmanager
def foreign_keys_suspended(connection: Connection):
    """On SQLite, switch foreign keys off for a migration, then check them and switch them on.

    Batch mode rebuilds a table by copying it and dropping the old one; with foreign keys on, the
    drop cascade-deletes the rows of every child table.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    # PRAGMA foreign_keys is a no-op inside a transaction, and any statement through SQLAlchemy
    # begins one (see repository.db), so the pragma goes straight to the driver's connection.
    if connection.in_transaction():
        connection.commit()
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        if connection.in_transaction():
            connection.commit()
        problems = driver.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"Migration left rows with broken foreign keys: {problems[:5]}")
    finally:
        if connection.in_transaction():
            connection.rollback()
        driver.execute("PRAGMA foreign_keys=ON")


def _migrate(context, connection: Connection, metadata: MetaData) -> None:
    with foreign_keys_suspended(connection):
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
