"""Curators' pages: the review queue, a submission beside similar published practices with the
rubric, decisions, notes, assignment, and the revisions of a practice with their differences."""

import difflib
from datetime import timedelta

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from repository import geography
from repository.accounts.sessions import CURATORS, require_user
from repository.i18n import _
from repository.models import (
    Practice,
    PracticeRevision,
    PracticeUpdate,
    User,
    utcnow,
)
from repository.params import positive_int
from repository.practices import workflow
from repository.practices.documents import to_record
from repository.practices.privacy import scan
from repository.practices.similar import similar_published
from repository.practices.validation import FIELDS
from repository.security import read_form
from repository.submissions import KINDS, MAX_ID, _record, kind_of
from repository.vocabularies import ACTOR_TYPES, PILLARS
from repository.web import flash, in_thread, notify_index, redirect, render

QUEUE_STATUSES = ("submitted", "changes_requested", "draft", "rejected")


def _base(kind: str, item_id: int) -> str:
    return f"/review/{'updates' if kind == 'update' else 'practices'}/{item_id}"


def _matches(record: dict, pillar: str, region: str, actor: str) -> bool:
    if pillar and pillar not in record.get("pillars", []):
        return False
    if actor and actor not in record.get("actor_types", []):
        return False
    if region:
        regions = {
            geography.country(c).region for c in record.get("countries", []) if geography.country(c)
        }
        if region not in regions:
            return False
    return True


def queue(request: Request) -> Response:
    user = require_user(request, *CURATORS)
    params = request.query_params
    status = params.get("status") or "submitted"
    if status not in (*QUEUE_STATUSES, "all"):
        raise HTTPException(400, _("status: unknown value"))
    pillar, region, actor = (
        params.get("pillar", ""),
        params.get("region", ""),
        params.get("actor_type", ""),
    )
    if (
        (pillar and pillar not in PILLARS)
        or (actor and actor not in ACTOR_TYPES)
        or (region and region not in dict(geography.REGIONS))
    ):
        raise HTTPException(400, _("Unknown filter value."))
    older = (
        positive_int(params.get("older_than_days"), "older_than_days", 0, 3650)
        if params.get("older_than_days")
        else 0
    )
    assigned = params.get("assigned", "")
    statuses = QUEUE_STATUSES if status == "all" else (status,)
    with request.app.state.db.read() as session:
        practices = (
            session.scalars(select(Practice).where(Practice.status.in_(statuses))).unique().all()
        )
        updates = (
            session.scalars(select(PracticeUpdate).where(PracticeUpdate.status.in_(statuses)))
            .unique()
            .all()
        )
        curators = (
            session.scalars(select(User).where(User.role.in_(CURATORS), User.active.is_(True)))
            .unique()
            .all()
        )
        rows = []
        for kind, items in (("practice", practices), ("update", updates)):
            for item in items:
                record = _record(item)
                if not _matches(record, pillar, region, actor):
                    continue
                since = item.submitted_at or item.created_at
                if older and since > utcnow() - timedelta(days=older):
                    continue
                if assigned == "me" and item.assigned_to_id != user.id:
                    continue
                if assigned == "none" and item.assigned_to_id is not None:
                    continue
                rows.append(
                    {
                        "kind": kind,
                        "id": item.id,
                        "title": record.get("title") or _("(untitled)"),
                        "status": item.status,
                        "since": since,
                        "age_days": (utcnow() - since).days,
                        "organisation": record.get("organisation", ""),
                        "assigned_to": next(
                            (c.name for c in curators if c.id == item.assigned_to_id), ""
                        ),
                        "url": _base(kind, item.id),
                    }
                )
    rows.sort(key=lambda r: r["since"])
    context = {
        "rows": rows,
        "status": status,
        "statuses": (*QUEUE_STATUSES, "all"),
        "pillar": pillar,
        "region": region,
        "actor_type": actor,
        "assigned": assigned,
        "older_than_days": older or "",
        "pillars": list(PILLARS.terms),
        "regions": list(geography.REGIONS),
        "actor_types": list(ACTOR_TYPES.terms),
    }
    return render(request, "review/queue.html", context)


def _load(session, kind: str, item_id: int):
    if item_id > MAX_ID:
        raise HTTPException(404)
    item = session.get(KINDS[kind], item_id)
    if item is None:
        raise HTTPException(404)
    return item


