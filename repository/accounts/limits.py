"""Attempt counters in the database, shared by every worker (in-memory ones are per process)."""

import time

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from repository.models import RateCounter


def window_of(seconds: int, now: float | None = None) -> int:
    return int((now or time.time()) // seconds)


def count(session: Session, key: str, seconds: int) -> int:
    return (
        session.scalar(
            select(RateCounter.count).where(
                RateCounter.key == key, RateCounter.window == window_of(seconds)
            )
        )
        or 0
    )


def hit(session: Session, key: str, seconds: int) -> int:
    """Add one attempt to this window's counter and return the new count.

    One upsert, so that two workers counting the same key at once cannot both insert.
    """
    window = window_of(seconds)
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(RateCounter).values(key=key, window=window, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["key", "window"], set_={"count": RateCounter.count + 1}
    )
    session.execute(statement)
    # Old windows are of no use: drop them as we go.
    session.execute(delete(RateCounter).where(RateCounter.key == key, RateCounter.window < window))
    return count(session, key, seconds)


def retry_after(seconds: int) -> int:
    return int(seconds - time.time() % seconds) + 1
