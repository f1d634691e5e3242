"""Search speed on synthetic corpora, against an SQLite FTS5 baseline.

    .venv/bin/python benchmarks/search_bench.py [--sizes 10000,50000] [--queries 240]

For each size: imports the project's synthetic practices into a fresh SQLite database, times a
full reindex from the database, runs the query set through the same search service the page
uses (repository.discovery.views.search_payload), times a repeated identical search, a publish
until it is searchable, and the same queries in SQLite FTS5 with facet counts by GROUP BY.
Prints p50/p95 in milliseconds. The search runs twice over the same index: hybrid (words and
the semantic layer, query embedding included) and words only (the model off), side by side with
FTS5. Targets at 10k on 2 cores: hybrid faceted search p95 <= 80 ms, words-only p95 <= 50 ms,
filters only p95 <= 10 ms, repeated search <= 2 ms, reindex with cached vectors <= 30 s, publish
searchable <= 2 s; the first embedding of the collection is timed with a progress bar.
"""

import argparse
import json
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from repository import migrations
from repository.db import Database
from repository.discovery.payload import search_payload
from repository.indexing import IndexSync, IndexWorker
from repository.practices.interchange import import_lines
from repository.practices.synthetic import synthetic_records
from search import FACETS, SearchIndex, SearchParams, dictionary

WORDS = [
    "shelter",
    "referral",
    "hotline",
    "labour inspection",
    "fishing",
    "domestic work",
    "awareness campaign",
    "supply chain",
    "NGO",
    "TIP",
    "prosecution unit",
    "legal aid",
    "national referral mechanism",
    "judicial training",
    "migrant workers",
    "code of conduct",
    "data sharing",
    "reintegration",
    "hospitality",
    "construction",
    "guardianship",
    "police",
    "labor",
    "organization",
    '"referral mechanism"',
    "campaign OR radio",
    "forced NOT fishing",
    "ethical recruitment",
    "tourism children",
    "victim identification",
    "mining",
]
FILTER_POOLS = {
    "pillar": ["prevention", "protection", "prosecution", "partnership"],
    "region": ["africa", "americas", "asia", "europe", "oceania"],
    "actor_type": ["government", "ngo", "private_sector", "media", "un_entity"],
    "un_group": ["african", "asia_pacific", "eastern_european", "grulac", "weog"],
    "practice_type": ["law", "policy", "awareness_campaign", "victim_services", "training"],
    "evidence": ["not_evaluated", "self_assessed", "independently_evaluated"],
}


def query_set(count: int, seed: int = 5) -> list[tuple[str, SearchParams]]:
    rng = random.Random(seed)
    queries = []
    for n in range(count):
        kind = ("text", "text+filters", "filters")[n % 3]
        filters = {}
        if kind != "text":
            for facet in rng.sample(sorted(FILTER_POOLS), rng.randint(1, 3)):
                filters[facet] = rng.sample(FILTER_POOLS[facet], rng.randint(1, 2))
        q = " ".join(rng.sample(WORDS, rng.choice([1, 1, 2]))) if kind != "filters" else ""
        years = {}
        if kind == "filters" and rng.random() < 0.3:
            years = {"year_from": 2000, "year_to": 2010}
        queries.append((kind, SearchParams.build(filters, q=q, sort="relevance", **years)))
    return queries


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   (n={len(samples)})"


def timed(function, *args):
    start = time.perf_counter()
    value = function(*args)
    return (time.perf_counter() - start) * 1000, value


def build_fts(database_path: Path, documents: list[dict]) -> sqlite3.Connection:
    (database_path / "fts.db").unlink(missing_ok=True)  # an earlier run's (--keep)
    connection = sqlite3.connect(database_path / "fts.db")
    connection.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, summary, body, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    connection.execute("CREATE TABLE facet (doc INTEGER, facet TEXT, value TEXT)")
    connection.execute("CREATE INDEX facet_doc ON facet (facet, doc)")
    for document in documents:
        body = " ".join([document["description"], document["results"], document["lessons_learned"]])
        connection.execute(
            "INSERT INTO docs (rowid, title, summary, body) VALUES (?, ?, ?, ?)",
            (document["id"], document["title"], document["summary"], body),
        )
        for facet, key in FACETS.items():
            values = document[key]
            for value in [values] if isinstance(values, str) else values:
                connection.execute(
                    "INSERT INTO facet VALUES (?, ?, ?)", (document["id"], facet, value)
                )
    connection.commit()
    return connection


