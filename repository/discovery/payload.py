"""The one serializer of a search: the page renders it, the JSON API returns it, feeds and
downloads read it. A search result has one shape everywhere (`result`)."""

from urllib.parse import urlencode

from repository import facets
from repository.discovery.params import to_query
from repository.i18n import _
from search import FACETS, SearchParams, SearchResult

SEARCH_PATH = "/search"


def search_url(params: SearchParams, path: str = SEARCH_PATH, **changes) -> str:
    pairs = to_query(params, **changes)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def facet_entries(params: SearchParams, name: str, counts: dict[str, int]) -> list[dict]:
    """Each value as {value, label, count, selected}, in vocabulary order or by count."""
    facet = facets.facet(name)
    selected = set(params.selected(name))
    if facet.ordered:
        values = [v for v in facet.values if counts.get(v) or v in selected or facet.always_listed]
    else:
        values = sorted(
            set(counts) | selected, key=lambda v: (-counts.get(v, 0), facet.label_of(v))
        )
    return [
        {
            "value": value,
            "label": facet.label_of(value),
            "count": counts.get(value, 0),
            "selected": value in selected,
        }
        for value in values
    ]


def result(card: dict, snippet: str | None = None) -> dict:
    """One search result, from the card the index keeps with each document."""
    return {
        "id": card["id"],
        "title": card["title"],
        "summary": card["summary"],
        "url": card["url"],
        "organisation": card["organisation"],
        "countries": card["countries"],
        "country_names": card["country_names"],
        "scope": card.get("scope", "national" if card["countries"] else "global"),
        "scope_area_name": card.get("scope_area_name"),
        "pillars": card["pillars"],
        "actor_types": card["actor_types"],
        "start_year": card["start_year"],
        "end_year": card["end_year"],
        "snippet": snippet,
    }


def _active_filters(params: SearchParams) -> list[dict]:
    active = []
    for name, values in params.filters:
        facet = facets.facet(name)
        for value in values:
            remaining = [v for v in values if v != value]
            active.append(
                {
                    "facet": name,
                    "value": value,
                    "label": f"{facet.title()}: {facet.label_of(value)}",
                    "remove_url": search_url(params, **{name: remaining}, page=None),
                }
            )
    if params.year_from or params.year_to:
        span = f"{params.year_from or '…'}–{params.year_to or '…'}"
        active.append(
            {
                "facet": "years",
                "value": span,
                "label": f"{_('Years')}: {span}",
                "remove_url": search_url(params, year_from=None, year_to=None, page=None),
            }
        )
    return active


def _zero_help(index, params: SearchParams, found: SearchResult) -> dict | None:
    if found.total:
        return None
    loosest = max(found.totals_without.items(), key=lambda item: item[1], default=None)
    remove = None
    if loosest and loosest[1] > 0:
        name = loosest[0]
        remove = {
            "facet": name,
            "label": facets.facet(name).title(),
            "total": loosest[1],
            "url": search_url(params, **{name: []}, page=None),
        }
    related = [result(card) for _id, card in index.related(params.q)]
    return {"remove_filter": remove, "related": related}


def search_payload(index, params: SearchParams, path: str = SEARCH_PATH) -> dict:
    """The search as a dict; kept by the index until it changes, so a repeat costs a lookup."""
    return index.memo(("payload", params, path), lambda: _build(index, params, path))


def _build(index, params: SearchParams, path: str) -> dict:
    found = index.search(params)
    links = {"self": search_url(params, path)}
    if params.page > 1:
        # Past the end (a page number the API document allows, for a search that shrank since
        # its links were made): no results, and "prev" leads to the last page.
        links["prev"] = search_url(params, path, page=min(params.page - 1, found.pages))
    if params.page < found.pages:
        links["next"] = search_url(params, path, page=params.page + 1)
    return {
        "query": {
            "q": params.q,
            "filters": {name: list(values) for name, values in params.filters},
            "year_from": params.year_from,
            "year_to": params.year_to,
            "sort": params.sort,
        },
        "total": found.total,
        "page": params.page,
        "per_page": params.per_page,
        "pages": found.pages,
        "results": [result(found.cards[i], found.snippets.get(i)) for i in found.ids],
        "facets": {
            name: facet_entries(params, name, found.facets.get(name, {})) for name in FACETS
        },
        "suggestion": found.suggestion,
        "suggestion_url": search_url(params, q=found.suggestion, page=None)
        if found.suggestion
        else None,
        "active_filters": _active_filters(params),
        "clear_url": search_url(SearchParams(q=params.q)),
        "zero_results": _zero_help(index, params, found),
        "links": links,
    }
