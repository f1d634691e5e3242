"""Attempt counters in the database, shared by every worker (in-memory ones are per process).

Each counter covers one fixed window of time and remembers its last attempt; once its window is
over it is of no use and `prune` deletes it (made-up keys, such as spoofed addresses, once left a
row each for ever).
"""

import hashlib
import time

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from repository.models import RateCounter


def window_of(seconds: int, now: float | None = None) -> int:
    return int((now or time.time()) // seconds)


def _key(key: str) -> str:
    """The key as stored: long ones (an e-mail can have 320 characters) by their digest."""
    return key if len(key) <= 200 else key[:100] + "#" + hashlib.sha256(key.encode()).hexdigest()


def state(session: Session, key: str, seconds: int) -> tuple[int, int]:
    """(attempts in this window, when the last one was in seconds since the epoch)."""
    row = session.execute(
        select(RateCounter.count, RateCounter.last_at).where(
            RateCounter.key == _key(key), RateCounter.window == window_of(seconds)
        )
    ).first()
    return (row.count, row.last_at) if row else (0, 0)


def count(session: Session, key: str, seconds: int) -> int:
    return state(session, key, seconds)[0]


def hit(session: Session, key: str, seconds: int) -> int:
    """Add one attempt to this window's counter and return the new count.

    One upsert, so that two workers counting the same key at once cannot both insert.
    """
    now = time.time()
    window = window_of(seconds, now)
    values = {"last_at": int(now), "expires_at": (window + 1) * seconds}
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(RateCounter).values(key=_key(key), window=window, count=1, **values)
    statement = statement.on_conflict_do_update(
        index_elements=["key", "window"], set_={"count": RateCounter.count + 1, **values}
    )
    session.execute(statement)
    return count(session, key, seconds)


def retry_after(seconds: int) -> int:
    return int(seconds - time.time() % seconds) + 1


def prune(session: Session) -> int:
    """Delete the counters whose window is over; how many."""
    result = session.execute(delete(RateCounter).where(RateCounter.expires_at < int(time.time())))
    return result.rowcount or 0
