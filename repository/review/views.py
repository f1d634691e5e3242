"""Curators' pages: the review queue, a submission beside similar published practices with the
rubric, decisions, notes, assignment, and the revisions of a practice with their differences."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from repository import facets
from repository.accounts.sessions import CURATORS, require_user
from repository.i18n import _
from repository.params import path_id, positive_int
from repository.practices import workflow
from repository.review import services
from repository.submissions.views import kind_of
from repository.web import flash, notify_index, redirect, render, with_form


def item_path(request: Request, kind: str, item_id: int) -> str:
    name = "review_update" if kind == "update" else "review_practice"
    return str(request.app.url_path_for(name, item_id=item_id))


def queue(request: Request) -> Response:
    user = require_user(request, *CURATORS)
    params = request.query_params
    status = params.get("status") or "submitted"
    if status not in (*services.QUEUE_STATUSES, "all"):
        raise HTTPException(400, _("status: unknown value"))
    filters = {}
    for name in services.QUEUE_FACETS:
        value = params.get(name, "")
        if value and not facets.facet(name).valid(value):
            raise HTTPException(400, _("Unknown filter value."))
        if value:
            filters[name] = value
    older = (
        positive_int(params.get("older_than_days"), "older_than_days", 0, 3650)
        if params.get("older_than_days")
        else 0
    )
    assigned = params.get("assigned", "")
    statuses = services.QUEUE_STATUSES if status == "all" else (status,)
    rows = services.queue(request.app.state.db, user, statuses, filters, older, assigned)
    for row in rows:
        row["url"] = item_path(request, row["kind"], row["id"])
    context = {
        "rows": rows,
        "status": status,
        "statuses": (*services.QUEUE_STATUSES, "all"),
        "pillar": filters.get("pillar", ""),
        "region": filters.get("region", ""),
        "actor_type": filters.get("actor_type", ""),
        "assigned": assigned,
        "older_than_days": older or "",
        "pillars": list(facets.facet("pillar").terms()),
        "regions": list(facets.facet("region").terms()),
        "actor_types": list(facets.facet("actor_type").terms()),
    }
    return render(request, "review/queue.html", context)


def detail(request: Request) -> Response:
    user = require_user(request, *CURATORS)
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    context = services.detail(
        request.app.state.db,
        request.app.state.index,
        user,
        kind,
        item_id,
        request.query_params.get("compare"),
    )
    context["base"] = item_path(request, kind, item_id)
    return render(request, "review/detail.html", context)


@with_form
def decide(request: Request, form) -> Response:
    user = require_user(request, *CURATORS)
    kind = kind_of(request)
    item_id = path_id(request, "item_id")
    try:
        services.decide(request.app.state.db, user, kind, item_id, form)
    except workflow.WorkflowError as refused:
        flash(request, str(refused))
    else:
        notify_index(request)
        flash(request, _("Done."))
    return redirect(item_path(request, kind, item_id))


def revisions(request: Request) -> Response:
    user = require_user(request, *CURATORS)
    practice_id = path_id(request, "practice_id")
    title, items = services.revisions(request.app.state.db, user, practice_id)
    numbers = [r.number for r in items]
    first = positive_int(
        request.query_params.get("a"), "a", numbers[-2] if len(numbers) > 1 else 1, 10**6
    )
    second = positive_int(request.query_params.get("b"), "b", numbers[-1] if numbers else 1, 10**6)
    by_number = {r.number: r for r in items}
    changes = []
    if first in by_number and second in by_number:
        changes = services.diff(by_number[first].document, by_number[second].document)
    context = {
        "practice_id": practice_id,
        "title": title,
        "revisions": items,
        "a": first,
        "b": second,
        "changes": changes,
    }
    return render(request, "review/revisions.html", context)


routes = [
    Route("/review", queue, name="review_queue"),
    Route("/review/practices/{item_id:int}", detail, name="review_practice"),
    Route(
        "/review/practices/{item_id:int}/decision",
        decide,
        methods=["POST"],
        name="review_practice_decision",
    ),
    Route("/review/updates/{item_id:int}", detail, name="review_update"),
    Route(
        "/review/updates/{item_id:int}/decision",
        decide,
        methods=["POST"],
        name="review_update_decision",
    ),
    Route("/practices/{practice_id:int}/revisions", revisions, name="revisions"),
]
