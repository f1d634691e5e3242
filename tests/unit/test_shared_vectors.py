"""The vector matrix as files the writer derives per segment and every worker maps read-only:
the same answers as a matrix in memory, files that follow the segments, damage caught."""

import numpy as np
import pytest

from search import IndexUnavailable, SearchIndex, SearchParams, integrity, vectors
from search.vectors import SHARED_SETTING
from tests.unit.test_search_engine import doc
from tests.unit.test_semantic import DOCS, MODEL

QUERIES = [
    "teléfono de ayuda para marineros retenidos en barcos",
    "refugio seguro para mujeres",
    "formation des juges sur la traite",
]


@pytest.fixture
def writer(tmp_path):
    vectors._MEMORY.clear()
    index = SearchIndex(tmp_path / "index", embedder=MODEL)
    index.rebuild(DOCS, seq=0)
    yield index
    index.close()


def worker(writer) -> SearchIndex:
    """Another process's view of the same index directory."""
    return SearchIndex(writer.root, embedder=MODEL)


def vector_files(index) -> set[str]:
    return {p.name for p in index.current_dir().glob("vec-*.npy")}


def segment_count(index) -> int:
    return len(index._fresh()[1].reader.leaf_readers())


def test_a_worker_maps_the_writers_files_and_answers_as_from_memory(writer, monkeypatch):
    mapped = worker(writer)
    answers = [mapped.search(SearchParams(q=q)).ids for q in QUERIES]
    table = mapped._fresh()[1].vectors
    assert table.parts and all(isinstance(p.rows, np.memmap) for p in table.parts)
    assert answers == [[1], [2], [3]]  # by meaning only: no word in common
    # Written by the writer, listed in the manifest like the segments.
    manifest = integrity.read_manifest(writer.current_dir())
    assert vector_files(writer) and vector_files(writer) <= set(manifest["files"])

    monkeypatch.setenv(SHARED_SETTING, "off")
    in_memory = worker(writer)
    assert [in_memory.search(SearchParams(q=q)).ids for q in QUERIES] == answers
    assert not any(isinstance(p.rows, np.memmap) for p in in_memory._fresh()[1].vectors.parts)
    mapped.close()
    in_memory.close()


def test_files_follow_the_segments_and_an_open_reader_keeps_its_own(writer):
    reader = worker(writer)
    old = reader._fresh()[1]
    query = reader._query_vector("hotline for fishermen at sea")
    before = old.vectors.similarities(query)
    removed = set()
    for n in range(4, 24):
        files = vector_files(writer)
        writer.apply([doc(n, f"Shelter number {n}", "Safe accommodation.")], [], seq=n)
        removed |= files - vector_files(writer)
        # One pair of files per segment of the current commit, no more.
        assert len(vector_files(writer)) == 2 * segment_count(writer)
    assert removed, "Whoosh merged no segment in 20 commits"
    # The reader still on the old snapshot answers from pages it mapped before the removal.
    assert np.array_equal(old.vectors.similarities(query), before)
    writer.apply([], [1], seq=30)
    fresh = reader.search(SearchParams(q="hotline for fishermen at sea"))
    assert 1 not in fresh.ids
    reader.close()


def test_a_damaged_vector_file_is_damage_not_a_wrong_answer(writer):
    rows = sorted(writer.current_dir().glob("vec-*.rows.npy"))[0]
    data = bytearray(rows.read_bytes())
    data[-4096:] = bytes(4096)  # zeroed vectors keep the file's size and header
    rows.write_bytes(bytes(data))
    with pytest.raises(IndexUnavailable, match="differ from the last commit"):
        worker(writer).search(SearchParams(q="shelter"))


def test_an_index_written_before_the_files_existed_gets_them(writer):
    directory = writer.current_dir()
    for path in directory.glob("vec-*"):
        path.unlink()
    integrity.write_manifest(directory, writer._digests.of(directory, fresh=True))
    reader = worker(writer)
    assert reader.search(SearchParams(q=QUERIES[0])).ids[0] == 1
    assert not any(isinstance(p.rows, np.memmap) for p in reader._fresh()[1].vectors.parts)

    reader.complete_vector_files()  # what the writer's repair does at start-up
    assert vector_files(writer)
    assert reader.search(SearchParams(q=QUERIES[0])).ids[0] == 1
    assert all(isinstance(p.rows, np.memmap) for p in reader._fresh()[1].vectors.parts)
    reader.close()
