"""Keeping the search index in step with the database, which is the truth.

Every change to a practice's public document writes an outbox entry in the same transaction
(repository.practices.services.queue_index_change). After commit, one writer at a time applies
pending entries: it reads each practice's *current* state, so applying an entry twice, or late,
is harmless. Each index directory records the last entry it applied, so every app server can keep
its own index and catch up from the shared database.
"""

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import func, select

from repository.db import Database
from repository.models import IndexOutbox, Practice
from repository.practices.documents import index_document
from search import IndexBusy, IndexUnavailable, SearchIndex

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class Drift:
    missing: list[int] = field(default_factory=list)  # published, not in the index
    extra: list[int] = field(default_factory=list)  # in the index, not published
    stale: list[int] = field(default_factory=list)  # indexed at another version

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.stale)

    def __str__(self) -> str:
        return (
            f"{len(self.missing)} missing, {len(self.extra)} not published, "
            f"{len(self.stale)} out of date"
        )


class IndexSync:
    def __init__(self, db: Database, index: SearchIndex):
        self.db = db
        self.index = index

    # -- reading the database --------------------------------------------------------------

    def _documents(self, ids: list[int] | None = None) -> Iterator[dict]:
        """Public documents of published practices, by id, in batches (all when ids is None)."""
        last = 0
        while True:
            with self.db.read() as session:
                query = select(Practice).where(Practice.status == "published", Practice.id > last)
                if ids is not None:
                    query = query.where(Practice.id.in_(ids))
                practices = session.scalars(query.order_by(Practice.id).limit(BATCH)).unique().all()
                documents = [index_document(p) for p in practices]
            if not documents:
                return
            yield from documents
            last = documents[-1]["id"]

    def published_versions(self) -> dict[int, str]:
        with self.db.read() as session:
            rows = session.execute(
                select(Practice.id, Practice.updated_at).where(Practice.status == "published")
            ).all()
        return {practice_id: updated.isoformat() for practice_id, updated in rows}

    def latest_seq(self) -> int:
        with self.db.read() as session:
            return session.scalar(select(func.coalesce(func.max(IndexOutbox.seq), 0)))

    # -- writing the index -----------------------------------------------------------------

    def catch_up(self) -> int:
        """Apply every pending outbox entry; return how many. Raises IndexBusy if locked."""
        applied = 0
        while True:
            after = self.index.applied_seq()
            with self.db.read() as session:
                entries = session.execute(
                    select(IndexOutbox.seq, IndexOutbox.practice_id)
                    .where(IndexOutbox.seq > after)
                    .order_by(IndexOutbox.seq)
                    .limit(BATCH)
                ).all()
            if not entries:
                return applied
            ids = sorted({practice_id for _, practice_id in entries})
            documents = list(self._documents(ids))
            deletes = set(ids) - {d["id"] for d in documents}
            self.index.apply(documents, deletes, entries[-1].seq)
            applied += len(entries)

    @contextmanager
    def _rebuild_lock(self):
        """One rebuild at a time across processes (several workers may start together)."""
        self.index.root.mkdir(parents=True, exist_ok=True)
        with open(self.index.root / "rebuild.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def rebuild(self, progress=None) -> int:
        """Build a fresh index from the database and swap it in; return the document count."""
        with self._rebuild_lock():
            # Entries written after this point are applied by the next catch-up.
            seq = self.latest_seq()
            count = self.index.rebuild(self._documents(), seq, progress)
        log.info("search index rebuilt with %d practices", count)
        return count

    def drift(self) -> Drift:
        """Compare the index with the database (not trusting the index to know it is damaged)."""
        expected = self.published_versions()
        indexed = self.index.document_versions()
        return Drift(
            missing=sorted(set(expected) - set(indexed)),
            extra=sorted(set(indexed) - set(expected)),
            stale=sorted(i for i in set(expected) & set(indexed) if expected[i] != indexed[i]),
        )

    def repair(self) -> Drift:
        """Make the index equal to the database; rebuild it when it is missing or unreadable."""
        if self.index.current_dir() is None:
            log.info("no search index yet: building it from the database")
            self.rebuild()
            return Drift()
        try:
            if not self.index.exists():
                raise IndexUnavailable("no readable index")
            self.index.verify()
            self.catch_up()
            drift = self.drift()
        except IndexUnavailable as error:
            log.warning("search index unusable (%s): rebuilding from the database", error)
            self.rebuild()
            return Drift()
        if drift:
            log.warning("search index drifted from the database (%s): repairing", drift)
            ids = drift.missing + drift.stale
            self.index.apply(list(self._documents(ids)), drift.extra, self.index.applied_seq())
        return drift


class IndexWorker:
    """The app's background writer: applies the outbox when told, and every few seconds."""

    def __init__(
        self,
        sync: IndexSync,
        interval: float = 1.0,
        check_every: float = 300.0,
        chores: tuple = (),
    ):
        self.sync = sync
        # Small periodic jobs that belong off the request path (writing missed searches).
        self.chores = chores
        self.interval = interval
        self.check_every = check_every
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        waited = 0.0
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            waited += self.interval
            try:
                if waited >= self.check_every:
                    waited = 0.0
                    self.sync.repair()
                elif self.sync.catch_up():
                    self.sync.index.warm()
            except IndexBusy:
                pass  # another writer has the lock; it applies the same entries
            except IndexUnavailable:
                try:
                    self.sync.rebuild()
                except Exception:
                    log.exception("rebuilding the search index failed")
            except Exception:
                log.exception("applying index changes failed; will retry")
            for chore in self.chores:
                try:
                    chore()
                except Exception:
                    log.exception("a background chore failed; will retry")
