"""Snapshots joined from per-segment arrays (search.segments): after publishing, unpublishing
and merges, a long-running reader answers exactly as a freshly opened one; workers map the
writer's files; damage to them is damage."""

import time

import numpy as np
import pytest

from search import IndexUnavailable, SearchIndex, SearchParams, integrity, segments
from search.vectors import OLD_SHARED_SETTING, SHARED_SETTING, shared_files_enabled
from tests.unit.test_search_engine import doc

PILLARS = ["prevention", "protection", "prosecution", "partnership"]
REGIONS = ["africa", "americas", "asia", "europe"]
WORDS = ["Shelter", "Hotline", "Inspection", "Campaign", "Training"]


def practice(n: int, title: str | None = None, pillar: str | None = None) -> dict:
    return doc(
        n,
        title or f"{WORDS[n % 5]} for workers number {n}",
        f"Safe help for victims, case {n}.",
        pillars=[pillar or PILLARS[n % 4]],
        regions=[REGIONS[n % 3], REGIONS[(n + 1) % 4]],
        actor_types=["ngo" if n % 2 else "government"],
        practice_type=["policy", "law", "training"][n % 3],
        start_year=1995 + n % 20,
        end_year=None if n % 3 else 2008 + n % 12,
    )


SEARCHES = [
    *(SearchParams.build(sort=sort, per_page=100) for sort in ("newest", "oldest", "added")),
    SearchParams.build(sort="title", per_page=100),
    SearchParams.build(q="shelter workers", per_page=100),
    SearchParams.build(q="hotline", sort="title", per_page=100),
    SearchParams.build({"pillar": ["prevention", "protection"]}, per_page=100),
    SearchParams.build({"region": ["europe"], "actor_type": ["ngo"]}, q="victims", per_page=100),
    SearchParams.build({"practice_type": ["law"]}, year_from=2000, year_to=2005, sort="oldest"),
    SearchParams.build(year_from=2012, per_page=100, sort="added"),
]


def answers(index: SearchIndex) -> list:
    found = []
    for params in SEARCHES:
        result = index.search(params)
        found.append((result.ids, result.total, result.facets, result.totals_without))
    return found


def fresh_answers(root, monkeypatch, shared: str) -> list:
    """What a newly started worker answers: every array read from scratch (sharing off) or
    mapped from the writer's files."""
    monkeypatch.setenv(SHARED_SETTING, shared)
    worker = SearchIndex(root, embedder=None)
    try:
        return answers(worker)
    finally:
        worker.close()
        monkeypatch.delenv(SHARED_SETTING)


def segment_ids(index: SearchIndex) -> set[str]:
    return {segment for _directory, segment in index._arrays}


@pytest.fixture
def writer(tmp_path):
    index = SearchIndex(tmp_path / "index", embedder=None)
    index.rebuild([practice(n) for n in range(1, 41)], seq=0)
    yield index
    index.close()


@pytest.mark.parametrize("shared", ["on", "off"])
def test_a_long_running_reader_answers_as_a_fresh_one_after_each_change(
    writer, monkeypatch, shared
):
    monkeypatch.setenv(SHARED_SETTING, shared)
    reader = SearchIndex(writer.root, embedder=None)
    answers(reader)
    computed = []
    compute = segments.SegmentArrays.compute.__func__

    def counting(cls, leaf):
        computed.append(leaf)
        return compute(cls, leaf)

    monkeypatch.setattr(segments.SegmentArrays, "compute", classmethod(counting))
    seen = segment_ids(reader)
    merged_away = set()
    for n in range(41, 66):
        deletes = [n - 30] if n % 4 == 0 else []  # unpublished
        upserts = [practice(n)]
        if n % 5 == 0:  # an edit: new title and pillar
            upserts.append(practice(n - 20, title=f"Renamed hotline {n}", pillar="partnership"))
        writer.apply(upserts, deletes, seq=n)
        computed.clear()
        before = segment_ids(reader)
        reader.mark_stale()
        found = answers(reader)
        now = segment_ids(reader)
        merged_away |= before - now
        # Only segments this reader had never seen are read: a commit pays for itself only,
        # and with the writer's files not even that.
        assert len(computed) == (len(now - seen) if shared == "off" else 0)
        seen |= now
        if n % 6 == 0 or n == 65:
            monkeypatch.undo()  # the counting wrapper and the setting
            assert found == fresh_answers(writer.root, monkeypatch, "off")
            assert found == fresh_answers(writer.root, monkeypatch, "on")
            monkeypatch.setenv(SHARED_SETTING, shared)
            monkeypatch.setattr(segments.SegmentArrays, "compute", classmethod(counting))
    assert merged_away, "Whoosh merged no segment in 25 commits"
    assert len(reader._fresh()[1].reader.leaf_readers()) > 1
    # Removed and edited practices are gone, or found under their new title only.
    listed = reader.search(SearchParams(per_page=100)).ids
    assert not {14, 18, 22, 26, 30, 34} & set(listed) and len(listed) == 65 - 6
    renamed = reader.search(SearchParams.build(q="renamed", per_page=100))
    assert sorted(renamed.ids) == [25, 35, 40, 45]  # 30 was renamed, then unpublished
    assert renamed.facets["pillar"] == {"partnership": 4}
    reader.close()


