"""Opening an index reader maps the segment files instead of copying them into memory
(search/buffers.py): reopening after each commit, and each worker, cost no copy of the index."""

import io
import os

import pytest

from search import SearchIndex, SearchParams
from search.buffers import ViewStream
from tests.unit.test_search_engine import doc


def anonymous_kib() -> int:
    """Memory of this process not backed by a file (copies, not mapped pages)."""
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["RssAnon"].split()[0])


def test_a_view_reads_as_a_file_would():
    data = b"first line\nsecond\n" + bytes(range(256)) * 4
    view, stream = ViewStream(memoryview(data)), io.BytesIO(data)
    for step in [
        lambda f: f.read(5),
        lambda f: f.readline(),
        lambda f: f.seek(3, os.SEEK_CUR),
        lambda f: f.read(0),
        lambda f: f.readline(4),
        lambda f: f.tell(),
        lambda f: f.seek(-10, os.SEEK_END),
        lambda f: f.read(),
        lambda f: f.read(3),
        lambda f: f.seek(0),
        lambda f: list(f),
    ]:
        assert step(view) == step(stream)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_readers_do_not_copy_the_index_into_memory(tmp_path):
    words = [f"word{n}" for n in range(4000)]
    documents = [
        doc(n, f"Practice {n}", " ".join(words[(n * 7) % 3000 :][:400])) for n in range(1, 1501)
    ]
    index = SearchIndex(tmp_path / "index", embedder=None)
    index.rebuild(documents, seq=0)
    size_kib = sum(p.stat().st_size for p in index.current_dir().glob("*.seg")) // 1024
    assert size_kib > 4000
    index.search(SearchParams(q="word12"))
    before = anonymous_kib()
    readers = [SearchIndex(index.root, embedder=None) for _ in range(5)]
    for reader in readers:
        assert reader.search(SearchParams(q="word12")).total
    # Five copies of the segments would be 5 x size; their own arrays are far smaller.
    assert anonymous_kib() - before < size_kib
    for reader in readers:
        reader.close()
    index.close()
