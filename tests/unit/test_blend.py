"""The blend of two sentence models (the default semantic layer): its similarity, its shortcut for
short queries, its prefetch, the real second model, and USE alone when the second model cannot
load."""

import logging
import time

import numpy as np
import pytest

from search import SearchIndex, SearchParams, blend, semantic, vectors
from search.fusion import USE_SCALE
from search.projection import for_model
from tests.unit.test_search_engine import doc
from tests.unit.test_semantic import DOCS, Keyed

BLENDED = {semantic.SETTING: "blend"}


class Fixed:
    """An embedder that returns the vectors it is given, for checking the arithmetic."""

    def __init__(self, name, table):
        self.name, self.table = name, table
        self.dim = len(next(iter(table.values())))

    def passages(self, texts):
        return np.array([self.table[t] for t in texts], dtype=np.float32)

    def query(self, text):
        return np.asarray(self.table[text], dtype=np.float32)


def unit(*values):
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize(
    "text, brief",
    [
        ("shelter", True),
        ("  shelters! ", True),
        ("", True),
        ("GRETA monitoring", True),
        ("code of conduct", True),  # small words aside
        ("campaign OR radio", True),
        ("торговля людьми", True),
        ("贩运人口", True),  # four characters: two words, written without a space
        ("shelters for women and children", False),
        ("national referral mechanism", False),
        ("贩运人口案件的数据收集", False),
        ("принудительные браки профилактика", False),
    ],
)
def test_queries_of_one_or_two_words_are_told_apart(text, brief):
    assert blend.short(text) is brief


def test_the_blended_similarity_is_the_share_weighted_sum_of_both_cosines():
    first = Fixed("a", {"p": unit(1, 0, 0), "q one two": unit(1, 1, 0), "q": unit(1, 1, 0)})
    second = Fixed("b", {"p": unit(0, 1, 1), "q one two": unit(0, 1, 0), "q": unit(0, 1, 0)})
    centre = np.array([0.1, 0.0, 0.2], dtype=np.float32)
    model = blend.Blend(first, second, centre, share=0.3)
    row = model.passages(["p"])[0]
    assert model.dim == 6 and row.shape == (6,)
    centred = lambda v: (v - centre) / np.linalg.norm(v - centre)  # noqa: E731
    cos_first = float(unit(1, 0, 0) @ unit(1, 1, 0))
    cos_second = float(centred(unit(0, 1, 1)) @ centred(unit(0, 1, 0)))
    assert row @ model.query("q one two") == pytest.approx(
        0.3 * cos_first + 0.7 * cos_second, abs=1e-6
    )
    # One word: the first model's cosine alone, on the same scale.
    assert row @ model.query("q") == pytest.approx(cos_first, abs=1e-6)
    # Another centre is another model: its vectors are never mixed with these.
    assert blend.Blend(first, second, centre * 2).name != model.name


class Slow(Fixed):
    """A second model that takes its time, like e5 (7 ms a query), and counts its calls."""

    def __init__(self, name, table, seconds):
        super().__init__(name, table)
        self.seconds, self.calls = seconds, []

    def query(self, text):
        self.calls.append(text)
        time.sleep(self.seconds)  # lets go of the GIL, as e5's C engine does
        return super().query(text)


def test_a_querys_second_embedding_runs_while_its_words_are_matched(tmp_path):
    """The search starts the second model's embedding before matching the words (prefetch), so a
    query of three words or more does not wait for both one after the other; the vector is the
    same as without it, and a short query never calls the second model."""
    q = "shelters for women and children"
    first = Fixed("a", {q: unit(1, 0), "shelter": unit(1, 1), "p": unit(1, 0)})
    second = Slow("b", {q: unit(0, 1), "shelter": unit(1, 0), "p": unit(0, 1)}, seconds=0.3)
    model = blend.Blend(first, second, np.zeros(2, dtype=np.float32))
    expected = blend.Blend(first, Fixed("b", second.table), np.zeros(2, dtype=np.float32)).query(q)
    started = time.monotonic()
    model.prefetch(q)
    time.sleep(0.3)  # the words being matched meanwhile
    vector = model.query(q)
    assert time.monotonic() - started < 0.5  # not 0.6: the two overlapped
    assert np.allclose(vector, expected) and second.calls == [q]
    model.prefetch("shelter")
    model.query("shelter")
    assert second.calls == [q]


def test_a_parallel_rebuild_after_searches_finishes(tmp_path):
    """A full rebuild forks one writer per part after searches have started the blend's thread;
    a forked writer embedding its practices must not wait for that thread, which a fork does not
    copy (it waited forever, holding the index's lock)."""
    import multiprocessing
    import threading

    keys = {"fishermen": [1, 0, 0], "shelter": [0, 1, 0], "judges": [0, 0, 1]}
    model = blend.Blend(Keyed(keys), Keyed(keys), np.zeros(3, dtype=np.float32))
    vectors._MEMORY.clear()
    index = SearchIndex(tmp_path / "index", embedder=model)
    index.rebuild(DOCS, seq=0)
    try:
        assert index.search(SearchParams(q="safe shelter for women tonight")).ids[0] == 2
        more = [doc(n, f"Shelter {n} for women", "Safe accommodation.") for n in range(4, 10)]
        parts = [lambda: DOCS, lambda: more]
        done = threading.Thread(
            target=index.rebuild, args=([], 1), kwargs={"parts": parts}, daemon=True
        )
        done.start()
        done.join(timeout=60)
        if done.is_alive():  # end the hung writers, so that the test run goes on
            for child in multiprocessing.active_children():
                child.terminate()
        assert not done.is_alive(), "the rebuild's forked writers hung"
        index.mark_stale()
        assert index.search(SearchParams(q="shelter")).total == 7
    finally:
        index.close()


