"""Search parameters in, search results out: plain data shared with the application."""

from dataclasses import dataclass, field

# Facet name (the query parameter) -> the document key holding its value(s).
FACETS = {
    "pillar": "pillars",
    "actor_type": "actor_types",
    "region": "regions",
    "un_group": "un_groups",
    "country": "countries",
    "exploitation_form": "exploitation_forms",
    "target_group": "target_groups",
    "practice_type": "practice_type",
    "evidence": "evidence",
    "language": "language",
    "instrument": "instruments",
}
# newest: the most recent activity first (ongoing practices, then by the year they ended, then
# by the year they started); oldest: the earliest start first; added: the last published first.
SORTS = ("relevance", "newest", "oldest", "added", "title")
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 16


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    # facet name -> selected values; several values of one facet combine with OR.
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    # Search the words exactly as typed: no spelling correction (and, in the application, no
    # places turned into filters).
    as_typed: bool = False
    # Areas named in the words (a sub-region such as "West Africa"), each as (the words as
    # typed, its countries' ISO codes): a practice of those countries matches the words' topic,
    # so it ranks above one that only mentions them. Set by the application, not a parameter.
    areas: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The reader's language: a snippet comes from the practice's summary in it, where the
    # practice has a translation there that the query's words are found in.
    reader: str = ""

    @classmethod
    def build(cls, filters: dict[str, list[str]] | None = None, **kwargs) -> "SearchParams":
        """Parameters with filters given as a dict; normalised so equal searches compare equal."""
        items = tuple(
            sorted(
                (name, tuple(sorted(set(values))))
                for name, values in (filters or {}).items()
                if values
            )
        )
        return cls(filters=items, **kwargs)

    def selected(self, facet: str) -> tuple[str, ...]:
        return dict(self.filters).get(facet, ())


@dataclass
class SearchResult:
    ids: list[int]
    total: int
    # facet name -> {value: count}, each counted with every other facet's filter applied.
    facets: dict[str, dict[str, int]]
    snippets: dict[int, str] = field(default_factory=dict)  # id -> HTML with <mark>, escaped
    # id -> the language of a snippet taken from a translation (the others are the original's).
    snippet_languages: dict[int, str] = field(default_factory=dict)
    cards: dict[int, dict] = field(default_factory=dict)  # id -> the card stored with the document
    suggestion: str | None = None  # a correction offered for a strict query
    searched: str | None = None  # the corrected words searched instead of the typed ones
    # facet name -> total if that facet's filter were removed (for zero-result help).
    totals_without: dict[str, int] = field(default_factory=dict)
    pages: int = 1
