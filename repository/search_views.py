"""The search page and the JSON API: one function builds the data, two render it."""

from urllib.parse import quote_plus, urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from repository.i18n import _
from repository.pages import MAX_ID
from repository.params import BadParameter
from repository.practices import queries
from repository.practices.documents import to_public
from repository.search_params import FACET_LABELS, parse_search, to_query
from repository.templating import LABELS, label
from repository.web import render
from search import FACETS, IndexUnavailable, SearchParams, SearchResult

SEARCH_PATH = "/search"
SHOWN_VALUES = 8
# Each facet's labels live under the name of its document key (LABELS in templating).
_LABEL_VOCABULARY = FACETS
_ALWAYS_LISTED = {"pillar"}


def value_label(facet: str, value: str) -> str:
    return label(_LABEL_VOCABULARY[facet], value)


def search_url(params: SearchParams, **changes) -> str:
    pairs = to_query(params, **changes)
    return f"{SEARCH_PATH}?{urlencode(pairs)}" if pairs else SEARCH_PATH


def _vocabulary_order(facet: str) -> list[str] | None:
    if facet in ("country", "language"):
        return None
    return list(LABELS[_LABEL_VOCABULARY[facet]])


def facet_entries(params: SearchParams, facet: str, counts: dict[str, int]) -> list[dict]:
    selected = set(params.selected(facet))
    order = _vocabulary_order(facet)
    if order is not None:
        values = [v for v in order if counts.get(v) or v in selected or facet in _ALWAYS_LISTED]
    else:
        values = sorted(
            set(counts) | selected, key=lambda v: (-counts.get(v, 0), value_label(facet, v))
        )
    # Toggle URLs share everything but this facet's values: encode that part once (a country
    # facet has ~200 values, and urlencode per value dominated the response time).
    prefix = urlencode(to_query(params, **{facet: []}, page=None))
    entries = []
    for value in values:
        chosen = value in selected
        toggled = sorted(selected - {value}) if chosen else sorted(selected | {value})
        own = "&".join(f"{facet}={quote_plus(v)}" for v in toggled)
        query = "&".join(part for part in (prefix, own) if part)
        entries.append(
            {
                "value": value,
                "label": value_label(facet, value),
                "count": counts.get(value, 0),
                "selected": chosen,
                "toggle_url": f"{SEARCH_PATH}?{query}" if query else SEARCH_PATH,
            }
        )
    return entries


def _result(card: dict, snippet: str | None) -> dict:
    return {
        "id": card["id"],
        "title": card["title"],
        "summary": card["summary"],
        "url": card["url"],
        "organisation": card["organisation"],
        "countries": card["countries"],
        "country_names": card["country_names"],
        "pillars": card["pillars"],
        "actor_types": card["actor_types"],
        "start_year": card["start_year"],
        "end_year": card["end_year"],
        "snippet": snippet,
    }


def _active_filters(params: SearchParams) -> list[dict]:
    active = []
    for facet, values in params.filters:
        for value in values:
            remaining = [v for v in values if v != value]
            active.append(
                {
                    "facet": facet,
                    "value": value,
                    "label": f"{_(FACET_LABELS[facet])}: {value_label(facet, value)}",
                    "remove_url": search_url(params, **{facet: remaining}, page=None),
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


def _zero_help(index, params: SearchParams, result: SearchResult) -> dict | None:
    if result.total:
        return None
    loosest = max(result.totals_without.items(), key=lambda item: item[1], default=None)
    remove = None
    if loosest and loosest[1] > 0:
        facet = loosest[0]
        remove = {
            "facet": facet,
            "label": _(FACET_LABELS[facet]),
            "total": loosest[1],
            "url": search_url(params, **{facet: []}, page=None),
        }
    related = [_result(card, None) for _id, card in index.related(params.q)]
    return {"remove_filter": remove, "related": related}


def search_payload(index, params: SearchParams) -> dict:
    """The one serializer of a search: the JSON API returns it, the page renders it.

    Kept by the index until it changes, so a repeated search costs a dictionary lookup.
    """
    return index.memo(("payload", params), lambda: _build_payload(index, params))


def _build_payload(index, params: SearchParams) -> dict:
    result = index.search(params)
    if params.page > result.pages:
        raise BadParameter(
            "page", _("is past the end: there are %(n)d pages") % {"n": result.pages}
        )
    facets = {facet: facet_entries(params, facet, result.facets.get(facet, {})) for facet in FACETS}
    links = {"self": search_url(params)}
    if params.page > 1:
        links["prev"] = search_url(params, page=params.page - 1)
    if params.page < result.pages:
        links["next"] = search_url(params, page=params.page + 1)
    return {
        "query": {
            "q": params.q,
            "filters": {facet: list(values) for facet, values in params.filters},
            "year_from": params.year_from,
            "year_to": params.year_to,
            "sort": params.sort,
        },
        "total": result.total,
        "page": params.page,
        "per_page": params.per_page,
        "pages": result.pages,
        "results": [_result(result.cards[i], result.snippets.get(i)) for i in result.ids],
        "facets": facets,
        "suggestion": result.suggestion,
        "suggestion_url": search_url(params, q=result.suggestion, page=None)
        if result.suggestion
        else None,
        "active_filters": _active_filters(params),
        "clear_url": search_url(SearchParams(q=params.q)),
        "zero_results": _zero_help(index, params, result),
        "links": links,
    }


def _index(request: Request):
    return request.app.state.index


def search_page(request: Request):
    params = parse_search(request.query_params)
    try:
        payload = search_payload(_index(request), params)
    except IndexUnavailable:
        raise HTTPException(
            503, _("Search is being rebuilt; please try again in a minute.")
        ) from None
    if payload["total"] == 0 and params.q and params.page == 1:
        from repository.coverage import record_miss

        record_miss(request.app.state.db, params.q)
    context = {
        "search": payload,
        "params": params,
        "facet_labels": FACET_LABELS,
        "shown_values": SHOWN_VALUES,
        "header_q": params.q,
        "sort_options": [
            ("relevance", _("Relevance")),
            ("newest", _("Newest")),
            ("oldest", _("Oldest")),
            ("title", _("Title")),
        ],
    }
    return render(request, "search.html", context)


def search_api(request: Request):
    params = parse_search(request.query_params)
    try:
        return JSONResponse(search_payload(_index(request), params))
    except IndexUnavailable:
        raise HTTPException(503, "search index unavailable; try again shortly") from None


def practice_api(request: Request):
    practice_id = request.path_params["practice_id"]
    if practice_id > MAX_ID:
        raise HTTPException(404)
    with request.app.state.db.read() as session:
        practice = queries.published_practice(session, practice_id)
        if practice is None:
            raise HTTPException(404, "no published practice with this id")
        document = to_public(practice)
    return JSONResponse(document)
