"""The semantic layer: meaning across languages, vectors as derived and cached data, and search
on words alone when the model is off or cannot load."""

import logging
import sqlite3

import numpy as np
import pytest

from search import SearchIndex, SearchParams, semantic, vectors
from search.thesaurus import default as thesaurus
from search.vectors import VectorCache, content_key, passages
from tests.unit.test_search_engine import doc

MODEL = semantic.load()


def test_the_model_installs_and_loads_with_the_application():
    assert MODEL is not None, semantic.unavailable_reason()


class Counting:
    """The real model, counting the passages it is asked to embed."""

    def __init__(self, model):
        self.model, self.name, self.dim, self.embedded = model, model.name, model.dim, 0

    def passages(self, texts):
        self.embedded += len(texts)
        return self.model.passages(texts)

    def query(self, text):
        return self.model.query(text)


DOCS = [
    doc(1, "Hotline for fishermen held on boats at sea", "Crew members call a free number."),
    doc(2, "Shelter for women", "Safe accommodation and counselling."),
    doc(3, "Training judges", "Judicial training on trafficking cases."),
]


@pytest.fixture
def model():
    return Counting(MODEL)


@pytest.fixture
def index(tmp_path, model):
    vectors._MEMORY.clear()  # as in a new process: only the index's own cache file counts
    index = SearchIndex(tmp_path / "index", embedder=model)
    index.rebuild(DOCS, seq=0)
    yield index
    index.close()


def test_a_query_in_another_language_finds_a_practice_sharing_no_word_with_it(index):
    q = "teléfono de ayuda para marineros retenidos en barcos"  # Spanish, no thesaurus concept
    assert thesaurus().concepts_in(q) == []
    lexical = SearchIndex(index.root, embedder=None)
    assert lexical.search(SearchParams(q=q)).total == 0  # no word in common
    found = index.search(SearchParams(q=q))
    assert found.ids[0] == 1
    # Totals and facet counts are exact over what matched, semantic neighbours included.
    assert found.total == len(found.ids)
    assert sum(found.facets["pillar"].values()) >= found.total


def test_queries_about_something_else_find_nothing_by_meaning(index):
    assert index.search(SearchParams(q="sourdough starter hydration ratio")).total == 0


def test_one_word_of_a_query_about_something_else_is_no_match(tmp_path, model):
    """When no practice has half the words of a query, one word is enough, unless the
    practice's meaning has nothing to do with the query."""
    rating = doc(
        4,
        "Recruitment agencies rated by migrant workers",
        "An app where workers rate the agencies that placed them and the fees they charged.",
    )
    index = SearchIndex(tmp_path / "index", embedder=model)
    index.rebuild([*DOCS, rating], seq=0)
    words_only = SearchIndex(tmp_path / "index", embedder=None)
    query = SearchParams(q="tectonic plate subduction rates")
    assert words_only.search(query).ids == [4]  # "rates" is one of its words
    found = index.search(query)
    assert found.total == 0 and found.facets["pillar"] == {}
    # A practice whose one matching word is what it is about stays.
    assert index.search(SearchParams(q="hotline numbers in bakeries and tectonic labs")).ids == [1]
    index.close()


def test_a_rebuild_reuses_cached_vectors_and_embeds_only_what_changed(index, model):
    first = model.embedded
    assert first == sum(len(passages(d)) for d in DOCS)
    vectors._MEMORY.clear()
    index.rebuild(DOCS, seq=1)
    assert model.embedded == first  # nothing recomputed: read from the cache file
    changed = doc(2, "Shelter for women and girls", "Safe accommodation and counselling.")
    index.apply([changed], [], seq=2)
    assert model.embedded == first + len(passages(changed))
    assert index.search(SearchParams(q="refuge pour filles")).ids[0] == 2


def test_vectors_go_with_the_practice(index, model):
    cache = index.vector_cache()
    key = content_key(model.name, passages(DOCS[0]))
    assert cache.get([key])
    index.apply([], [1], seq=1)  # unpublished
    assert not cache.get([key])
    with sqlite3.connect(cache.path) as db:
        stored = {row[0] for row in db.execute("SELECT key FROM vectors")}
    assert stored == {content_key(model.name, passages(d)) for d in DOCS[1:]}
    assert 1 not in index.search(SearchParams(q="fishermen hotline boats")).ids


