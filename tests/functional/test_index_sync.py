"""The index follows the database: every change, every failure, every instance."""

import multiprocessing
import os
import re
import signal
import threading
import time
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from repository.app import create_app
from repository.cli import main
from repository.db import Database
from repository.indexing import IndexSync, IndexWorker
from repository.models import Practice
from repository.practices import services
from repository.practices.validation import validate_record
from search import IndexBusy, SearchIndex, SearchParams
from tests.conftest import add_practices, record


@pytest.fixture
def sync(db, tmp_path):
    index = SearchIndex(tmp_path / "index")
    sync = IndexSync(db, index)
    sync.repair()
    yield sync
    index.close()


def found(sync, q="") -> set[int]:
    return set(sync.index.search(SearchParams(q=q, per_page=100)).ids)


def assert_equal_to_database(sync):
    assert not sync.drift()
    assert found(sync) == set(sync.published_versions())


def change(db, practice_id, **fields):
    with db.write() as session:
        practice = session.get(Practice, practice_id)
        from repository.practices.documents import to_record

        clean, errors = validate_record({**to_record(practice), **fields})
        assert not errors
        services.save_practice(session, clean)


def test_every_change_to_a_public_document_reaches_the_index(db, sync):
    first, second = add_practices(db, record(title="Alpha hotline"), record(title="Beta shelter"))
    sync.catch_up()
    assert found(sync, "alpha") == {first}
    change(db, first, title="Gamma hotline")  # edit of a published practice
    sync.catch_up()
    assert found(sync, "alpha") == set() and found(sync, "gamma") == {first}
    change(db, first, status="archived")
    change(db, second, status="draft")  # unpublish
    sync.catch_up()
    assert found(sync) == set()
    change(db, second, status="published")
    sync.catch_up()
    assert found(sync) == {second}
    with db.write() as session:
        services.delete_practice(session, second)
    sync.catch_up()
    assert found(sync) == set()
    assert_equal_to_database(sync)


def stored_vector_keys(sync) -> set[int]:
    import sqlite3

    with sqlite3.connect(sync.index.vector_cache().path) as connection:
        return {row[0] for row in connection.execute("SELECT key FROM vectors")}


def indexed_vector_keys(sync) -> set[int]:
    searcher, _snapshot = sync.index._fresh()
    return {int(s["vkey"]) for _d, s in searcher.reader().iter_docs() if s.get("vkey")}


def test_vectors_exist_for_published_practices_only_and_follow_them(db, sync):
    _first, second = add_practices(db, record(title="Alpha hotline"), record(title="Beta shelter"))
    add_practices(db, record(title="Quokka draft", status="draft"))
    sync.catch_up()
    assert len(stored_vector_keys(sync)) == 2 == len(indexed_vector_keys(sync))
    assert stored_vector_keys(sync) == indexed_vector_keys(sync)
    change(db, second, status="draft")  # unpublished: its vectors go
    sync.catch_up()
    assert (
        stored_vector_keys(sync) == indexed_vector_keys(sync)
        and len(indexed_vector_keys(sync)) == 1
    )
    sync.rebuild()  # a rebuild keeps exactly what the published practices need
    assert stored_vector_keys(sync) == indexed_vector_keys(sync)


def test_applying_is_idempotent_and_records_the_last_entry(db, sync):
    add_practices(db, record(), record(title="Other"))
    assert sync.catch_up() == 2
    assert sync.catch_up() == 0
    assert sync.index.applied_seq() == sync.latest_seq()


def damage_delete(index):
    import shutil

    shutil.rmtree(index.root)


def damage_truncate_toc(index):
    directory = index.current_dir()
    toc = next(p for p in directory.iterdir() if p.name.endswith(".toc"))
    toc.write_bytes(toc.read_bytes()[:10])


