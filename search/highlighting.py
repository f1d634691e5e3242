"""Snippets: short passages with the matched words marked, built from escaped text only."""

from collections import deque

from markupsafe import escape
from whoosh.analysis import Token
from whoosh.analysis.tokenizers import default_pattern

from search.stopwords import is_stop

MAX_SNIPPET_CHARS = 240


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


def _tokens(words):
    for start, end, terms in words:
        for term in terms:
            yield Token(chars=True, text=term, startchar=start, endchar=end, boost=1.0)


def _fragments(words, terms, maxchars: int, surround: int, charlimit: int = 2**15):
    """Whoosh's ContextFragmenter.fragment_tokens over (start, end, terms) words, as
    (startchar, endchar, matched tokens) without a Token object per word: the same fragments
    (tests/unit/test_highlighting.py compares them), several times faster."""
    first = None
    firsts: deque = deque()
    countdown = -1
    matched: list[tuple[int, int, str]] = []
    endchar = None
    currentlen = 0
    for startchar, endchar, found in words:
        length = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        for term in found:  # one token per term, as the analyzer yields them
            hit = term in terms
            if countdown < 0 and not hit:
                firsts.append(startchar)
                while firsts and endchar - firsts[0] > surround:
                    firsts.popleft()
            elif currentlen + length > maxchars:
                countdown = 0
            elif hit:
                countdown = surround
                if first is None:
                    if firsts:
                        first = firsts[0]
                    else:
                        first = startchar
                        countdown += surround
                matched.append((startchar, endchar, term))
            if countdown >= 0:
                currentlen += length
                countdown -= length
                if countdown <= 0:
                    yield first, endchar, matched
                    matched, firsts, first, currentlen = [], deque(), None, 0
    if matched:
        yield first, endchar, matched


def _best_passages(text: str, words, terms, top: int = 2) -> str:
    """Whoosh's highlight() with ContextFragmenter, BasicFragmentScorer and FIRST order: the
    `top` passages with the most matches times distinct terms, in text order, marked."""
    scored = []
    for start, end, matched in _fragments(words, terms, MAX_SNIPPET_CHARS // 2, 60):
        if not matched:
            continue  # a word longer than a passage ended it: nothing marked, no score
        distinct = len({term for _s, _e, term in matched})
        scored.append((float(len(matched)) * (distinct * 100 or 1), start, end, matched))
    best = sorted(scored, key=lambda item: (item[0], item[1]), reverse=True)[:top]
    best.sort(key=lambda item: item[1])
    return " … ".join(_marked(text, start, end, matched) for _score, start, end, matched in best)


def _marked(text: str, start: int, end: int, matched) -> str:
    output = []
    index = start
    for token_start, token_end, _term in sorted(matched, key=lambda m: (m[0], m[0] - m[1])):
        if token_start < index:
            continue  # a word's second term, or words overlapping
        if token_start > index:
            output.append(str(escape(text[index:token_start])))
        output.append(f"<mark>{escape(text[token_start:token_end])}</mark>")
        index = token_end
    output.append(str(escape(text[index:end])))
    return "".join(output)


def snippet(marking: MarkingAnalyzer, summary: str, body: str, terms: frozenset[str]) -> str:
    """The best passages of the summary or body, the terms (snippet_terms) marked."""
    found = marked_passages(marking, (summary, body), terms)
    if found:
        return found
    short = summary if len(summary) <= MAX_SNIPPET_CHARS else summary[:MAX_SNIPPET_CHARS] + "…"
    return str(escape(short))


def snippet_terms(query, extra: frozenset[str] = frozenset()) -> frozenset[str]:
    """The terms a search marks in its snippets: the query's, and `extra` ones (such as its
    concepts' labels). Once a search, not once a result."""
    return extra | frozenset(
        word
        for field, text in query.iter_all_terms()
        if field in ("title", "summary", "body", "organisation", "places", "translated")
        for word in [text.decode("utf-8") if isinstance(text, bytes) else text]
        if not is_stop(word)  # "victimes de la traite": marking every "de" hides what matters
    )


def marked_passages(marking: MarkingAnalyzer, texts, terms: frozenset[str]) -> str | None:
    """The best passages of the first of the texts that has any of the terms, marked; None if
    none has."""
    for text in texts:
        if text and terms:
            found = _best_passages(text, marking.words(text), terms)
            if found:
                return found
    return None
