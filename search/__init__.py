"""Everything Whoosh: the only package that imports it.

It takes plain documents (dicts) and search parameters and returns plain results: ranked ids,
facet counts and snippets. It imports nothing from the application.
"""

from search import buffers  # noqa: F401 - installed on import, before any index is opened
from search.engine import IndexBusy, IndexUnavailable, SearchIndex
from search.params import FACETS, SORTS, SearchParams, SearchResult

__all__ = [
    "FACETS",
    "SORTS",
    "IndexBusy",
    "IndexUnavailable",
    "SearchIndex",
    "SearchParams",
    "SearchResult",
]
