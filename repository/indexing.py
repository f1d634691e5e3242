"""Keeping the search index in step with the database, which is the truth.

Every change to a practice's public document writes an outbox entry in the same transaction
(repository.practices.services.queue_index_change). After commit, one writer at a time applies
pending entries: it reads each practice's *current* state, so applying an entry twice, or late,
is harmless. Each index directory records the last entry it applied, so every app server can keep
its own index and catch up from the shared database.
"""

import fcntl
import functools
import itertools
import logging
import os
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from repository import outbox
from repository.db import Database
from repository.models import IndexOutbox, Practice
from repository.practices.documents import index_document
from search import IndexBusy, IndexUnavailable, SearchIndex

log = logging.getLogger(__name__)
BATCH = 500
# A rebuild writes one segment per process, each with at least this many practices.
PARALLEL_MIN = 2_000
PROCESSES_SETTING = "PRACTICES_REINDEX_PROCESSES"
PROGRESS_SECONDS = 10.0  # between two lines of a rebuild's progress in the log


def rebuild_processes(environ=os.environ) -> int:
    """Processes writing a full rebuild: PRACTICES_REINDEX_PROCESSES, else one per core."""
    try:
        return max(1, int(environ.get(PROCESSES_SETTING) or os.cpu_count() or 1))
    except ValueError:
        return 1


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

    def _documents(
        self, ids: list[int] | None = None, after: int = 0, up_to: int | None = None
    ) -> Iterator[dict]:
        """Public documents of published practices, by id, in batches (all when ids is None;
        those with ids in (after, up_to] with those)."""
        last = after
        while True:
            with self.db.read() as session:
                query = select(Practice).where(Practice.status == "published", Practice.id > last)
                if ids is not None:
                    query = query.where(Practice.id.in_(ids))
                if up_to is not None:
                    query = query.where(Practice.id <= up_to)
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
        """Apply every pending outbox entry; return how many. Raises IndexBusy if locked.

        An index behind the last pruned entry has missed changes that are gone from the
        outbox: it is rebuilt from the database instead."""
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
                # Read after the entries: a prune that removed any of them is seen here.
                pruned = outbox.pruned_through(session)
            if after < pruned:
                log.warning(
                    "this index stopped at outbox entry %d, and entries up to %d were pruned "
                    "while this node was away: rebuilding it from the database",
                    after,
                    pruned,
                )
                return self.rebuild(wait=False) + 1
            if not entries:
                return applied
            ids = sorted({practice_id for _, practice_id in entries})
            documents = list(self._documents(ids))
            deletes = set(ids) - {d["id"] for d in documents}
            self.index.apply(documents, deletes, entries[-1].seq)
            applied += len(entries)

    @contextmanager
    def _rebuild_lock(self, wait: bool):
        """One rebuild at a time across processes (several workers may start together)."""
        self.index.root.mkdir(parents=True, exist_ok=True)
        with open(self.index.root / "rebuild.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as error:
                raise IndexBusy("another process is rebuilding the index") from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def rebuild(self, progress=None, wait: bool = True) -> int:
        """Build a fresh index from the database and swap it in; return the document count.

        With `wait` False, IndexBusy at once if another process holds a lock (the app never
        waits on one: its background writer tries again)."""
        with self._rebuild_lock(wait):
            # Entries written after this point are applied by the next catch-up.
            seq = self.latest_seq()
            count = self.index.rebuild(
                self._documents(), seq, progress, wait=wait, parts=self._parts()
            )
        log.info("search index rebuilt with %d practices", count)
        return count

    def _parts(self) -> list | None:
        """The published practices in one id range per process for a parallel rebuild, each
        read from the database in batches by its own process; None when one process will do
        (a small collection, or an in-memory database another process cannot open)."""
        processes = rebuild_processes()
        if processes < 2 or self.db.engine.url.database in (None, "", ":memory:"):
            return None
        with self.db.read() as session:
            ids = session.scalars(
                select(Practice.id).where(Practice.status == "published").order_by(Practice.id)
            ).all()
        processes = min(processes, len(ids) // PARALLEL_MIN)
        if processes < 2:
            return None
        bounds = [0] + [ids[len(ids) * n // processes - 1] for n in range(1, processes)] + [None]
        return [
            functools.partial(self._part, after, up_to)
            for after, up_to in itertools.pairwise(bounds)
        ]

    def _part(self, after: int, up_to: int | None) -> Iterator[dict]:
        """In the forked process that indexes this part: connections of the parent's pool
        must not be shared across the fork, so this process opens its own."""
        self.db.engine.dispose(close=False)
        yield from self._documents(after=after, up_to=up_to)

    def drift(self) -> Drift:
        """Compare the index with the database (not trusting the index to know it is damaged)."""
        expected = self.published_versions()
        indexed = self.index.document_versions()
        return Drift(
            missing=sorted(set(expected) - set(indexed)),
            extra=sorted(set(indexed) - set(expected)),
            stale=sorted(i for i in set(expected) & set(indexed) if expected[i] != indexed[i]),
        )

    def repair(self, wait: bool = True) -> Drift:
        """Make the index equal to the database; rebuild it when it is missing, unreadable or
        its files differ from what was committed (every file hashed again).

        Raises IndexBusy when another writer holds the lock and `wait` is False."""
        if self.index.current_dir() is None:
            log.info("no search index yet: building it from the database")
            self.rebuild(progress=logged_progress(), wait=wait)
            return Drift()
        try:
            if not self.index.exists():
                raise IndexUnavailable("no readable index")
            self.index.verify()
            other = self.index.built_with_other_model()
            if other is not None:  # PRACTICES_SEMANTIC changed: embed everything again
                raise IndexUnavailable(f"its vectors are of another sentence model, {other}")
            self.index.complete_vector_files()
            self.catch_up()
            drift = self.drift()
        except IndexBusy:
            raise
        except Exception as error:  # IndexUnavailable, or Whoosh failing on damaged files
            log.warning("search index unusable (%s): rebuilding from the database", error)
            self.rebuild(progress=logged_progress(), wait=wait)
            return Drift()
        if drift:
            log.warning("search index drifted from the database (%s): repairing", drift)
            ids = drift.missing + drift.stale
            self.index.apply(list(self._documents(ids)), drift.extra, self.index.applied_seq())
        return drift


def logged_progress(every: float = PROGRESS_SECONDS):
    """A rebuild's progress for the log, at most one line every `every` seconds: a first
    embedding of the collection takes minutes (the seed's, about three), and a server that
    says nothing meanwhile looks stuck."""
    state = {"done": 0, "said": time.monotonic()}

    def step(count: int) -> None:
        state["done"] += count
        if time.monotonic() - state["said"] >= every:
            state["said"] = time.monotonic()
            log.info("search index: %d practices embedded and indexed so far", state["done"])

    return step


class IndexWorker:
    """The app's background writer: applies the outbox when told, and every few seconds.

    It never stops the process: a held lock is waited out round after round, and a failure
    starts a repair at once (a rebuild when the files are damaged) rather than at the next
    periodic check. Until a round succeeds again, `problem` says what is wrong, for /readyz.
    """

    def __init__(
        self,
        sync: IndexSync,
        interval: float = 1.0,
        check_every: float = 300.0,
        chores: tuple = (),
        repair_first: bool = False,
    ):
        self.sync = sync
        # Small periodic jobs that belong off the request path (writing missed searches).
        self.chores = chores
        self.interval = interval
        self.check_every = check_every
        # True when start-up could not repair the index (another writer held the lock).
        self._repair_due = repair_first
        self.problem: str | None = None
        self.failing_since: float | None = None
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
            if waited >= self.check_every:
                waited, self._repair_due = 0.0, True
            self.run_once()
            for chore in self.chores:
                try:
                    chore()
                except Exception:
                    log.exception("a background chore failed; will retry")

    def run_once(self) -> None:
        """One round: repair when due (or when a reader found damage), else apply the outbox."""
        try:
            try:
                if self._repair_due or self.sync.index.damage:
                    self.sync.repair(wait=False)
                    self.sync.index.warm()
                elif self.sync.catch_up():
                    self.sync.index.warm()
            except IndexBusy:
                raise
            except Exception as error:
                # Whatever made applying fail (a damaged or missing segment, a bad directory),
                # repair now: waiting for the periodic check left searches wrong for minutes.
                log.warning("applying index changes failed (%r): repairing the index now", error)
                self.sync.repair(wait=False)
                self.sync.index.warm()
        except IndexBusy:
            # Another writer has the lock; it applies the same entries, or this one does next
            # round. Only a repair that is still due counts as not done.
            return
        except Exception as error:
            log.exception("repairing the search index failed; will retry")
            self._repair_due = True
            self.failing_since = self.failing_since or time.monotonic()
            self.problem = f"{type(error).__name__}: {str(error)[:200]}"
            self._stop.wait(self.interval)  # not a busy loop when the repair keeps failing
            return
        self._repair_due = False
        self.problem = self.failing_since = None


def start_up_repair(sync: IndexSync) -> bool:
    """Repair at start-up without waiting on a lock; False when another writer held it."""
    try:
        sync.repair(wait=False)
    except IndexBusy:
        log.warning(
            "another writer holds the search index lock: serving now, the index writer "
            "repairs and catches up once it is free"
        )
        return False
    return True


def check_permissions(root: Path) -> None:
    """Refuse an index directory that another user could write to.

    Whoosh's segments and table of contents hold Python pickles: writing one of them is running
    code as this application. So the directory, everything in it and the directory holding it
    must be this user's alone to write (a sticky parent such as /tmp is fine)."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    me = os.geteuid()
    parent = root.resolve().parent.stat()
    if parent.st_mode & 0o002 and not parent.st_mode & stat.S_ISVTX:
        raise RuntimeError(
            f"{root.resolve().parent} is writable by every user: move PRACTICES_INDEX_DIR into "
            "a directory only the application's user can write to"
        )
    for path in (root, *root.rglob("*")):
        info = path.lstat()
        if info.st_uid != me or (not stat.S_ISLNK(info.st_mode) and info.st_mode & 0o022):
            raise RuntimeError(
                f"{path} is writable by others or not owned by this user: the index holds "
                f"pickles, so run 'chown -R {me} {root}' and 'chmod -R go-w {root}'"
            )
