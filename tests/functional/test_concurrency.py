"""Several processes writing at once lose nothing.

SQLite: BEGIN IMMEDIATE; PostgreSQL: row locks (SELECT ... FOR UPDATE)."""

import multiprocessing

from sqlalchemy import func, select

from repository.db import Database
from repository.models import IndexOutbox, PracticeRevision, PracticeSource
from repository.practices import services
from tests.conftest import add_practices, record

PROCESSES = 4
ADDS_PER_PROCESS = 25


def add_sources(url: str, practice_id: int, worker: int, start) -> None:
    database = Database(url)
    start.wait()
    for n in range(ADDS_PER_PROCESS):
        with database.write() as session:
            services.add_source(
                session, practice_id, f"Source {worker}-{n}", f"https://example.org/{worker}/{n}"
            )
    database.dispose()


def test_concurrent_read_then_write_loses_no_update(db, database_url):
    (practice_id,) = add_practices(db, record(sources=[]))
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    workers = [
        context.Process(target=add_sources, args=(database_url, practice_id, w, start))
        for w in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    total = PROCESSES * ADDS_PER_PROCESS
    with db.read() as session:
        positions = session.scalars(
            select(PracticeSource.position).where(PracticeSource.practice_id == practice_id)
        ).all()
        revisions = session.scalar(select(func.count()).select_from(PracticeRevision))
        outbox = session.scalar(select(func.count()).select_from(IndexOutbox))
    # Every addition kept, each at its own position: nobody read a stale list.
    assert sorted(positions) == list(range(total))
    assert revisions == total + 1
    assert outbox == total + 1
