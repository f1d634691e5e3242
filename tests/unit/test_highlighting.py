"""Snippets mark the same words whichever way the text is analysed."""

import pytest
from markupsafe import Markup

from search.analysis import text_analyzer
from search.highlighting import MarkingAnalyzer, snippet
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
    query, marked = builder.parse("hotline"), builder.highlight_terms("hotline")
    found = snippet(
        query, builder.marking, "A shelter.", "They run a <b>hotline</b> & more.", marked
    )
    assert "<mark>hotline</mark>" in found and "&lt;b&gt;" in found and "&amp;" in found
    nothing = snippet(query, builder.marking, "A shelter for adults.", "Judges trained.", marked)
    assert nothing == str(Markup.escape("A shelter for adults."))