def test_the_blend_reads_its_similarities_on_its_own_scale_and_one_word_on_the_first_models():
    first = Fixed("a", {"q": unit(1, 0)})
    second = Fixed("b", {"q": unit(0, 1)})
    model = blend.Blend(first, second, np.zeros(2, dtype=np.float32))
    assert model.scale("shelter") == USE_SCALE
    assert model.scale("shelter for women and children") == blend.SCALE
    assert blend.SCALE.floor > USE_SCALE.floor and blend.SCALE.threshold > USE_SCALE.threshold


class Scaled(Keyed):
    def __init__(self, keys, scale):
        super().__init__(keys)
        self._scale = scale

    def scale(self, text):
        return self._scale


@pytest.mark.parametrize("scale, found", [(USE_SCALE, [1]), (blend.SCALE, [])])
def test_a_practice_matches_by_meaning_only_above_its_models_threshold(tmp_path, scale, found):
    """A similarity of 0.28 makes a semantic neighbour for USE, whose unrelated texts stay
    below 0.20, but not for the blend, whose unrelated texts reach 0.30."""
    embedder = Scaled({"crew": [0.28, 0.96, 0.0], "hotline": [1.0, 0.0, 0.0]}, scale)
    index = SearchIndex(tmp_path / "index", embedder=embedder)
    index.rebuild([doc(1, "Hotline for fishermen", "Call a free number.")], seq=0)
    try:
        result = index.search(SearchParams(q="crew welfare"))
        assert result.ids == found and result.total == len(found)
    finally:
        index.close()


@pytest.fixture(scope="module")
def blended():
    semantic._loaded.pop(semantic.BLEND, None)
    model = semantic.load(BLENDED)
    assert isinstance(model, blend.Blend), semantic.degraded_reason(BLENDED)
    return model


def test_the_second_model_installs_with_the_tests_and_its_files_are_the_pinned_ones(blended):
    assert blended.second.dim == 384
    row = blended.second.passages(["Shelter for women"])[0]
    assert np.linalg.norm(row) == pytest.approx(1.0, abs=1e-4)
    # A basis is shipped for the blend: rows and queries are compared in 192 dimensions.
    assert for_model(blended.name, blended.dim).dim == 192


def test_passages_embedded_in_parallel_come_back_in_order_and_as_one_at_a_time(blended):
    from concurrent.futures import ThreadPoolExecutor

    e5 = blended.second
    texts = [f"Programme {n}: shelters and hotlines for workers in sector {n}" for n in range(40)]
    alone = np.vstack([e5._model.passage([text]) for text in texts])
    threads, e5._threads = e5._threads, blend.Threads(4, "e5-test")  # four, whatever the cores
    try:
        assert e5.passages([]).shape == (0, 384)
        for count in (1, 7, 16, 17, 40):  # a publication's handful is split as a rebuild's are
            assert np.allclose(e5.passages(texts[:count]), alone[:count], atol=1e-6)
    finally:
        e5._threads = threads
    # Queries from several request threads at once (no lock) give each its own vector.
    with ThreadPoolExecutor(4) as pool:
        rows = list(pool.map(e5.query, texts[:12]))
    assert np.allclose(np.vstack(rows), np.vstack([e5.query(t) for t in texts[:12]]), atol=1e-6)
    assert not np.allclose(rows[0], rows[1])


def test_a_blended_search_finds_by_meaning_across_languages(tmp_path, blended):
    vectors._MEMORY.clear()
    index = SearchIndex(tmp_path / "index", embedder=blended)
    index.rebuild(DOCS, seq=0)
    try:
        q = "teléfono de ayuda para marineros retenidos en barcos"  # no word in common
        assert SearchIndex(index.root, embedder=None).search(SearchParams(q=q)).total == 0
        assert index.search(SearchParams(q=q)).ids[0] == 1
        assert index.search(SearchParams(q="sourdough starter hydration ratio")).total == 0
        assert index.semantic_status() == "ok"
    finally:
        index.close()


def test_without_the_second_model_search_runs_on_the_first_and_says_so(monkeypatch, caplog):
    def refused():
        raise ValueError("e5-small-q4.bin has digest 0000…, 1571… pinned")

    monkeypatch.setattr(blend, "E5Small", refused)
    monkeypatch.setattr(semantic, "_loaded", {})
    monkeypatch.setattr(semantic, "_notes", {})
    with caplog.at_level(logging.WARNING, logger="search.semantic"):
        model = semantic.load(BLENDED)
    assert isinstance(model, semantic.UniversalSentenceEncoder)
    assert caplog.text.count("e5 did not load") == 1
    assert "Universal Sentence Encoder alone" in semantic.degraded_reason(BLENDED)
    # The first model alone (PRACTICES_SEMANTIC=use) is not affected by the blend's trouble.
    assert semantic.degraded_reason({semantic.SETTING: "use"}) is None


@pytest.mark.parametrize(
    "setting, blended, on",
    [
        (None, True, True),
        ("on", True, True),
        ("blend", True, True),
        ("use", False, True),
        ("off", False, False),
    ],
)
def test_the_blend_is_the_default_and_a_setting_chooses_the_first_model_alone_or_none(
    setting, blended, on
):
    environ = {} if setting is None else {semantic.SETTING: setting}
    assert semantic.wants_blend(environ) is blended
    assert semantic.enabled(environ) is on


def test_second_model_files_other_than_the_pinned_ones_are_refused(tmp_path):
    (tmp_path / "e5-small-q4.bin").write_bytes(b"other weights")
    with pytest.raises(ValueError, match=r"e5-small-q4\.bin"):
        semantic.check_files(tmp_path, {"e5-small-q4.bin": blend.PINNED_FILES["e5-small-q4.bin"]})