def test_a_worker_maps_the_writers_files_and_one_without_them_reads_the_segments(
    writer, monkeypatch
):
    writer.apply([practice(41)], [3], seq=1)
    directory = writer.current_dir()
    files = {p.name for p in directory.glob("arr-*.npy")}
    assert files and files <= set(integrity.read_manifest(directory)["files"])
    mapped = SearchIndex(writer.root, embedder=None)
    expected = answers(mapped)
    parts = mapped._fresh()[1].parts
    assert len(parts) > 1 and all(isinstance(p.numbers, np.memmap) for p in parts)
    assert all(isinstance(p.pairs, np.memmap) for p in parts)
    mapped.close()

    # An index written before these files existed: readers read the segments themselves.
    for path in directory.glob("arr-*"):
        path.unlink()
    integrity.write_manifest(directory, writer._digests.of(directory, fresh=True))
    reader = SearchIndex(writer.root, embedder=None)
    assert answers(reader) == expected
    assert not any(p.mapped for p in reader._fresh()[1].parts)
    reader.complete_vector_files()  # what the writer's repair does at start-up
    assert {p.name for p in directory.glob("arr-*.npy")} == files
    assert answers(reader) == expected
    assert all(p.mapped for p in reader._fresh()[1].parts)
    reader.close()


def zero_numbers(index: SearchIndex):
    path = max(index.current_dir().glob("arr-*.numbers.npy"), key=lambda p: p.stat().st_size)
    data = bytearray(path.read_bytes())
    data[128:384] = bytes(256)  # the first ids zeroed (after the header); same size
    path.write_bytes(bytes(data))


def test_a_damaged_array_file_is_damage_not_a_wrong_answer(writer):
    zero_numbers(writer)
    with pytest.raises(IndexUnavailable, match="differ from the last commit"):
        SearchIndex(writer.root, embedder=None).search(SearchParams(q="shelter"))


def test_a_reader_stops_answering_when_an_array_file_it_mapped_is_damaged(writer):
    reader = SearchIndex(writer.root, embedder=None)
    assert reader.search(SearchParams(q="shelter")).total
    zero_numbers(writer)
    time.sleep(0.1)  # past the reader's freshness interval
    with pytest.raises(IndexUnavailable):
        reader.search(SearchParams(q="hotline"))
    assert reader.damage
    reader.close()


def test_sharing_is_on_unless_turned_off_by_either_name():
    assert shared_files_enabled({})
    assert not shared_files_enabled({SHARED_SETTING: "off"})
    assert not shared_files_enabled({OLD_SHARED_SETTING: "off"})
    assert shared_files_enabled({SHARED_SETTING: "on", OLD_SHARED_SETTING: "off"})


def test_a_search_under_way_when_the_index_reopens_still_answers(writer):
    reader = SearchIndex(writer.root, embedder=None)
    searcher, snapshot = reader._fresh()  # what a request holds while it builds its page
    writer.apply([practice(41)], [], seq=1)
    reader.mark_stale()
    reader._fresh()  # another request reopens meanwhile
    result = reader._search(searcher, snapshot, SearchParams(q="shelter"))
    assert result.total and len(result.cards) == len(result.ids)
    assert reader.search(SearchParams(sort="added")).ids[0] == 41  # the new one
    reader.close()
