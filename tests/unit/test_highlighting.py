"""Snippets mark the same words whichever way the text is analysed."""

import pytest
from markupsafe import Markup

from search.analysis import text_analyzer
from search.highlighting import MarkingAnalyzer, snippet, snippet_terms
from search.querying import QueryBuilder, load_synonyms
from search.schema import make_schema

TEXTS = [
    "Labor inspectors organized 3.5 visits to the U.N. shelter; the Organization's programme.",
    "Refugios para víctimas de trata: el Ministerio coordinó la atención en 2019.",
    "Уголовное преследование торговцев людьми и защита пострадавших.",
    "الضحايا في مراكز الإيواء، وبرامج إعادة الإدماج",
    "公安部打击拐卖妇女儿童犯罪 and the hotline 110",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_marking_analyzer_gives_the_text_analyzers_terms_at_the_same_places(text):
    expected = [
        (t.text, t.startchar, t.endchar)
        for t in text_analyzer()(text, chars=True, removestops=False, mode="query")
    ]
    marking = MarkingAnalyzer(text_analyzer())
    assert [(t.text, t.startchar, t.endchar) for t in marking(text)] == expected
    # Asked again, the words come from memory and are still the same.
    assert [(t.text, t.startchar, t.endchar) for t in marking(text)] == expected


def test_a_snippet_marks_the_query_words_in_the_summary_or_else_the_body():
    builder = QueryBuilder(make_schema(), load_synonyms(None))
    query = builder.parse("hotline")
    marked = snippet_terms(query, builder.highlight_terms("hotline"))
    found = snippet(builder.marking, "A shelter.", "They run a <b>hotline</b> & more.", marked)
    assert "<mark>hotline</mark>" in found and "&lt;b&gt;" in found and "&amp;" in found
    nothing = snippet(builder.marking, "A shelter for adults.", "Judges trained.", marked)
    assert nothing == str(Markup.escape("A shelter for adults."))


def _whoosh_passages(text, words, terms):
    """The snippet as Whoosh's own highlighter built it before (search/highlighting.py's
    port must give exactly this)."""
    from whoosh import highlight

    from search.highlighting import MAX_SNIPPET_CHARS, _tokens

    class Escaping(highlight.Formatter):
        between = " … "

        def _text(self, text):
            return str(Markup.escape(text))

        def format_token(self, text, token, replace=False):
            return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"

    def given(_text, **_kwargs):
        return _tokens(words)

    fragmenter = highlight.ContextFragmenter(maxchars=MAX_SNIPPET_CHARS // 2, surround=60)
    return highlight.highlight(text, terms, given, fragmenter, Escaping(), top=2)


def test_passages_are_the_ones_whooshs_highlighter_chose_on_varied_texts():
    import random

    from search.highlighting import _best_passages

    rng = random.Random(7)
    vocabulary = [
        "trafficking",
        "victims",
        "shelter",
        "labour",
        "inspectors",
        "the",
        "of",
        "a",
        "and",
        "hotline",
        "Ministerio",
        "víctimas",
        "пострадавших",
        "الضحايا",
        "拐卖",
        "<b>",
        "&",
        "supply-chain",
        "3.5",
        "U.N.",
        "x" * 130,  # a word longer than a passage
    ]
    marking = MarkingAnalyzer(text_analyzer())
    compared = marked = 0
    for _ in range(400):
        words = rng.choices(vocabulary, k=rng.randint(0, 160))
        text = " ".join(words) + rng.choice(["", ".", " …"])
        terms = frozenset(t for w in rng.sample(vocabulary, 3) for t in marking.terms(w))
        split = marking.words(text)
        expected = _whoosh_passages(text, split, terms)
        assert _best_passages(text, split, terms) == expected, text
        compared += 1
        marked += "<mark>" in expected
    assert compared == 400 and marked > 200  # most texts had something to mark