def fts_query(text: str) -> str:
    """The same words for FTS5: quoted terms, its own OR/NOT operators kept."""
    parts = []
    for token in text.replace('"', ' " ').split():
        parts.append(
            token if token in {"OR", "NOT", "AND", '"'} else f'"{token}"'.replace('""', '"')
        )
    return " ".join(parts).replace('" "', " ")


def fts_search(connection: sqlite3.Connection, params: SearchParams) -> int:
    """Matches, then per-facet counts with the other facets' filters, by GROUP BY."""
    connection.execute("DROP TABLE IF EXISTS temp.hit")
    if params.q:
        try:
            connection.execute(
                "CREATE TEMP TABLE hit AS SELECT rowid AS doc FROM docs WHERE docs MATCH ?",
                (fts_query(params.q),),
            )
        except sqlite3.OperationalError:
            connection.execute("CREATE TEMP TABLE hit AS SELECT rowid AS doc FROM docs WHERE 0")
    else:
        connection.execute("CREATE TEMP TABLE hit AS SELECT rowid AS doc FROM docs")

    def where(skip=None):
        clauses, args = [], []
        for facet, values in params.filters:
            if facet != skip:
                clauses.append(
                    "doc IN (SELECT doc FROM facet WHERE facet = ? AND value IN "
                    f"({','.join('?' * len(values))}))"
                )
                args += [facet, *values]
        return (" AND ".join(clauses) or "1"), args

    clause, args = where()
    total = connection.execute(f"SELECT COUNT(*) FROM hit WHERE {clause}", args).fetchone()[0]
    for facet in FACETS:
        clause, args = where(skip=facet)
        connection.execute(
            "SELECT value, COUNT(*) FROM facet WHERE facet = ? AND doc IN "
            f"(SELECT doc FROM hit WHERE {clause}) GROUP BY value",
            [facet, *args],
        ).fetchall()
    connection.execute(
        f"SELECT rowid FROM docs WHERE rowid IN (SELECT doc FROM hit WHERE {where()[0]}) LIMIT 20",
        where()[1],
    ).fetchall()
    return total