def test_a_practice_text_changed_leaves_no_vector_of_the_old_text(index, model):
    cache = index.vector_cache()
    old = content_key(model.name, passages(DOCS[2]))
    index.apply([doc(3, "Training prosecutors", "Courses for prosecutors.")], [], seq=1)
    assert not cache.get([old])


def test_the_cache_survives_a_new_process(tmp_path, model):
    cache = VectorCache(tmp_path, model.name, model.dim)
    rows = np.ones((2, model.dim), dtype=np.float32)
    cache.put({42: rows})
    cache.close()
    again = VectorCache(tmp_path, model.name, model.dim)
    assert np.array_equal(again.get([42])[42], rows)


def test_without_the_model_search_runs_on_words(tmp_path):
    index = SearchIndex(tmp_path / "index", embedder=None)
    index.rebuild(DOCS, seq=0)
    assert index.search(SearchParams(q="shelter")).ids == [2]
    assert index.vector_cache() is None
    assert index.search(SearchParams(q="teléfono para marineros")).total == 0


def test_a_model_that_cannot_load_turns_the_layer_off_with_one_log_line(monkeypatch, caplog):
    def broken():
        raise OSError("weights unreadable")

    monkeypatch.setattr(semantic, "UniversalSentenceEncoder", broken)
    monkeypatch.setattr(semantic, "_loaded", {})
    with caplog.at_level(logging.WARNING, logger="search.semantic"):
        assert semantic.load() is None
        assert semantic.load() is None
    assert caplog.text.count("semantic search is off") == 1
    assert semantic.unavailable_reason() == "model did not load (see the log)"


def test_a_setting_turns_the_layer_off():
    environ = {semantic.SETTING: "off"}
    assert semantic.load(environ) is None
    assert "turned off" in semantic.unavailable_reason(environ)


def test_model_files_other_than_the_pinned_ones_are_refused(tmp_path):
    (tmp_path / "weights.npz").write_bytes(b"not the model")
    with pytest.raises(ValueError, match=r"weights\.npz"):
        semantic.check_files(tmp_path, {"weights.npz": "0" * 64})


def test_more_like_this_crosses_languages(index):
    spanish = doc(
        4, "Línea de ayuda para pescadores", "Los tripulantes llaman a un número gratuito."
    )
    index.apply([spanish], [], seq=1)
    assert [i for i, _card in index.more_like_this(1, limit=1)] == [4]
    assert 1 not in [i for i, _card in index.more_like_this(1)]


QUERIES_BY_MEANING = {
    "teléfono de ayuda para marineros retenidos en barcos": 1,
    "refuge pour femmes": 2,
    "обучение судей": 3,
}


def test_rows_and_queries_are_compared_in_fewer_dimensions_with_the_same_answers(
    tmp_path, model, monkeypatch
):
    """The segment files hold the projected rows (search/projection.py), the vector cache the
    model's own; the full vectors and the projected ones find the same practice first."""
    from search import projection

    index = SearchIndex(tmp_path / "projected", embedder=model)
    index.rebuild(DOCS, seq=0)
    table = index._fresh()[1].vectors
    kept = projection.for_model(model.name, model.dim)
    assert kept is not None and table.dim == kept.dim < model.dim
    assert all(p.rows.shape[1] == kept.dim for p in table.parts if len(p.rows))
    key = content_key(model.name, passages(DOCS[0]))
    assert index.vector_cache().get([key])[key].shape[1] == model.dim
    assert any(kept.tag in p.name for p in index.current_dir().glob("vec-*"))

    monkeypatch.setenv(projection.SETTING, "off")
    full = SearchIndex(tmp_path / "full", embedder=model)
    full.rebuild(DOCS, seq=0)
    assert full._fresh()[1].vectors.dim == model.dim
    for q, expected in QUERIES_BY_MEANING.items():
        assert index.search(SearchParams(q=q)).ids[0] == expected
        assert full.search(SearchParams(q=q)).ids[0] == expected
    index.close()
    full.close()


