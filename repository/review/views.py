"""Curators' pages: the review queue, a submission beside similar published practices with the
rubric, decisions, notes, assignment, and the revisions of a practice with their differences."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from repository import facets
from repository.accounts.sessions import CURATORS, require_user
from repository.i18n import N_, _
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
        flash(request, _(DONE.get(str(form.get("action", "")), N_("Done."))))
    return redirect(item_path(request, kind, item_id))


DONE = {
    "publish": N_(
        "Published, and verified today. The submitter is told, with which evidence "
        "files are public."
    ),
    "request_changes": N_("Sent back for changes; the submitter is told, with your note."),
    "reject": N_("Rejected; the submitter is told, with your reason."),
    "archive": N_("Archived: it is no longer public."),
    "note": N_("The note is added."),
    "assign": N_("Assigned."),
    "verify": N_("Marked as verified today."),
    "files": N_("Saved which evidence files are public."),
}


def revisions(request: Request) -> Response:
    user = require_user(request, *CURATORS)
    practice_id = path_id(request, "practice_id")
    found = services.revisions(request.app.state.db, user, practice_id)
    older, newer = found["default"]
    first = positive_int(request.query_params.get("a"), "a", older, 10**6)
    second = positive_int(request.query_params.get("b"), "b", newer, 10**6)
    by_number = {r.number: r for r in found["items"]}
    rows = []
    if first in by_number and second in by_number:
        rows = services.diff(by_number[first], by_number[second])
    context = {
        "practice_id": practice_id,
        "title": found["title"],
        "revisions": found["rows"],
        "a": first,
        "b": second,
        "purged": any(by_number[n].purged_at for n in (first, second) if n in by_number),
        "rows": rows,
    }
    return render(request, "review/revisions.html", context)


@with_form
def purge_revision(request: Request, form) -> Response:
    """Purge a revision's text: asked first, with what the privacy check finds in it."""
    user = require_user(request, *CURATORS)
    practice_id = path_id(request, "practice_id")
    number = path_id(request, "number")
    db = request.app.state.db
    back = request.app.url_path_for("revisions", practice_id=practice_id)
    if form is None:
        context = services.purge_info(db, user, practice_id, number)
        context.update(practice_id=practice_id, back=back)
        return render(request, "review/purge.html", context)
    try:
        services.purge(db, user, practice_id, number)
    except workflow.WorkflowError as refused:
        flash(request, str(refused))
    else:
        flash(
            request,
            _("The text of revision %(n)d is purged. The audit log records that you did it.")
            % {"n": number},
        )
    return redirect(back)


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
    Route(
        "/practices/{practice_id:int}/revisions/{number:int}/purge",
        purge_revision,
        methods=["GET", "POST"],
        name="revision_purge",
    ),
]
