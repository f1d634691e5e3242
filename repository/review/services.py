"""Curators' work: the queue, a submission with what it is compared to and its evidence files,
decisions, revisions and purging them. Every function checks that the user is a curator before
it reads or writes."""

from datetime import timedelta

from sqlalchemy import func, select
from starlette.exceptions import HTTPException

from repository import audit, facets
from repository.accounts.sessions import CURATORS
from repository.i18n import _
from repository.models import (
    Practice,
    PracticeRevision,
    PracticeUpdate,
    User,
    utcnow,
)
from repository.params import MAX_ID
from repository.practices import workflow
from repository.practices.documents import to_record
from repository.review import compare
from repository.submissions import privacy
from repository.submissions.services import KINDS, attachments_of, record_of
from repository.submissions.similar import compare as likeness
from repository.submissions.similar import look_alikes

QUEUE_STATUSES = ("submitted", "changes_requested", "draft", "rejected")
QUEUE_FACETS = ("pillar", "region", "actor_type")  # the filters the queue offers


class PurgeRefused(workflow.WorkflowError):
    """This revision cannot be purged (the message says why)."""


def _curator(user: User) -> None:
    if not workflow.is_curator(user):
        raise HTTPException(403, _("Your account does not have access to this page."))


def _load(session, kind: str, item_id: int):
    item = session.get(KINDS[kind], item_id) if item_id <= MAX_ID else None
    if item is None or (isinstance(item, Practice) and item.converted_at is not None):
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
    query = select(Practice).where(Practice.status.in_(statuses), Practice.converted_at.is_(None))
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


def _findings(item, record: dict) -> list[dict]:
    """The privacy check's findings with the partner's explanation of each (or none)."""
    stored = item.privacy_explanations or {}
    found = []
    for warning in privacy.scan(record):
        explanation = stored.get(warning.key) if isinstance(stored, dict) else None
        found.append(
            {
                "warning": warning,
                "explanation": explanation.get("text") if isinstance(explanation, dict) else "",
                "at": explanation.get("at") if isinstance(explanation, dict) else "",
            }
        )
    return found


def detail(db, index, user: User, kind: str, item_id: int, compare_id: str | None) -> dict:
    _curator(user)
    with db.read() as session:
        item = _load(session, kind, item_id)
        record = record_of(item)
        exclude = item.id if kind == "practice" else item.practice_id
        similar = look_alikes(session, index, record, exclude)
        if kind == "update":
            current = session.get(Practice, item.practice_id)
            similar = [likeness(record, current), *similar]
        compared = next(
            (s for s in similar if str(s.practice.id) == compare_id),
            similar[0] if similar else None,
        )
        old = to_record(compared.practice) if compared else None
        files = attachments_of(session, item)
        if kind == "update":
            files = attachments_of(session, session.get(Practice, item.practice_id))
        return {
            "item": item,
            "kind": kind,
            "record": record,
            "events": workflow.review_events(session, item, include_internal=True),
            "similar": similar,
            "compare": compared.practice if compared else None,
            "compared": compared,
            "rows": compare.rows(record, old),
            "rubric": workflow.RUBRIC,
            "scores": workflow.RUBRIC_SCORES,
            "action_labels": workflow.ACTION_LABELS,
            "curators": _active_curators(session),
            "me": user,
            "findings": _findings(item, record),
            "files": files,
            "uploaders": {
                a.uploaded_by_id: session.get(User, a.uploaded_by_id).name
                for a in files
                if a.uploaded_by_id and session.get(User, a.uploaded_by_id)
            },
            "actions": [
                a
                for a, t in workflow.TRANSITIONS.items()
                if t.curators
                and item.status in t.sources
                and not (a == "archive" and kind == "update")
            ],
        }


def _public_files(form) -> set[int]:
    """Attachment ids the form marks public ("file-12" = "public")."""
    chosen = set()
    for key, value in form.multi_items():
        raw = key.removeprefix("file-")
        if key.startswith("file-") and value == "public" and raw.isdigit() and int(raw) <= MAX_ID:
            chosen.add(int(raw))
    return chosen


def decide(db, user: User, kind: str, item_id: int, form) -> None:
    """Apply a curator's decision, note, assignment, verification or file visibility."""
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
        elif action == "files" and kind == "practice":
            public = _public_files(form)
            for attachment in attachments_of(session, item):
                workflow.set_visibility(session, me, attachment, attachment.id in public)
        elif action in workflow.TRANSITIONS:
            workflow.transition(
                session,
                me,
                item,
                action,
                note=note,
                note_to_submitter=form.get("internal") != "yes",
                rubric=rubric,
                public_files=_public_files(form),
            )
        else:
            raise workflow.WorkflowError(_("Choose an action."))


