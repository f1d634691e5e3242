"""Where a one-practice publish goes at scale: the writer's commit, and a reader's reopen.

    .venv/bin/python benchmarks/publish_profile.py --keep /work/hp1-bench/size-100000

Uses the database and index a `search_bench.py --keep` run left (copies both first, so the
run leaves them as they were). Times, over several one-practice commits, each step of
SearchIndex.apply and of another worker's reopen (Snapshot, vector table, field lengths, the
first search); `--profile` prints cProfile's top functions too. Then times publish to
searchable as search_bench.py does (a practice written to the database, the index writer
woken, searched until found), without the rest of that benchmark's hour at 100k.
"""

import argparse
import cProfile
import json
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh.reading import ReaderClosed

from repository.db import Database
from repository.indexing import IndexSync, IndexWorker
from repository.practices.interchange import import_lines
from repository.practices.synthetic import synthetic_records
from search import SearchIndex, SearchParams, engine, snapshot

STEPS = {
    "apply": (engine.SearchIndex, "apply"),
    "  integrity.problem": (engine.integrity, "problem"),
    "  _vector_keys": (engine.SearchIndex, "_vector_keys"),
    "  _with_vectors": (engine.SearchIndex, "_with_vectors"),
    "  _write_segment_files": (engine.SearchIndex, "_write_segment_files"),
    "  _write_vector_files": (engine.SearchIndex, "_write_vector_files"),
    "  _write_manifest": (engine.SearchIndex, "_write_manifest"),
    "  _forget_vectors": (engine.SearchIndex, "_forget_vectors"),
    "reopen (_reopen)": (engine.SearchIndex, "_reopen"),
    "  _committed (checksums)": (engine.SearchIndex, "_committed"),
    "  Snapshot": (snapshot.Snapshot, "__init__"),
    "  _segment_arrays": (engine.SearchIndex, "_segment_arrays"),
    "  _vector_table": (engine.SearchIndex, "_vector_table"),
    "first search after": (engine.SearchIndex, "search"),
    "  _lengths": (engine.SearchIndex, "_lengths"),
}


def timed_steps():
    """Wrap each step to record its wall time (the first, outermost call per round)."""
    found: dict[str, list[float]] = {name: [] for name in STEPS}
    for name, (owner, attribute) in list(STEPS.items()):
        if not hasattr(owner, attribute):
            continue  # another version of the code
        original = getattr(owner, attribute)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                found[_name].append((time.perf_counter() - start) * 1000)

        static = isinstance(vars(owner).get(attribute), staticmethod)
        setattr(owner, attribute, staticmethod(wrapper) if static else wrapper)
    return found


def publish_searchable(sync: IndexSync, database: Database, count: int) -> None:
    """The same measure as search_bench.py's."""
    worker = IndexWorker(sync, interval=1.0)
    worker.start()
    latencies, failed = [], 0
    for n in range(count):
        record = synthetic_records(1, seed=900 + n, published_share=1.0)[0]
        record["title"] = f"Benchmark publication zqx{n}"
        start = time.perf_counter()
        import_lines(database, [json.dumps(record)])
        worker.notify()
        while True:
            try:
                if sync.index.search(SearchParams(q=f"zqx{n}")).total:
                    break
            except ReaderClosed:  # a search racing a reopen (fixed since): the user got a 500
                failed += 1
            time.sleep(0.005)
        latencies.append((time.perf_counter() - start) * 1000)
    worker.stop()
    latencies.sort()
    print(
        f"publish searchable: p50 {statistics.median(latencies):.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)]:.0f} ms, max {latencies[-1]:.0f} ms (n={count}, commit to found, writer notified); "
        f"{failed} searches failed meanwhile"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, required=True, help="a search_bench size directory")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--publishes", type=int, default=15)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="publish-profile-"))
    try:
        shutil.copytree(args.keep / "index", work / "index", symlinks=True)
        shutil.copyfile(args.keep / "bench.db", work / "bench.db")
        database = Database(f"sqlite:///{work / 'bench.db'}")
        sync = IndexSync(database, SearchIndex(work / "index"))
        writer = sync.index
        writer.complete_vector_files()  # as the start-up repair does for an older index
        reader = SearchIndex(work / "index")  # another worker's view
        reader.search(SearchParams(q="warm up"))
        writer.search(SearchParams(q="warm up"))
        documents = list(sync._documents(list(range(1, 200))))[: args.rounds]
        found = timed_steps()
        profiler = cProfile.Profile()
        seq = writer.applied_seq()  # kept: these commits are not from the outbox
        for n, document in enumerate(documents):
            document = {**document, "title": f"Profiled publication zqy{n}"}
            if args.profile:
                profiler.enable()
            writer.apply([document], [], seq)
            reader.mark_stale()
            assert reader.search(SearchParams(q=f"zqy{n}")).total == 1
            if args.profile:
                profiler.disable()
        print(f"{args.rounds} one-practice commits; ms, median (max)")
        for name, samples in found.items():
            if samples:
                print(
                    f"{name:28} {statistics.median(samples):8.1f} ({max(samples):.1f})"
                    f"  x{len(samples) / args.rounds:.0f} per commit"
                )
        segments = len(reader._fresh()[1].reader.leaf_readers())
        print(f"segments now: {segments}; documents: {reader._fresh()[1].size}")
        if args.profile:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        publish_searchable(sync, database, args.publishes)
        reader.close()
        writer.close()
        database.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
