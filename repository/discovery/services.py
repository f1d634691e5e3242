"""Discovery's writes: searches that found nothing, counted for curators.

A miss is kept in memory and written in batches by the index worker's thread, so a public search
never opens a database write transaction (which on SQLite would queue behind curators' writes).
"""

import logging
import threading
from collections import Counter

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from repository.models import SearchMiss

log = logging.getLogger(__name__)
MAX_PENDING = 1_000  # distinct queries held between flushes; beyond it new ones are dropped


class MissLog:
    def __init__(self):
        self._pending: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, q: str) -> None:
        """Count a search that found nothing (the words only, lower-cased)."""
        words = " ".join(q.lower().split())[:200]
        if not words:
            return
        with self._lock:
            if words in self._pending or len(self._pending) < MAX_PENDING:
                self._pending[words] += 1

    def flush(self, db) -> int:
        """Write the pending counts in one transaction; returns how many queries were written."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return 0
        try:
            with db.write() as session:
                for words, count in pending.items():
                    changed = session.execute(
                        update(SearchMiss)
                        .where(SearchMiss.query == words)
                        .values(count=SearchMiss.count + count)
                    ).rowcount
                    if not changed:
                        session.add(SearchMiss(query=words, count=count))
        except SQLAlchemyError as error:
            # Counting misses must never break anything; the counts are a hint for curators.
            log.warning("could not record %d missed searches: %s", len(pending), error)
            return 0
        return len(pending)
