"""The search page and the search API: one serializer, two renderings."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from repository import facets
from repository.discovery import feeds
from repository.discovery.params import parse_search, parse_search_form
from repository.discovery.payload import search_payload
from repository.i18n import N_, _
from repository.params import MAX_ID
from repository.practices import queries
from repository.web import render

SHOWN_VALUES = 8


def search_page(request: Request):
    params, form_errors, year_values = parse_search_form(request.query_params)
    payload = search_payload(request.app.state.index, params)
    if payload["total"] == 0 and params.q and params.page == 1:
        request.app.state.misses.add(params.q)
    context = {
        "search": payload,
        "params": params,
        "facet_labels": {name: f.label for name, f in facets.REGISTRY.items()},
        "shown_values": SHOWN_VALUES,
        "form_errors": form_errors,
        "year_values": year_values,
        # A message about one result (added to the brief) is shown beside its card.
        "flash_targets": [r["id"] for r in payload["results"]],
        "sort_options": [
            ("relevance", _("Relevance")),
            ("newest", _("Most recent activity")),
            ("oldest", _("Earliest start")),
            ("added", _("Recently added")),
            ("title", _("Title")),
        ],
    }
    return render(request, "search.html", context, 400 if form_errors else 200)


def search_api(request: Request):
    params = parse_search(request.query_params)
    return JSONResponse(search_payload(request.app.state.index, params))


def practice_api(request: Request):
    practice_id = request.path_params["practice_id"]
    if practice_id > MAX_ID:
        raise HTTPException(404)
    document = queries.public_document(request.app.state.db, practice_id)
    if document is None:
        raise HTTPException(404, N_("no published practice with this id"))
    return JSONResponse(document)


routes = [
    Route("/search", search_page, name="search"),
    Route("/api/search", search_api, name="api_search"),
    Route("/api/practices/{practice_id:int}", practice_api, name="api_practice"),
    Route("/search.atom", feeds.atom_feed, name="search_atom"),
    Route("/feeds/new.atom", feeds.atom_feed, name="new_atom"),
    Route("/search.csv", feeds.export_csv, name="search_csv"),
    Route("/search.json", feeds.export_json, name="search_json"),
]