# -- revisions -----------------------------------------------------------------------------


def _revision_rows(session, items: list[PracticeRevision]) -> list[dict]:
    latest = items[-1].number if items else 0
    rows = []
    for revision in items:
        status = (revision.document or {}).get("status", "")
        author = revision.author
        rows.append(
            {
                "number": revision.number,
                "created_at": revision.created_at,
                "status": status,
                "note": revision.note,
                "author": author.name if author else "",
                "author_role": author.role if author else "",
                "purged_at": revision.purged_at,
                "purged_by": (
                    session.get(User, revision.purged_by_id).name
                    if revision.purged_by_id and session.get(User, revision.purged_by_id)
                    else ""
                ),
                "flagged": (
                    0 if revision.purged_at else len(privacy.scan(revision.document or {}))
                ),
                "latest": revision.number == latest,
            }
        )
    return rows


def default_pair(items: list[PracticeRevision]) -> tuple[int, int]:
    """What a curator compares first: the last submitted version against the published one
    before it (or, never published yet, against the version submitted before it)."""
    if not items:
        return 1, 1
    status = {r.number: (r.document or {}).get("status") for r in items}
    numbers = [r.number for r in items]
    submitted = [n for n in numbers if status[n] == "submitted"]
    newer = submitted[-1] if submitted else numbers[-1]
    before = [n for n in numbers if n < newer]
    published = [n for n in before if status[n] == "published"]
    earlier = [n for n in before if status[n] == "submitted"]
    older = (published or earlier or before or [newer])[-1]
    return older, newer


def revisions(db, user: User, practice_id: int) -> dict:
    _curator(user)
    with db.read() as session:
        practice = session.get(Practice, practice_id) if practice_id <= MAX_ID else None
        if practice is None:
            raise HTTPException(404)
        items = list(
            session.scalars(
                select(PracticeRevision)
                .where(PracticeRevision.practice_id == practice_id)
                .order_by(PracticeRevision.number)
            ).unique()
        )
        return {
            "title": practice.title,
            "items": items,
            "rows": _revision_rows(session, items),
            "default": default_pair(items),
        }


def diff(older: PracticeRevision, newer: PracticeRevision) -> list[compare.Row]:
    """What changed from one revision to another, field by field (nothing for purged ones)."""
    if older.purged_at or newer.purged_at:
        return []
    return compare.rows(newer.document, older.document, only_changed=True)


def purge_info(db, user: User, practice_id: int, number: int) -> dict:
    """The revision to purge and what the privacy check finds in it (for the page that asks)."""
    _curator(user)
    with db.read() as session:
        revision = _revision(session, practice_id, number)
        practice = session.get(Practice, practice_id)
        return {
            "title": practice.title,
            "number": revision.number,
            "created_at": revision.created_at,
            "status": (revision.document or {}).get("status", ""),
            "findings": privacy.scan(revision.document or {}),
            "purged_at": revision.purged_at,
        }


def _revision(session, practice_id: int, number: int) -> PracticeRevision:
    revision = (
        session.scalar(
            select(PracticeRevision).where(
                PracticeRevision.practice_id == practice_id, PracticeRevision.number == number
            )
        )
        if practice_id <= MAX_ID and number <= MAX_ID
        else None
    )
    if revision is None:
        raise HTTPException(404)
    return revision


def purge(db, user: User, practice_id: int, number: int) -> None:
    """Remove the text of a revision that held personal data; the audit log keeps that it
    happened (who, when, which revision, how many findings), never the text."""
    _curator(user)
    with db.write() as session:
        revision = _revision(session, practice_id, number)
        if revision.purged_at is not None:
            raise PurgeRefused(_("This revision is purged already."))
        latest = session.scalar(
            select(func.max(PracticeRevision.number)).where(
                PracticeRevision.practice_id == practice_id
            )
        )
        if revision.number == latest:
            raise PurgeRefused(
                _(
                    "This revision is the practice's current text: have it edited (ask for "
                    "changes) first; the revision holding the old text can then be purged."
                )
            )
        findings = privacy.scan(revision.document or {})
        status = (revision.document or {}).get("status", "")
        revision.document = {"status": status, "purged": True}
        revision.purged_at = utcnow()
        revision.purged_by_id = user.id
        audit.record(
            session,
            "revision.purged",
            session.get(User, user.id),
            f"practice:{practice_id}",
            revision=revision.number,
            findings=len(findings),
        )