def damage_zero_segment(index):
    directory = index.current_dir()
    segment = max(
        (p for p in directory.iterdir() if p.suffix == ".seg"), key=lambda p: p.stat().st_size
    )
    data = bytearray(segment.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = bytes(min(4096, len(data) - middle))
    segment.write_bytes(bytes(data))


def damage_garbage(index):
    for path in index.current_dir().iterdir():
        if path.suffix in (".seg", ".toc"):
            path.write_bytes(b"not an index at all")


@pytest.mark.parametrize(
    "damage", [damage_delete, damage_truncate_toc, damage_zero_segment, damage_garbage]
)
def test_a_missing_or_damaged_index_is_rebuilt_from_the_database(db, tmp_path, damage):
    add_practices(db, *[record(title=f"Practice {i}") for i in range(30)])
    index = SearchIndex(tmp_path / "index")
    sync = IndexSync(db, index)
    sync.rebuild()
    damage(index)
    index.close()
    fresh = SearchIndex(tmp_path / "index")  # as after a restart
    sync = IndexSync(db, fresh)
    sync.repair()
    assert_equal_to_database(sync)
    assert len(found(sync, "practice")) == 30


def test_drift_is_found_and_repaired(db, sync):
    ids = add_practices(db, record(), record(title="Second"))
    sync.catch_up()
    sync.index.apply([], [ids[0]], sync.index.applied_seq())  # the index loses a document
    drift = sync.drift()
    assert drift.missing == [ids[0]]
    sync.repair()
    assert_equal_to_database(sync)


def writer_loop(url: str, index_dir: str) -> None:
    """Applies the outbox again and again from scratch, until killed."""
    database = Database(url)
    index = SearchIndex(index_dir)
    sync = IndexSync(database, index)
    while True:
        try:
            sync.rebuild()
            index.apply(list(sync._documents()), [], 0)
        except IndexBusy:
            pass


@pytest.mark.slow
def test_a_writer_killed_mid_write_never_breaks_the_index(db, database_url, tmp_path):
    add_practices(
        db, *[record(title=f"Practice {i}", summary=" ".join(["words"] * 50)) for i in range(60)]
    )
    index_dir = tmp_path / "index"
    context = multiprocessing.get_context("spawn")
    for round_ in range(10):
        process = context.Process(target=writer_loop, args=(database_url, str(index_dir)))
        process.start()
        time.sleep(0.3 + 0.17 * (round_ % 4))
        os.kill(process.pid, signal.SIGKILL)
        process.join()
    sync = IndexSync(db, SearchIndex(index_dir))
    sync.repair()
    assert_equal_to_database(sync)
    sync.index.apply([], [], 0)  # and a writer can still take the lock


def test_two_instances_on_one_database_converge(db, settings, tmp_path):
    apps = [
        create_app(replace(settings, index_dir=tmp_path / f"index-{n}"), database=db)
        for n in (1, 2)
    ]
    for app in apps:
        app.state.index_sync.repair()
    ids = add_practices(db, record(title="Shared practice"))
    change(db, ids[0], title="Shared practice renamed")
    for app in apps:
        app.state.index_sync.catch_up()
        assert set(app.state.index.search(SearchParams(q="renamed")).ids) == set(ids)
        assert not app.state.index_sync.drift()
    with db.write() as session:
        services.delete_practice(session, ids[0])
    for app in apps:
        app.state.index_sync.catch_up()
        assert app.state.index.search(SearchParams()).total == 0
    assert apps[0].state.index.root != apps[1].state.index.root


def test_a_foreign_lock_holder_never_breaks_searching(db, sync):
    ids = add_practices(db, record(title="Locked out"))
    ix = __import__("whoosh.index", fromlist=["open_dir"]).open_dir(str(sync.index.current_dir()))
    foreign = ix.writer()  # another process's writer holding the lock
    try:
        with pytest.raises(IndexBusy):
            sync.catch_up()
        assert found(sync) == set()  # searching still answers
        skipped = threading.Event()
        real_catch_up = sync.catch_up

        def watched_catch_up():
            try:
                return real_catch_up()
            except IndexBusy:
                skipped.set()
                raise

        sync.catch_up = watched_catch_up
        worker = IndexWorker(sync, interval=0.05)
        worker.start()
        assert skipped.wait(10), "the worker never tried while the lock was held"
        assert worker._thread.is_alive()  # it skipped the busy index and carries on
        worker.stop()
        del sync.catch_up
    finally:
        foreign.cancel()
        ix.close()
    sync.catch_up()
    assert found(sync) == set(ids)


def test_the_background_writer_applies_a_publish_promptly(db, sync):
    worker = IndexWorker(sync, interval=0.1)
    worker.start()
    try:
        ids = add_practices(db, record(title="Freshly published"))
        worker.notify()
        deadline = time.monotonic() + 10
        while found(sync, "freshly") != set(ids):
            assert time.monotonic() < deadline, "not searchable after 10 s"
            time.sleep(0.05)
    finally:
        worker.stop()


def test_check_index_and_reindex_commands(db, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICES_DATABASE_URL", database_url)
    monkeypatch.setenv("PRACTICES_INDEX_DIR", str(tmp_path / "cli-index"))
    runner = CliRunner()
    missing = runner.invoke(main, ["check-index"])
    assert missing.exit_code == 1 and "reindex" in missing.output
    add_practices(db, record(), record(title="Two"))
    rebuilt = runner.invoke(main, ["reindex"])
    assert rebuilt.exit_code == 0 and "indexed 2 published practices" in rebuilt.output
    # The progress bar: how far, the rate, time spent and time left ("[00:00<00:00").
    assert re.search(r"2/2 \[\d\d:\d\d<\d\d:\d\d, *[\d.]+ *practice/s\]", rebuilt.stderr)
    assert runner.invoke(main, ["check-index"]).exit_code == 0
    with db.write() as session:
        first = session.scalars(select(Practice.id)).first()
        session.get(Practice, first).status = "archived"  # behind the outbox's back
    drifted = runner.invoke(main, ["check-index"])
    assert drifted.exit_code == 1 and "extra" in drifted.output


def index_content(index) -> dict:
    """What a reader gets back from an index: every document's stored fields, and the
    results, totals and facet counts of a few searches."""
    snapshot = index._fresh()[1]
    stored = {int(fields["id"]): fields for _docnum, fields in snapshot.reader.iter_docs()}
    searches = {}
    for q in ("", "hotline", "shelter OR hotline", '"legal aid"', "police"):
        result = index.search(SearchParams(q=q, per_page=100))
        searches[q] = (sorted(result.ids), result.total, result.facets)
    return {"stored": stored, "searches": searches}


def test_a_rebuild_in_parallel_processes_gives_the_same_index(db, tmp_path, monkeypatch):
    titles = ["Alpha hotline", "Beta shelter", "Police training", "Legal aid clinic"]
    add_practices(db, *(record(title=f"{titles[n % 4]} {n}") for n in range(24)))
    add_practices(db, record(title="Hidden hotline draft", status="draft"))
    serial = IndexSync(db, SearchIndex(tmp_path / "serial"))
    monkeypatch.setenv("PRACTICES_REINDEX_PROCESSES", "1")
    assert serial._parts() is None
    assert serial.rebuild() == 24
    monkeypatch.setenv("PRACTICES_REINDEX_PROCESSES", "3")
    monkeypatch.setattr("repository.indexing.PARALLEL_MIN", 5)
    monkeypatch.setattr("search.engine.SEGMENT_DOCS", 4)  # several segments per process too
    monkeypatch.setattr("search.engine.EMBED_BATCH", 2)
    parallel = IndexSync(db, SearchIndex(tmp_path / "parallel"))
    assert len(parallel._parts()) == 3
    reported = []
    assert parallel.rebuild(progress=reported.append) == 24
    assert sum(reported) == 24  # the progress bar hears from every process
    assert len(parallel.index._fresh()[1].reader.leaf_readers()) > 3
    assert index_content(parallel.index) == index_content(serial.index)
    assert not parallel.drift()
    assert_equal_to_database(parallel)
    serial.index.close()
    parallel.index.close()


def test_a_failing_process_fails_the_rebuild_and_keeps_the_index(db, tmp_path, monkeypatch):
    add_practices(db, *(record(title=f"Alpha hotline {n}") for n in range(12)))
    sync = IndexSync(db, SearchIndex(tmp_path / "index"))
    sync.rebuild()
    before = sync.index.current_dir()
    monkeypatch.setenv("PRACTICES_REINDEX_PROCESSES", "2")
    monkeypatch.setattr("repository.indexing.PARALLEL_MIN", 5)

    part = IndexSync._part

    def broken(self, after, up_to):
        yield from part(self, after, up_to)
        if up_to is None:
            raise ValueError("the database went away")

    monkeypatch.setattr(IndexSync, "_part", broken)
    with pytest.raises(RuntimeError, match="the database went away"):
        sync.rebuild()
    assert sync.index.current_dir() == before
    assert [p.name for p in sync.index.root.glob("gen-*")] == [before.name]
    assert found(sync, "alpha") and not sync.drift()
    sync.index.close()


class Renamed:
    """The real sentence model under another name, as after PRACTICES_SEMANTIC changes."""

    def __init__(self, model, name: str):
        self.model, self.name, self.dim = model, name, model.dim

    def passages(self, texts):
        return self.model.passages(texts)

    def query(self, text):
        return self.model.query(text)


def test_an_index_embedded_by_another_model_is_embedded_again_at_start_up(db, tmp_path, caplog):
    from search import semantic

    model = semantic.load()
    (practice,) = add_practices(
        db, record(title="Hotline for fishermen held on boats at sea", summary="Crew call it.")
    )
    before = SearchIndex(tmp_path / "index", embedder=model)
    IndexSync(db, before).repair()
    before.close()

    # The operator chooses another model: its cache holds none of the index's vectors.
    after = SearchIndex(tmp_path / "index", embedder=Renamed(model, "another-model"))
    assert after.built_with_other_model() == model.name
    with caplog.at_level("WARNING", logger="repository.indexing"):
        IndexSync(db, after).repair()
    assert "another sentence model" in caplog.text
    assert after.built_with_other_model() is None
    # Found by meaning again: the Spanish words share none with the practice.
    q = "teléfono de ayuda para marineros retenidos en barcos"
    assert practice in after.search(SearchParams(q=q)).ids
    after.close()


def test_building_the_index_at_start_up_says_how_far_it_has_got(db, tmp_path, monkeypatch, caplog):
    """A first embedding of the collection takes minutes (the seed's, about three with the
    default models): the log says how many practices are done, rather than nothing."""
    import logging

    from repository import indexing

    add_practices(db, *(record(title=f"Shelter programme {n}") for n in range(3)))
    monkeypatch.setattr(indexing.logged_progress, "__defaults__", (0.0,))  # every step
    index = SearchIndex(tmp_path / "index", embedder=None)
    try:
        with caplog.at_level(logging.INFO, logger="repository.indexing"):
            IndexSync(db, index).repair()
        assert "no search index yet" in caplog.text
        assert "3 practices embedded and indexed so far" in caplog.text
    finally:
        index.close()
