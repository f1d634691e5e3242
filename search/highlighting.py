"""Snippets: short passages with the matched words marked, built from escaped text only."""

from markupsafe import escape
from whoosh import highlight
from whoosh.analysis import Token
from whoosh.analysis.tokenizers import default_pattern

from search.stopwords import is_stop

MAX_SNIPPET_CHARS = 240


class EscapingFormatter(highlight.Formatter):
    """Escapes every piece of the stored text, so user content can never inject HTML."""

    between = " … "

    def _text(self, text: str) -> str:
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"


class MarkingAnalyzer:
    """The text analyzer as Whoosh's highlighter calls it, each word analysed once per process.

    The highlighter ran every word of every result's summary through the whole filter chain
    (about 100 words a result), most of a search's time after matching. Every filter works on
    one word at a time, so a word's terms are the same wherever it stands: this splits the text
    as the analyzer's tokenizer does and looks each word up."""

    LIMIT = 50_000  # words remembered (a few MB); forgotten all at once past this

    def __init__(self, analyzer):
        self.analyzer = analyzer
        self._terms: dict[str, tuple[str, ...]] = {}

    def terms(self, word: str) -> tuple[str, ...]:
        found = self._terms.get(word)
        if found is None:
            found = tuple(t.text for t in self.analyzer(word, removestops=False))
            if len(self._terms) >= self.LIMIT:
                self._terms = {}
            self._terms[word] = found
        return found

    def words(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """Each word of the text: where it starts and ends, and its terms."""
        return [(m.start(), m.end(), self.terms(m.group())) for m in default_pattern.finditer(text)]

    def __call__(self, text: str, **kwargs):
        return _tokens(self.words(text))


class _Given:
    """The words already split (MarkingAnalyzer.words), as the analyzer Whoosh's highlighter
    calls."""

    def __init__(self, words):
        self.words = words

    def __call__(self, text: str, **kwargs):
        return _tokens(self.words)


def _tokens(words):
    for start, end, terms in words:
        for term in terms:
            yield Token(chars=True, text=term, startchar=start, endchar=end, boost=1.0)


def snippet(
    query, marking: MarkingAnalyzer, summary: str, body: str, extra: frozenset[str] = frozenset()
) -> str:
    """The best passages of the summary or body, the query's terms (and `extra` terms, such as
    a concept's labels) marked."""
    terms = extra | frozenset(
        word
        for field, text in query.iter_all_terms()
        if field in ("title", "summary", "body", "organisation", "places", "translated")
        for word in [text.decode("utf-8") if isinstance(text, bytes) else text]
        if not is_stop(word)  # "victimes de la traite": marking every "de" hides what matters
    )
    fragmenter = highlight.ContextFragmenter(maxchars=MAX_SNIPPET_CHARS // 2, surround=60)
    formatter = EscapingFormatter()
    for text in (summary, body):
        if text and terms:
            words = marking.words(text)
            if not any(term in terms for _start, _end, found in words for term in found):
                continue  # nothing to mark: Whoosh's fragmenter would step through for nothing
            found = highlight.highlight(text, terms, _Given(words), fragmenter, formatter, top=2)
            if found:
                return found
    short = summary if len(summary) <= MAX_SNIPPET_CHARS else summary[:MAX_SNIPPET_CHARS] + "…"
    return str(escape(short))
