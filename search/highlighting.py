"""Snippets: short passages with the matched words marked, built from escaped text only."""

from markupsafe import escape
from whoosh import highlight

from search.stopwords import is_stop

MAX_SNIPPET_CHARS = 240


class EscapingFormatter(highlight.Formatter):
    """Escapes every piece of the stored text, so user content can never inject HTML."""

    between = " … "

    def _text(self, text: str) -> str:
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"


def snippet(query, analyzer, summary: str, body: str, extra: frozenset[str] = frozenset()) -> str:
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
            found = highlight.highlight(text, terms, analyzer, fragmenter, formatter, top=2)
            if found:
                return found
    short = summary if len(summary) <= MAX_SNIPPET_CHARS else summary[:MAX_SNIPPET_CHARS] + "…"
    return str(escape(short))
