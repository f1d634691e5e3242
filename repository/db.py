"""The database engine and the two kinds of session: read and write.

SQLite needs care to be safe with several writers: WAL so readers never block the writer, a busy
timeout so a writer waits rather than failing, foreign keys on, and write transactions that take
the write lock up front (BEGIN IMMEDIATE). Without that, a read-then-write transaction reads under
a shared lock and loses other writers' updates. On PostgreSQL, services lock the rows they
read-then-write (SELECT ... FOR UPDATE).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# How long a write waits for another's lock before giving up (the app then answers 503).
LOCK_TIMEOUT_SECONDS = 10.0
_WRITE_OPTION = "practices_write"


def _configure_sqlite(engine: Engine, lock_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module, which would begin lazily and
        # never with IMMEDIATE; the "begin" listener below issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(_WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, lock_timeout: float = LOCK_TIMEOUT_SECONDS, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": lock_timeout})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, lock_timeout)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    milliseconds = int(lock_timeout * 1000)
    kwargs.setdefault("connect_args", {"options": f"-c lock_timeout={milliseconds}"})
    return create_engine(url, **kwargs)


class Database:
    """Owns the engine; hands out sessions that read, or that write in one transaction."""

    def __init__(
        self, url: str, engine: Engine | None = None, lock_timeout: float = LOCK_TIMEOUT_SECONDS
    ):
        self.url = url
        self.engine = engine or make_engine(url, lock_timeout)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; closing it ends its transaction without writing anything."""
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits at the end, or rolls back on an exception."""
        with self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