def run(size: int, query_count: int, keep: Path | None = None) -> None:
    print(f"\n== {size} synthetic practices")
    if keep is None:
        work = Path(tempfile.mkdtemp(prefix="practices-bench-"))
    else:
        # Reuse the database and the vector cache of an earlier run (the first embedding of
        # 100k practices takes a quarter of an hour); the index itself is always rebuilt.
        work = keep / f"size-{size}"
        work.mkdir(parents=True, exist_ok=True)
        for path in [*work.glob("bench.db*"), work / "fts.db"]:
            path.unlink(
                missing_ok=True
            )  # the last run's publications go; the pristine copy comes back
        if (work / "pristine-bench.db").exists():
            shutil.copyfile(work / "pristine-bench.db", work / "bench.db")
        for path in (work / "index").glob("gen-*"):
            shutil.rmtree(path)
    fresh = keep is None or not (work / "pristine-bench.db").exists()
    database = Database(f"sqlite:///{work / 'bench.db'}")
    if fresh:
        migrations.upgrade(database.engine)
        start = time.perf_counter()
        import_lines(database, (json.dumps(r) for r in synthetic_records(size, seed=1)))
        print(f"import:            {time.perf_counter() - start:7.1f} s")
        if keep is not None:
            database.dispose()
            shutil.copyfile(work / "bench.db", work / "pristine-bench.db")
            database = Database(f"sqlite:///{work / 'bench.db'}")
    else:
        print(f"import:            reused from {work} (--keep)")

    index = SearchIndex(work / "index")
    sync = IndexSync(database, index)
    published = sum(1 for _ in sync._documents())
    start = time.perf_counter()
    with tqdm(total=published, unit="practice", desc="first embedding", file=sys.stderr) as bar:
        count = sync.rebuild(progress=bar.update)
    print(
        f"reindex, first embedding: {time.perf_counter() - start:7.1f} s   ({count} published "
        f"documents, model {'on' if index.embedder else 'OFF'}"
        f"{'' if fresh else ', vectors cached by an earlier run (--keep)'})"
    )
    start = time.perf_counter()
    sync.rebuild()
    print(f"reindex, cached vectors:  {time.perf_counter() - start:7.1f} s")
    start = time.perf_counter()
    index.verify()
    print(
        f"integrity check:   {(time.perf_counter() - start) * 1000:7.1f} ms  (manifest checksums)"
    )
    timed(index.search, SearchParams())  # open the reader and build the facet arrays once
    start = time.perf_counter()
    index.mark_stale()
    index._searcher = None
    index._arrays, index._segments = {}, {}  # as a newly started worker: nothing kept
    index.search(SearchParams(q="warm up"))
    print(f"reader + arrays:   {(time.perf_counter() - start) * 1000:7.1f} ms  (a new worker)")
    # The word lists a spelling correction reads load in a thread once per process (after the
    # first commit): let them finish, so the searches below are timed as a worker runs them.
    start = time.perf_counter()
    dictionary.preload()
    dictionary.wait()
    print(f"word lists:        {(time.perf_counter() - start) * 1000:7.1f} ms  (once a process)")

    queries = query_set(query_count)
    words_only = SearchIndex(work / "index", embedder=None)  # the same index, model off
    words_only.search(SearchParams(q="warm up"))
    measured = {}
    for name, engine in (("hybrid", index), ("words only", words_only)):
        samples: dict[str, list[float]] = {"text": [], "text+filters": [], "filters": []}
        for kind, params in queries:
            engine._cache.clear()  # measure real work, not the cache
            engine._query_vectors.clear()  # and embed the query each time
            elapsed, _ = timed(search_payload, engine, params)
            samples[kind].append(elapsed)
        measured[name] = samples
        text_all = samples["text"] + samples["text+filters"]
        print(f"{name}: faceted text: {percentiles(text_all)}   all facet counts + snippets")
        print(f"  text only:       {percentiles(samples['text'])}")
        print(f"  text + filters:  {percentiles(samples['text+filters'])}")
        print(f"  filters only:    {percentiles(samples['filters'])}")
    samples = measured["hybrid"]
    text_all = samples["text"] + samples["text+filters"]
    vectors = index._fresh()[1].vectors
    if vectors is not None:
        print(
            f"vector matrix:     {vectors.passages} passages x {vectors.dim}, "
            f"{vectors.nbytes / 2**20:.0f} MB float32 in {len(vectors.parts)} segment files"
        )
    repeated = []
    for _kind, params in queries[:50]:
        search_payload(index, params)
        elapsed, _ = timed(search_payload, index, params)
        repeated.append(elapsed)
    print(f"repeated search:   {percentiles(repeated)}   (cache keyed on the index generation)")

    documents = list(sync._documents())
    fts = build_fts(work, documents)
    fts_samples = {"text": [], "filters": []}
    for kind, params in queries:
        elapsed, _ = timed(fts_search, fts, params)
        fts_samples["filters" if kind == "filters" else "text"].append(elapsed)
    ours_text = statistics.median(text_all)
    ours_filters = statistics.median(samples["filters"])
    theirs_text = statistics.median(fts_samples["text"])
    theirs_filters = statistics.median(fts_samples["filters"])

    def p95(values):
        return sorted(values)[int(len(values) * 0.95)]

    print(f"FTS5 faceted text: {percentiles(fts_samples['text'])}")
    print(f"FTS5 filters only: {percentiles(fts_samples['filters'])}")
    print(
        f"ratio ours/FTS5 (p50): text {ours_text / theirs_text:.2f}   "
        f"filters {ours_filters / theirs_filters:.2f}"
    )
    print(
        f"ratio ours/FTS5 (p95): text {p95(text_all) / p95(fts_samples['text']):.2f}   "
        f"filters {p95(samples['filters']) / p95(fts_samples['filters']):.2f}"
    )

    worker = IndexWorker(sync, interval=1.0)
    worker.start()
    latencies = []
    for n in range(5):
        record = synthetic_records(1, seed=900 + n, published_share=1.0)[0]
        record["title"] = f"Benchmark publication zqx{n}"
        start = time.perf_counter()
        import_lines(database, [json.dumps(record)])
        worker.notify()
        while not index.search(SearchParams(q=f"zqx{n}")).total:
            time.sleep(0.005)
        latencies.append((time.perf_counter() - start) * 1000)
    worker.stop()
    print(f"publish searchable:{percentiles(latencies)}   (commit to found, writer notified)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory:       {peak:7.0f} MB (whole benchmark process)")
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000", help="comma-separated corpus sizes")
    parser.add_argument("--queries", type=int, default=240, help="queries per size (>= 200)")
    parser.add_argument(
        "--keep",
        type=Path,
        help="directory keeping each size's database and vector cache between runs",
    )
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.queries, args.keep)


if __name__ == "__main__":
    main()