def detail(request: Request) -> Response:
    user = require_user(request, *CURATORS)
    kind = kind_of(request)
    item_id = request.path_params["item_id"]
    with request.app.state.db.read() as session:
        item = _load(session, kind, item_id)
        record = _record(item)
        events = workflow.review_events(session, item, include_internal=True)
        similar = similar_published(
            session, request.app.state.index, record, item.id if kind == "practice" else None
        )
        if kind == "update":
            current = session.get(Practice, item.practice_id)
            similar = [current, *[p for p in similar if p.id != current.id]]
        compare_id = request.query_params.get("compare")
        compare = next(
            (p for p in similar if str(p.id) == compare_id), similar[0] if similar else None
        )
        compared = to_record(compare) if compare else None
        curators = (
            session.scalars(select(User).where(User.role.in_(CURATORS), User.active.is_(True)))
            .unique()
            .all()
        )
        context = {
            "item": item,
            "kind": kind,
            "record": record,
            "events": events,
            "similar": similar,
            "compare": compare,
            "compared": compared,
            "fields": [f for f in FIELDS if f not in ("id", "status")],
            "rubric": workflow.RUBRIC,
            "scores": workflow.RUBRIC_SCORES,
            "curators": curators,
            "me": user,
            "base": _base(kind, item_id),
            "privacy_warnings": scan(record),
            "actions": [
                a
                for a, t in workflow.TRANSITIONS.items()
                if t.curators
                and item.status in t.sources
                and not (a == "archive" and kind == "update")
            ],
        }
    return render(request, "review/detail.html", context)


async def decide(request: Request) -> Response:
    user = require_user(request, *CURATORS)
    kind = kind_of(request)
    item_id = request.path_params["item_id"]
    form = await read_form(request)
    action = str(form.get("action", ""))
    note = str(form.get("note", ""))[:5000]
    rubric = {name: str(form.get(f"rubric_{name}", "")) for name, _label in workflow.RUBRIC}

    def act():
        with request.app.state.db.write() as session:
            item = _load(session, kind, item_id)
            me = session.get(User, user.id)
            if action == "verify" and kind == "practice":
                workflow.mark_verified(session, me, item)
            elif action == "note":
                workflow.add_note(session, me, item, note, form.get("to_submitter") == "yes")
            elif action == "assign":
                raw = str(form.get("assignee", ""))
                assignee = (
                    session.get(User, int(raw)) if raw.isdigit() and int(raw) <= MAX_ID else None
                )
                workflow.assign(session, me, item, assignee)
            else:
                workflow.transition(
                    session,
                    me,
                    item,
                    action,
                    note=note,
                    note_to_submitter=form.get("internal") != "yes",
                    rubric=rubric,
                )

    try:
        await in_thread(act)
    except workflow.WorkflowError as refused:
        flash(request, str(refused))
    else:
        notify_index(request)
        flash(request, _("Done."))
    return redirect(_base(kind, item_id))


def revisions(request: Request) -> Response:
    require_user(request, *CURATORS)
    practice_id = request.path_params["practice_id"]
    if practice_id > MAX_ID:
        raise HTTPException(404)
    with request.app.state.db.read() as session:
        practice = session.get(Practice, practice_id)
        if practice is None:
            raise HTTPException(404)
        items = session.scalars(
            select(PracticeRevision)
            .where(PracticeRevision.practice_id == practice_id)
            .order_by(PracticeRevision.number)
        ).all()
        title = practice.title
    numbers = [r.number for r in items]
    first = positive_int(
        request.query_params.get("a"), "a", numbers[-2] if len(numbers) > 1 else 1, 10**6
    )
    second = positive_int(request.query_params.get("b"), "b", numbers[-1] if numbers else 1, 10**6)
    by_number = {r.number: r for r in items}
    changes = []
    if first in by_number and second in by_number:
        changes = diff(by_number[first].document, by_number[second].document)
    return render(
        request,
        "review/revisions.html",
        {
            "practice_id": practice_id,
            "title": title,
            "revisions": items,
            "a": first,
            "b": second,
            "changes": changes,
        },
    )


def diff(old: dict, new: dict) -> list[dict]:
    """Field-by-field differences between two records, with word-level changes for text."""
    changes = []
    for field in FIELDS:
        before, after = old.get(field), new.get(field)
        if before == after:
            continue
        if isinstance(before, str) and isinstance(after, str):
            words = difflib.ndiff(before.split(), after.split())
            parts = [(w[0], w[2:]) for w in words if w[0] in " +-"]
        else:
            parts = [("-", str(before)), ("+", str(after))]
        changes.append({"field": field, "parts": parts})
    return changes