def test_a_search_racing_the_first_use_of_the_vector_cache_gets_the_projected_space(
    tmp_path, model, monkeypatch
):
    """The background writer (repair at start-up: complete_vector_files) and a request both
    reach vector_cache() first: the request must never see the cache without its projection,
    or it builds a table (and caches query vectors) in the model's 512 dimensions while later
    query vectors are projected, and searches fail with a shape error."""
    import threading

    from search import engine

    SearchIndex(tmp_path / "index", embedder=model).rebuild(DOCS, seq=0)
    reader = SearchIndex(tmp_path / "index", embedder=model)  # a worker just started
    real, inside, gate = engine.for_model, threading.Event(), threading.Event()

    def slow(*args, **kwargs):  # the basis being read from disk
        inside.set()
        gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "for_model", slow)
    first = threading.Thread(target=reader.vector_cache)
    first.start()
    inside.wait(5)
    try:
        during = threading.Thread(target=reader.search, args=(SearchParams(q="refuge"),))
        during.start()
        during.join(0.5)
    finally:
        gate.set()
        first.join()
        during.join()
    for q, expected in QUERIES_BY_MEANING.items():
        assert reader.search(SearchParams(q=q)).ids[0] == expected
    assert reader._fresh()[1].vectors.dim == reader._projection.dim
    reader.close()


class Keyed:
    """An embedder whose vectors the test sets: a text gets the vector of the first key it
    contains, any other text one at right angles to them all."""

    name, dim = "keyed-test", 3

    def __init__(self, keys: dict[str, list[float]]):
        self.keys = keys

    def _vector(self, text: str) -> np.ndarray:
        lowered = text.lower()
        for key, vector in self.keys.items():
            if key in lowered:
                return np.asarray(vector, dtype=np.float32)
        return np.asarray([0.0, 0.0, 1.0], dtype=np.float32)

    def passages(self, texts):
        return np.stack([self._vector(t) for t in texts])

    def query(self, text):
        return self._vector(text)


def test_a_query_naming_only_facet_values_ranks_by_its_words_first(tmp_path):
    """The query "GRETA monitoring" names two concepts that are facet values (an intergovernmental
    actor, a practice type): the practice matching both comes first, however close the model
    puts a practice that only speaks of monitoring. A query with another word is fused as
    before, meaning at full weight."""
    embedder = Keyed(
        {"cotton": [1.0, 0.0, 0.0], "greta monitoring": [1.0, 0.0, 0.0], "greta": [0.0, 1.0, 0.0]}
    )
    index = SearchIndex(tmp_path / "index", embedder=embedder)
    index.rebuild(
        [
            doc(1, "GRETA country evaluations", "Monitoring of the Convention by GRETA."),
            doc(2, "Cotton harvest checks", "Monitoring of child labour in the cotton harvest."),
        ],
        seq=0,
    )
    try:
        assert index.search(SearchParams(q="GRETA monitoring")).ids == [1, 2]
        assert index.search(SearchParams(q="GRETA monitoring harvest")).ids[0] == 2
    finally:
        index.close()


def test_a_neighbour_by_meaning_with_some_of_the_words_ranks_above_one_with_none(tmp_path):
    """Four words, two needed to match by words: the rapporteurs have one or none, and match by
    meaning alone, equally close. The one that also says "independent" comes first; before, the
    words counted for nothing below the minimum and the order between them was chance."""
    embedder = Keyed(
        {"schools": [0.0, 1.0, 0.0], "watchdog": [1.0, 0.0, 0.0], "rapporteur": [1.0, 0.0, 0.0]}
    )
    index = SearchIndex(tmp_path / "index", embedder=embedder)
    index.rebuild(
        [
            doc(1, "Independent rapporteur", "An independent rapporteur publishes yearly."),
            doc(2, "Annual rapporteur", "The rapporteur publishes yearly."),
            doc(3, "Watchdog reviews progress of schools", "Schools watchdog reviews progress."),
        ],
        seq=0,
    )
    try:
        result = index.search(SearchParams(q="independent watchdog reviews progress"))
        assert result.ids == [1, 2, 3] and result.total == 3
    finally:
        index.close()
