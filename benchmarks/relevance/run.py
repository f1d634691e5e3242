"""Search quality on the judged set: nDCG@10, recall@10, MRR and zero-result rate per kind of
query and per language, for our search and for baselines, in one run.

    .venv/bin/python benchmarks/relevance/run.py [--details]

Loads seed/practices.jsonl into a fresh SQLite database, builds our index from it, and runs every
query of benchmarks/relevance/queries.jsonl through:
- ours: the search as the page runs it (search.SearchIndex, default sort);
- fts5-any: SQLite FTS5 over title, summary and the rest of the text (Porter stemmer, accents
  folded), any word of the query (OR), ranked by bm25;
- semantic: the multilingual sentence-embedding model alone (search.semantic), unless turned off.
Judgments are graded 0/1/2 from the practices' texts (benchmarks/relevance/README.md); a practice
not listed for a query counts as 0. Judgments name practices by title, so ids may change.
"""

import argparse
import json
import math
import re
import sqlite3
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from repository import migrations  # noqa: E402
from repository.db import Database  # noqa: E402
from repository.discovery.payload import search_payload  # noqa: E402
from repository.indexing import IndexSync  # noqa: E402
from repository.practices.interchange import import_lines  # noqa: E402
from search import SearchIndex, SearchParams  # noqa: E402

QUERIES = Path(__file__).with_name("queries.jsonl")
SEED = ROOT / "seed" / "practices.jsonl"
K = 10


def load_queries() -> list[dict]:
    return [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line]


def ndcg(ranked: list[int], grades: dict[int, int], k: int = K) -> float:
    gains = [grades.get(i, 0) for i in ranked[:k]]
    dcg = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(gains))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / best if best else (1.0 if not ranked else 0.0)


def recall(ranked: list[int], grades: dict[int, int], k: int = K) -> float:
    relevant = {i for i, g in grades.items() if g > 0}
    if not relevant:
        return 1.0 if not ranked else 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: list[int], grades: dict[int, int]) -> float:
    if not grades:
        return 1.0 if not ranked else 0.0
    for rank, i in enumerate(ranked, start=1):
        if grades.get(i, 0) > 0:
            return 1 / rank
    return 0.0


class Ours:
    """The search as the page and the API run it (places understood, corrections acted on)."""

    name = "ours"

    def __init__(self, index: SearchIndex):
        self.index = index

    def search(self, text: str) -> list[int]:
        try:
            payload = search_payload(self.index, SearchParams(q=text, per_page=K))
        except Exception as error:  # a query our parser refuses counts as finding nothing
            print(f"  ours refused {text!r}: {type(error).__name__}", file=sys.stderr)
            return []
        return [r["id"] for r in payload["results"]]


class SemanticAlone:
    """The multilingual model alone: every practice ranked by its best passage's similarity."""

    name = "semantic"

    def __init__(self, index: SearchIndex):
        self.index = index

    def search(self, text: str) -> list[int]:
        snapshot = self.index._fresh()[1]
        similarities = snapshot.vectors.similarities(self.index._query_vector(text))
        order = np.argsort(-similarities, kind="stable")[:K]
        return [int(snapshot.ids[d]) for d in order if similarities[d] > -1]


class FtsAnyWord:
    name = "fts5-any"

    def __init__(self, records: list[dict], ids: list[int], work: Path):
        self.db = sqlite3.connect(work / "fts.db")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, summary, body, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        for practice_id, r in zip(ids, records, strict=True):
            translated = " ".join(
                f"{t['title']} {t['summary']}" for t in (r.get("translations") or {}).values()
            )
            body = " ".join([r["description"], r["results"], r["lessons_learned"], translated])
            self.db.execute(
                "INSERT INTO docs (rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                (practice_id, r["title"], r["summary"], body),
            )
        self.db.commit()

    def search(self, text: str) -> list[int]:
        words = re.findall(r"\w+", text)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, K)
        ).fetchall()
        return [row[0] for row in rows]


def build(work: Path) -> tuple[SearchIndex, list[dict], dict[str, int]]:
    database = Database(f"sqlite:///{work / 'practices.db'}")
    migrations.upgrade(database.engine)
    lines = SEED.read_text(encoding="utf-8").splitlines()
    report = import_lines(database, lines)
    assert not report.errors, report.errors[:3]
    records = [json.loads(line) for line in lines if line.strip()]
    with database.engine.connect() as connection:
        by_title = dict(connection.exec_driver_sql("SELECT title, id FROM practice").fetchall())
    index = SearchIndex(work / "index")
    IndexSync(database, index).repair()
    return index, records, by_title


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="print every query's figures")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="relevance-"))
    index, records, by_title = build(work)
    ids = [by_title[r["title"]] for r in records]
    engines = [Ours(index), FtsAnyWord(records, ids, work)]
    if index.embedder is not None:
        engines.append(SemanticAlone(index))
    queries = load_queries()
    missing = {t for q in queries for t in q["judgments"] if t not in by_title}
    if missing:
        sys.exit(f"judgments name practices that are not in the seed: {sorted(missing)[:5]}")
    figures: dict[tuple[str, str], list[tuple[float, float, float, bool]]] = defaultdict(list)
    for q in queries:
        grades = {by_title[t]: g for t, g in q["judgments"].items()}
        for engine in engines:
            ranked = engine.search(q["query"])
            row = (ndcg(ranked, grades), recall(ranked, grades), reciprocal_rank(ranked, grades))
            zero = not ranked
            groups = ["all", f"kind:{q['kind']}", f"lang:{q['language']}"]
            if q["kind"] != "nonsense":  # the zero-result target sets them aside
                groups.append("all but nonsense")
            for group in groups:
                figures[(engine.name, group)].append((*row, zero))
            if args.details:
                print(f"{engine.name:9} {q['qid']:18} nDCG {row[0]:.2f}  {q['query']}")
    groups = sorted(
        {g for _e, g in figures}, key=lambda g: (g != "all", g != "all but nonsense", g)
    )
    print(f"{len(queries)} queries, {len(records)} practices; nDCG@{K} / recall@{K} / MRR / zero")
    header = f"{'':24}" + "".join(f"{e.name:>30}" for e in engines)
    print(header)
    for group in groups:
        cells = []
        for engine in engines:
            rows = figures[(engine.name, group)]
            n = len(rows)
            mean = [sum(r[i] for r in rows) / n for i in range(3)]
            zero = sum(r[3] for r in rows) / n
            cells.append(f"{mean[0]:.2f} / {mean[1]:.2f} / {mean[2]:.2f} / {zero:4.0%}")
        print(
            f"{group + f' ({len(figures[(engines[0].name, group)])})':24}"
            + "".join(f"{c:>30}" for c in cells)
        )
    if index.embedder is None:
        print("semantic model alone: not measured (semantic layer off or model not loaded)")


if __name__ == "__main__":
    main()
