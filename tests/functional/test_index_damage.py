"""Damage to the index files is found before it is trusted, by writers and readers alike, and
repaired at the first failure (issue 10, items 1 and 6)."""

import fcntl
import time
from dataclasses import replace

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from repository.app import create_app
from repository.cli import main
from repository.indexing import IndexSync, IndexWorker
from search import IndexUnavailable, SearchIndex, SearchParams
from tests.conftest import add_practices, record

PRACTICES = 40


def largest_segment(index):
    return max(
        (p for p in index.current_dir().iterdir() if p.suffix == ".seg"),
        key=lambda p: p.stat().st_size,
    )


def zero_4k(index):
    """What `dd if=/dev/zero conv=notrunc` does: same size, 4 KB of zeros in the middle."""
    segment = largest_segment(index)
    with open(segment, "r+b") as handle:
        handle.seek(segment.stat().st_size // 2)
        handle.write(bytes(4096))


def delete_segment(index):
    largest_segment(index).unlink()


def zero_arrays(index):
    """The same done to the ids the writer derived from the segment (search.segments)."""
    path = max(index.current_dir().glob("arr-*.numbers.npy"), key=lambda p: p.stat().st_size)
    with open(path, "r+b") as handle:
        handle.seek(128)  # past the .npy header
        handle.write(bytes(256))


@pytest.fixture
def built(db, tmp_path):
    ids = add_practices(
        db,
        *[
            record(title=f"Practice {i} on trafficking", summary=" ".join(["police"] * 20))
            for i in range(PRACTICES)
        ],
    )
    sync = IndexSync(db, SearchIndex(tmp_path / "index"))
    sync.rebuild()
    yield sync, ids
    sync.index.close()


def found(index, q="trafficking") -> set[int]:
    return set(index.search(SearchParams(q=q, per_page=100)).ids)


@pytest.mark.parametrize("damage", [zero_4k, delete_segment, zero_arrays])
def test_a_publish_after_damage_does_not_record_the_damage_as_good(db, tmp_path, built, damage):
    sync, ids = built
    damage(sync.index)
    add_practices(db, record(title="Published after the damage on trafficking"))
    with pytest.raises(IndexUnavailable, match="damaged"):
        sync.catch_up()
    # As after a restart: a new process still sees the damage, and repairs it.
    restarted = IndexSync(db, SearchIndex(tmp_path / "index"))
    with pytest.raises(IndexUnavailable, match="differ from the last commit"):
        restarted.index.verify()
    restarted.repair()
    assert len(found(restarted.index)) == PRACTICES + 1
    assert found(restarted.index, "police") == set(ids)
    restarted.index.close()


@pytest.mark.parametrize("damage", [zero_4k, delete_segment, zero_arrays])
def test_a_reader_never_answers_from_a_damaged_segment(built, damage):
    sync, ids = built
    assert found(sync.index) == set(ids)  # a searcher is open on the files
    damage(sync.index)
    time.sleep(0.1)  # past the reader's freshness interval
    with pytest.raises(IndexUnavailable):
        found(sync.index)
    assert sync.index.damage
    worker = IndexWorker(sync)
    worker.run_once()  # what the background writer does when woken
    assert found(sync.index) == set(ids) and found(sync.index, "police") == set(ids)
    assert sync.index.damage is None and worker.problem is None


def test_the_writer_repairs_at_the_first_failure_not_at_the_periodic_check(db, built):
    sync, _ids = built
    delete_segment(sync.index)
    sync.index.close()  # nothing open: only the writer can notice
    (new,) = add_practices(db, record(title="Searchable at once on trafficking"))
    worker = IndexWorker(sync, interval=0.1, check_every=3600)
    worker.start()
    try:
        worker.notify()
        deadline = time.monotonic() + 15
        while True:
            try:
                if new in found(sync.index):
                    break
            except IndexUnavailable:
                pass
            assert time.monotonic() < deadline, "not repaired within 15 s"
            time.sleep(0.1)
    finally:
        worker.stop()
    assert len(found(sync.index)) == PRACTICES + 1


def test_readyz_shows_a_failing_writer(settings, db, monkeypatch):
    add_practices(db, record())
    app = create_app(replace(settings, index_poll_seconds=0.1), database=db)
    with TestClient(app, base_url="https://testserver") as client:
        assert client.get("/readyz").status_code == 200
        worker = app.state.index_worker

        def broken(*args, **kwargs):
            raise OSError("No space left on device")

        monkeypatch.setattr(app.state.index_sync, "catch_up", broken)
        monkeypatch.setattr(app.state.index_sync, "rebuild", broken)
        monkeypatch.setattr(app.state.index_sync.index, "verify", broken)
        deadline = time.monotonic() + 10
        while worker.problem is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "writer failing" in ready.json()["checks"]["index"]
        assert "No space left" in ready.json()["checks"]["index"]
        monkeypatch.undo()
        deadline = time.monotonic() + 10
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the writer did not recover"
            time.sleep(0.1)


def test_check_index_hashes_the_files(db, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICES_DATABASE_URL", database_url)
    monkeypatch.setenv("PRACTICES_INDEX_DIR", str(tmp_path / "cli-index"))
    add_practices(db, *[record(title=f"Practice {i}") for i in range(PRACTICES)])
    runner = CliRunner()
    assert runner.invoke(main, ["reindex"]).exit_code == 0
    assert runner.invoke(main, ["check-index"]).exit_code == 0
    zero_4k(SearchIndex(tmp_path / "cli-index"))
    damaged = runner.invoke(main, ["check-index"])
    assert damaged.exit_code == 1 and "differ from the last commit" in damaged.output


def test_start_up_with_the_index_lock_held_serves_and_catches_up_later(settings, db):
    """Start-up once failed with IndexBusy, and uvicorn stopped every worker (item 1)."""
    add_practices(db, record(title="Indexed before"))
    index_dir = settings.index_dir
    IndexSync(db, SearchIndex(index_dir)).rebuild()
    (pending,) = add_practices(db, record(title="Pending outbox row"))
    with open(index_dir / "writer.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as `flock writer.lock` in another process
        app = create_app(replace(settings, index_poll_seconds=0.1), database=db)
        with TestClient(app, base_url="https://testserver") as client:
            assert client.get("/healthz").status_code == 200
            assert client.get("/api/search?q=before").json()["total"] == 1
            time.sleep(0.5)
            assert app.state.index_worker._thread.is_alive()
            fcntl.flock(lock, fcntl.LOCK_UN)
            deadline = time.monotonic() + 10
            while client.get("/api/search?q=pending").json()["total"] != 1:
                assert time.monotonic() < deadline, "the pending row was never applied"
                time.sleep(0.1)
            assert pending in [
                r["id"] for r in client.get("/api/search?q=pending").json()["results"]
            ]


@pytest.mark.parametrize("mode", [0o777, 0o775])
def test_an_index_directory_others_can_write_is_refused_at_start_up(settings, db, mode):
    """Whoosh segments hold pickles: writing one is running code as the app (item 15)."""
    settings.index_dir.mkdir()
    settings.index_dir.chmod(mode)
    app = create_app(settings, database=db)
    with (
        pytest.raises(RuntimeError, match="writable by others"),
        TestClient(app, base_url="https://testserver"),
    ):
        pass
    settings.index_dir.chmod(0o755)
    with TestClient(create_app(settings, database=db), base_url="https://testserver") as client:
        assert client.get("/readyz").status_code == 200


def test_commits_while_reading_are_never_taken_for_damage(db, built):
    """A reader checks files without a lock: new segments appearing and merged ones going
    while another writer commits must not look like damage (it would stop search with 503s
    and rebuild for nothing)."""
    import threading

    sync, ids = built
    stop, errors = threading.Event(), []

    def keep_committing():
        n = 0
        while not stop.is_set():
            add_practices(db, record(title=f"Committed while reading {n} trafficking"))
            sync.catch_up()
            n += 1

    writer = threading.Thread(target=keep_committing)
    writer.start()
    reader = SearchIndex(sync.index.root)  # another process's view: its own digests and searcher
    try:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            reader.mark_stale()
            try:
                # The first practices' own word: over 100 new ones match "trafficking" on a
                # fast machine, and a page of 100 then need not hold the first ones.
                assert set(ids) <= found(reader, "police")
            except IndexUnavailable as error:
                errors.append(str(error))
    finally:
        stop.set()
        writer.join()
        reader.close()
    assert errors == [] and reader.damage is None


def test_a_segment_being_written_is_not_damage_to_a_reader(built):
    """Mid-commit, a writer's new segment is on disk before its table of contents and
    manifest: a reader that counted it as damage stopped search (seen as a flaky test)."""
    sync, ids = built
    directory = sync.index.current_dir()
    reader = SearchIndex(sync.index.root)
    with open(sync.index.root / "writer.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the writer at work
        in_progress = directory / "MAIN_beingwritten.seg"
        in_progress.write_bytes(b"half of a new segment")
        try:
            assert found(reader) == set(ids) and reader.damage is None
            reader.verify()  # the periodic check does not take it for damage either
        finally:
            reader.close()
            fcntl.flock(lock, fcntl.LOCK_UN)
    # With no writer at work, the same file is a killed writer's leftover: rebuilt.
    with pytest.raises(IndexUnavailable, match="unexpected"):
        SearchIndex(sync.index.root).verify()
    in_progress.unlink()


def test_a_writer_killed_before_its_manifest_leaves_an_index_that_is_rebuilt(db, tmp_path, built):
    """Whoosh committed, the manifest was not written (kill -9 in between): with no writer at
    work, that is damage to rebuild, not a commit to wait for."""
    import json

    sync, _ids = built
    manifest_file = sync.index.current_dir() / "manifest.json"
    before = manifest_file.read_text()
    add_practices(db, record(title="Committed just before the kill on trafficking"))
    sync.catch_up()
    assert json.loads(manifest_file.read_text())["toc"] != json.loads(before)["toc"]
    manifest_file.write_text(before)  # as if the process died before writing the new one
    restarted = IndexSync(db, SearchIndex(tmp_path / "index"))
    with pytest.raises(IndexUnavailable, match="did not record"):
        restarted.index.verify()
    restarted.repair()
    assert len(found(restarted.index)) == PRACTICES + 1
    restarted.index.close()
