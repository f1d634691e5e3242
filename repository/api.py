"""The JSON API beyond search: practices, facets, vocabularies, countries, API tokens and
draft submissions by partners' systems, described by an OpenAPI 3 document."""

import hashlib
import json
import secrets

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from repository import geography
from repository.accounts.sessions import require_user
from repository.i18n import _
from repository.models import ApiToken, Practice, User, utcnow
from repository.openapi import document as openapi_document
from repository.practices import workflow
from repository.practices.documents import to_record
from repository.search_params import parse_search
from repository.search_views import search_payload
from repository.security import read_form
from repository.templating import LABELS
from repository.vocabularies import STATUSES, TAG_VOCABULARIES
from repository.web import flash, in_thread, redirect, render

MAX_ID = 2**31 - 1
TOKEN_PREFIX = "ph_"  # noqa: S105 - a prefix, not a secret


def practices(request: Request) -> Response:
    """Published practices, filtered and paged like the search (same parameters)."""
    params = parse_search(request.query_params)
    payload = search_payload(request.app.state.index, params)
    links = {
        name: url.replace("/search", "/api/practices", 1) for name, url in payload["links"].items()
    }
    return JSONResponse(
        {
            "total": payload["total"],
            "page": payload["page"],
            "per_page": payload["per_page"],
            "pages": payload["pages"],
            "results": payload["results"],
            "links": links,
        }
    )


def facets(request: Request) -> Response:
    params = parse_search(request.query_params)
    payload = search_payload(request.app.state.index, params)
    return JSONResponse({"total": payload["total"], "facets": payload["facets"]})


def vocabularies(request: Request) -> Response:
    body = {
        name: [{"value": value, "label": label} for value, label in vocabulary.terms]
        for name, vocabulary in TAG_VOCABULARIES.items()
    }
    for key in ("practice_type", "evidence"):
        body[key] = [{"value": v, "label": label} for v, label in LABELS[key].items()]
    body["status"] = [{"value": v, "label": label} for v, label in STATUSES.terms]
    body["regions"] = [{"value": v, "label": label} for v, label in geography.REGIONS]
    body["subregions"] = [{"value": v, "label": label} for v, label in geography.SUBREGIONS]
    body["un_groups"] = [{"value": v, "label": label} for v, label in geography.UN_GROUPS]
    return JSONResponse(body)


def countries(request: Request) -> Response:
    return JSONResponse(
        [
            {
                "code": c.code,
                "name": c.name,
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


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_page(request: Request) -> Response:
    user = require_user(request, "partner")
    with request.app.state.db.read() as session:
        tokens = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        ).all()
    new_token = request.session.pop("new_token", None)
    return render(request, "accounts/tokens.html", {"tokens": tokens, "new_token": new_token})


async def tokens_change(request: Request) -> Response:
    user = require_user(request, "partner")
    form = await read_form(request)
    action = str(form.get("action", ""))

    def act():
        with request.app.state.db.write() as session:
            if action == "create":
                name = str(form.get("name", "")).strip()[:100] or "API token"
                token = TOKEN_PREFIX + secrets.token_urlsafe(32)
                session.add(
                    ApiToken(user_id=user.id, name=name, token_hash=_hash(token), prefix=token[:10])
                )
                return token
            raw = str(form.get("token_id", ""))
            found = (
                session.get(ApiToken, int(raw)) if raw.isdigit() and int(raw) <= MAX_ID else None
            )
            if found is None or found.user_id != user.id:
                raise HTTPException(404)
            found.revoked_at = utcnow()
            return None

    token = await in_thread(act)
    if token:
        # Shown once, on the next page only; only its hash is kept.
        request.session["new_token"] = token
    else:
        flash(request, _("The token is revoked."))
    return redirect("/account/tokens")


def token_user(request: Request, session) -> User:
    header = request.headers.get("authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise HTTPException(
            401,
            "send an API token as 'Authorization: Bearer ph_...'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token.strip())))
    if found is None or found.revoked_at is not None:
        raise HTTPException(
            401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"}
        )
    user = session.get(User, found.user_id)
    if user is None or not user.active or user.role != "partner":
        raise HTTPException(403, "this token's account may not submit practices")
    found.last_used_at = utcnow()
    return user


# -- submissions by API ------------------------------------------------------------------------


async def submit_draft(request: Request) -> Response:
    """Create a draft from a JSON record (the JSON Lines format), with the form's validation."""

    def authenticate() -> int:
        with request.app.state.db.write() as session:
            return token_user(request, session).id

    user_id = await in_thread(authenticate)  # 401 before anything is read
    raw = await request.body()
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        raise HTTPException(400, "the body must be a JSON object") from None
    if not isinstance(record, dict):
        raise HTTPException(400, "the body must be a JSON object")

    def create():
        with request.app.state.db.write() as session:
            practice = workflow.create_draft(session, session.get(User, user_id), record)
            return practice.id, to_record(practice)

    try:
        practice_id, created = await in_thread(create)
    except workflow.Incomplete as problem:
        return JSONResponse(
            {
                "error": {
                    "status": 400,
                    "message": "the record has errors",
                    "errors": [{"field": f, "reason": r} for f, r in problem.errors],
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
            "url": f"/submissions/{practice_id}",
        },
        status_code=201,
        headers={"Location": f"/api/submissions/{practice_id}"},
    )


def submission(request: Request) -> Response:
    practice_id = request.path_params["practice_id"]
    if practice_id > MAX_ID:
        raise HTTPException(404)
    with request.app.state.db.write() as session:
        user = token_user(request, session)
        practice = session.get(Practice, practice_id)
        if practice is None or not workflow.owns(user, practice):
            raise HTTPException(404)
        return JSONResponse(
            {"id": practice.id, "status": practice.status, "record": to_record(practice)}
        )
