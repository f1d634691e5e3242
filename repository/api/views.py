"""The JSON API beyond search: practices, facets, vocabularies, countries, API tokens and
draft submissions by partners' systems, described by an OpenAPI 3 document."""

import json

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from repository import facets, geography
from repository.accounts.sessions import require_user
from repository.api import tokens
from repository.api.openapi import document as openapi_document
from repository.discovery.params import parse_search
from repository.discovery.payload import search_payload
from repository.i18n import N_, _, current_locale
from repository.params import path_id
from repository.practices import messages, workflow
from repository.vocabularies import STATUSES
from repository.web import flash, redirect, render, with_form


def practices(request: Request) -> Response:
    """Published practices, filtered and paged like the search (same parameters)."""
    params = parse_search(request.query_params)
    path = str(request.app.url_path_for("api_practices"))
    payload = search_payload(request.app.state.index, params, path)
    return JSONResponse(
        {
            "total": payload["total"],
            "page": payload["page"],
            "per_page": payload["per_page"],
            "pages": payload["pages"],
            "results": payload["results"],
            "links": payload["links"],
        }
    )


def facets_api(request: Request) -> Response:
    params = parse_search(request.query_params)
    payload = search_payload(request.app.state.index, params)
    return JSONResponse({"total": payload["total"], "facets": payload["facets"]})


def vocabularies(request: Request) -> Response:
    """Every facet's values with their labels, from the facet registry, plus statuses and
    sub-regions (which are not facets)."""
    body = {
        f.key: [{"value": v, "label": f.label_of(v)} for v in f.values]
        for f in facets.FACET_LIST
        if f.name != "country"
    }
    body["status"] = [{"value": v, "label": _(label)} for v, label in STATUSES.terms]
    body["subregions"] = [{"value": v, "label": _(label)} for v, label in geography.SUBREGIONS]
    return JSONResponse(body)


def countries(request: Request) -> Response:
    language = current_locale()
    return JSONResponse(
        [
            {
                "code": c.code,
                "name": geography.country_name(c.code, language),
                "region": c.region,
                "subregion": c.subregion,
                "un_group": c.un_group or None,
                "un_member": c.un_member,
            }
            for c in geography.countries().values()
        ]
    )


def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


def docs(request: Request) -> Response:
    return render(request, "api_docs.html", {"spec": openapi_document()})


# -- tokens ----------------------------------------------------------------------------------


def _tokens(request: Request, user, new_token: str | None = None):
    listed = tokens.tokens_of(request.app.state.db, user)
    response = render(request, "accounts/tokens.html", {"tokens": listed, "new_token": new_token})
    if new_token:
        response.headers["Cache-Control"] = "no-store"
    return response


def tokens_page(request: Request) -> Response:
    return _tokens(request, require_user(request, "partner"))


@with_form
def tokens_change(request: Request, form) -> Response:
    user = require_user(request, "partner")
    db = request.app.state.db
    if form.get("action") == "create":
        # Shown once, in this answer only (never stored, not even in the session cookie,
        # which is signed but readable); only its hash is kept.
        token = tokens.create(db, user, str(form.get("name", "")))
        return _tokens(request, user, new_token=token)
    tokens.revoke(db, user, str(form.get("token_id", "")))
    flash(request, _("The token is revoked."))
    return redirect(request.app.url_path_for("tokens"))


# -- submissions by API ------------------------------------------------------------------------


async def submit_draft(request: Request) -> Response:
    """Create a draft from a JSON record (the JSON Lines format), with the form's validation.

    Async only to read the body; the token check and the write run in the threadpool."""
    db = request.app.state.db
    # 401 before anything is read
    user_id = await run_in_threadpool(tokens.authenticated_user_id, db, request)
    raw = await request.body()
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        raise HTTPException(400, N_("the body must be a JSON object")) from None
    if not isinstance(record, dict):
        raise HTTPException(400, N_("the body must be a JSON object"))

    try:
        practice_id, created = await run_in_threadpool(tokens.create_draft, db, user_id, record)
    except workflow.Incomplete as problem:
        return JSONResponse(
            {
                "error": {
                    "status": 400,
                    "message": _("the record has errors"),
                    # The machine's reason (English, for code) and, for a person, what to do
                    # about it in the language asked for.
                    "errors": [
                        {"field": f, "reason": str(r), "message": messages.human(f, r)}
                        for f, r in problem.errors
                    ],
                }
            },
            status_code=400,
        )
    except workflow.WorkflowError as refused:
        raise HTTPException(403, str(refused)) from None
    return JSONResponse(
        {
            "id": practice_id,
            "status": "draft",
            "record": created,
            "url": str(request.app.url_path_for("submission", item_id=practice_id)),
        },
        status_code=201,
        headers={
            "Location": str(request.app.url_path_for("api_submission", practice_id=practice_id))
        },
    )


def submission(request: Request) -> Response:
    practice_id = path_id(request, "practice_id")
    return JSONResponse(tokens.own_submission(request.app.state.db, request, practice_id))


routes = [
    Route("/api/practices", practices, name="api_practices"),
    Route("/api/facets", facets_api, name="api_facets"),
    Route("/api/vocabularies", vocabularies, name="api_vocabularies"),
    Route("/api/countries", countries, name="api_countries"),
    Route("/api/openapi.json", openapi, name="openapi"),
    Route("/api/docs", docs, name="api_docs"),
    Route("/api/submissions", submit_draft, methods=["POST"], name="api_submit"),
    Route("/api/submissions/{practice_id:int}", submission, name="api_submission"),
    Route("/account/tokens", tokens_page, name="tokens"),
    Route("/account/tokens", tokens_change, methods=["POST"], name="tokens_change"),
]
