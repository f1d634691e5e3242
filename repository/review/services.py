"""Curators' work: the queue, a submission with what it is compared to, decisions, revisions.
Every function checks that the user is a curator before it reads or writes."""

import difflib
from datetime import timedelta

from sqlalchemy import func, select
from starlette.exceptions import HTTPException

from repository import facets
from repository.accounts.sessions import CURATORS
from repository.i18n import _
from repository.models import Practice, PracticeRevision, PracticeUpdate, User, utcnow
from repository.params import MAX_ID
from repository.practices import workflow
from repository.practices.documents import to_record
from repository.practices.validation import FIELDS
from repository.submissions.privacy import scan
from repository.submissions.services import KINDS, record_of
from repository.submissions.similar import similar_published

QUEUE_STATUSES = ("submitted", "changes_requested", "draft", "rejected")
QUEUE_FACETS = ("pillar", "region", "actor_type")  # the filters the queue offers


def _curator(user: User) -> None:
    if not workflow.is_curator(user):
        raise HTTPException(403, _("Your account does not have access to this page."))


def _load(session, kind: str, item_id: int):
    item = session.get(KINDS[kind], item_id) if item_id <= MAX_ID else None
    if item is None:
        raise HTTPException(404)
    return item


def _active_curators(session) -> list[User]:
    return list(
        session.scalars(select(User).where(User.role.in_(CURATORS), User.active.is_(True)))
        .unique()
        .all()
    )


def queue(
    db, user: User, statuses, filters: dict[str, str], older_days: int, assigned: str
) -> list[dict]:
    """Submissions and proposed updates waiting, oldest first.

    Practices are filtered in SQL through the facet registry; proposed updates keep their
    record as JSON, so the same registry matches them in Python (they are few).
    """
    _curator(user)
    query = select(Practice).where(Practice.status.in_(statuses))
    for name, value in filters.items():
        query = query.where(facets.facet(name).clause([value]))
    if older_days:
        cutoff = utcnow() - timedelta(days=older_days)
        query = query.where(func.coalesce(Practice.submitted_at, Practice.created_at) <= cutoff)
    if assigned == "me":
        query = query.where(Practice.assigned_to_id == user.id)
    elif assigned == "none":
        query = query.where(Practice.assigned_to_id.is_(None))
    rows = []
    with db.read() as session:
        names = {c.id: c.name for c in _active_curators(session)}
        practices = session.scalars(query).unique().all()
        updates = (
            session.scalars(select(PracticeUpdate).where(PracticeUpdate.status.in_(statuses)))
            .unique()
            .all()
        )
        for kind, items in (("practice", practices), ("update", updates)):
            for item in items:
                record = record_of(item)
                if kind == "update" and not all(
                    facets.facet(n).matches(record, [v]) for n, v in filters.items()
                ):
                    continue
                since = item.submitted_at or item.created_at
                if older_days and since > utcnow() - timedelta(days=older_days):
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
                        "assigned_to": names.get(item.assigned_to_id, ""),
                    }
                )
    rows.sort(key=lambda r: r["since"])
    return rows


def detail(db, index, user: User, kind: str, item_id: int, compare_id: str | None) -> dict:
    _curator(user)
    with db.read() as session:
        item = _load(session, kind, item_id)
        record = record_of(item)
        similar = similar_published(session, index, record, item.id if kind == "practice" else None)
        if kind == "update":
            current = session.get(Practice, item.practice_id)
            similar = [current, *[p for p in similar if p.id != current.id]]
        compare = next(
            (p for p in similar if str(p.id) == compare_id), similar[0] if similar else None
        )
        return {
            "item": item,
            "kind": kind,
            "record": record,
            "events": workflow.review_events(session, item, include_internal=True),
            "similar": similar,
            "compare": compare,
            "compared": to_record(compare) if compare else None,
            "fields": [f for f in FIELDS if f not in ("id", "status")],
            "rubric": workflow.RUBRIC,
            "scores": workflow.RUBRIC_SCORES,
            "action_labels": workflow.ACTION_LABELS,
            "curators": _active_curators(session),
            "me": user,
            "privacy_warnings": scan(record),
            "actions": [
                a
                for a, t in workflow.TRANSITIONS.items()
                if t.curators
                and item.status in t.sources
                and not (a == "archive" and kind == "update")
            ],
        }


def decide(db, user: User, kind: str, item_id: int, form) -> None:
    """Apply a curator's decision, note, assignment or verification from the review form."""
    _curator(user)
    action = str(form.get("action", ""))
    note = str(form.get("note", ""))[:5000]
    rubric = {name: str(form.get(f"rubric_{name}", "")) for name, _label in workflow.RUBRIC}
    with db.write() as session:
        item = _load(session, kind, item_id)
        me = session.get(User, user.id)
        if action == "verify" and kind == "practice":
            workflow.mark_verified(session, me, item)
        elif action == "note":
            workflow.add_note(session, me, item, note, form.get("to_submitter") == "yes")
        elif action == "assign":
            raw = str(form.get("assignee", ""))
            assignee = session.get(User, int(raw)) if raw.isdigit() and int(raw) <= MAX_ID else None
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


def revisions(db, user: User, practice_id: int) -> tuple[str, list[PracticeRevision]]:
    _curator(user)
    with db.read() as session:
        practice = session.get(Practice, practice_id) if practice_id <= MAX_ID else None
        if practice is None:
            raise HTTPException(404)
        items = session.scalars(
            select(PracticeRevision)
            .where(PracticeRevision.practice_id == practice_id)
            .order_by(PracticeRevision.number)
        ).all()
        return practice.title, list(items)


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
