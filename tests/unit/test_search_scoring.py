"""The bulk evaluator gives the same matches and scores as Whoosh's own matchers."""

import random

import numpy as np
import pytest

from search import SearchIndex, SearchParams
from search.scoring import Evaluator
from tests.unit.test_search_engine import doc

WORDS = (
    "shelter referral hotline labour inspection fishing domestic work campaign supply chain "
    "police prosecution training judges children women migrant data partnership radio "
    "recruitment mechanism national legal aid tourism mining reintegration"
).split()
# Strict queries (quotes or operators): plain ones are ranked by coordination, which Whoosh's
# matchers do not do; tests/unit/test_scoring_oracle.py checks those against the texts.
QUERIES = [
    '"shelter"',
    '"labor"',
    "shelter AND referral",
    "shelter OR hotline",
    "police NOT fishing",
    "NGO OR shelter",
    "TIP AND police",
    "NRM OR hotline",
    '"legal aid"',
    '"supply chain"',
    '"national legal aid"',
    '"work campaign" OR "labour inspection"',
    '"police prosecution" AND children',
    '"shelter nothingmatcheshere"',
    '"mining mining"',
    '"chain supply"',
    "(campaign OR radio) AND children",
    "mining AND tourism",
    "judges AND (training OR police) NOT women",
    "nothingmatcheshere",
    "data AND partnership OR radio",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    rng = random.Random(3)
    docs = []
    for n in range(1, 400):
        words = rng.sample(WORDS, 12)
        docs.append(
            doc(n, " ".join(words[:4]), " ".join(words[4:9]), " ".join(words * rng.randint(1, 4)))
        )
    index = SearchIndex(tmp_path_factory.mktemp("scoring"), embedder=None)
    index.rebuild(docs[:200], seq=0)
    index.apply(docs[200:], [3, 5, 7], seq=1)  # several segments and some deletions
    yield index
    index.close()


def stepwise(index, q):
    searcher, snapshot = index._fresh()
    index._match(searcher, snapshot, q)  # fills the field lengths
    evaluator = Evaluator(searcher, snapshot.size, snapshot.live, snapshot.lengths)
    return evaluator.run(q, stepwise=True)


@pytest.mark.parametrize("text", QUERIES)
def test_bulk_and_stepwise_evaluation_agree(index, text):
    query = index.queries.parse(text)
    searcher, snapshot = index._fresh()
    bulk_ids, bulk_scores = index._match(searcher, snapshot, query)[:2]
    step_ids, step_scores = stepwise(index, query)
    assert list(bulk_ids) == list(step_ids)
    assert np.allclose(bulk_scores, step_scores, rtol=1e-4)


def test_deleted_documents_never_match(index):
    assert not {3, 5, 7} & set(
        index.search(SearchParams(q="shelter OR hotline OR police", per_page=100)).ids
    )


def test_phrases_are_read_in_bulk_and_find_only_words_side_by_side(index, monkeypatch):
    """A quoted phrase is answered without Whoosh's span matchers (the slowest searches were
    phrases), and finds a practice only where its words stand next to each other in order."""
    from search import scoring

    def no_stepping(self, node):
        raise AssertionError(f"stepped through {node!r}")

    monkeypatch.setattr(scoring.Evaluator, "_with_whoosh", no_stepping)
    together = index.search(SearchParams(q='"supply chain"', per_page=100))
    apart = index.search(SearchParams(q="supply AND chain", per_page=100))
    reversed_order = index.search(SearchParams(q='"chain supply"', per_page=100))
    assert 0 < together.total < apart.total
    assert set(together.ids) <= set(apart.ids)
    assert set(reversed_order.ids) != set(together.ids)


def test_decoded_postings_are_kept_per_segment_and_deletions_still_apply(tmp_path):
    """A search reads a term's decoded postings from memory after the first time; a deleted
    practice is still not found, and a new segment's postings are read from it."""
    from search import scoring

    index = SearchIndex(tmp_path / "index", embedder=None)
    index.rebuild(
        [doc(1, "Hotline for fishermen", "A free number."), doc(2, "Shelter", "Beds.")], 0
    )
    assert index.search(SearchParams(q="hotline")).ids == [1]
    kept = set(scoring.DECODED._items)
    assert any(key[0][0].startswith(str(index.root)) and key[2] == "hotline" for key in kept)
    index.apply([doc(3, "Hotline for domestic workers", "Calls.")], [1], seq=1)
    assert index.search(SearchParams(q="hotline")).ids == [3]
    index.close()


def test_the_decoded_postings_memory_is_bounded():
    from search.scoring import DecodedPostings

    cache = DecodedPostings(max_bytes=20_000)
    for n in range(100):
        cache.put(("segment", "title", str(n)), (np.zeros(100, np.int32), np.zeros(100)))
    assert cache.bytes <= 20_000 and len(cache._items) < 100
    assert cache.get(("segment", "title", "99")) is not None  # the most recent stay
    assert cache.get(("segment", "title", "0")) is None
    cache.put(("big", "body", "x"), (np.zeros(1_000, np.int32), np.zeros(1_000)))
    assert cache.get(("big", "body", "x")) is None  # larger than an eighth: not kept


def test_the_decoded_postings_bound_counts_what_small_entries_really_take():
    """Rare words hold a posting or two per segment: each entry's arrays and key cost far more
    than their data, and the setting (MB) must still bound the process's memory."""
    import tracemalloc

    from search.scoring import DecodedPostings

    segment = ("/var/index/gen-1764570000000000000", "MAIN_abcdefghijklmnop")
    tracemalloc.start()
    cache = DecodedPostings(max_bytes=2 << 20)
    for n in range(40_000):
        ids = np.array([n], dtype=np.int32)
        cache.put((segment, "body", f"word{n:07d}"), (ids, np.array([1.0])))
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert used <= 1.1 * cache.max_bytes, used
