"""Partners' submissions: every read and write of the submission pages, each checking that the
user may see or change the object it names (a 404, never a hint, when not)."""

from dataclasses import dataclass

from sqlalchemy import select
from starlette.exceptions import HTTPException

from repository.i18n import _
from repository.models import Attachment, Practice, PracticeUpdate, User
from repository.params import MAX_ID
from repository.practices import workflow
from repository.practices.documents import to_record
from repository.submissions import attachments
from repository.submissions.similar import similar_published

KINDS = {"practice": Practice, "update": PracticeUpdate}


def load(session, kind: str, item_id: int, user: User | None, edit: bool = False):
    """The submission if this user may see (or edit) it; 404 otherwise."""
    item = session.get(KINDS[kind], item_id) if item_id <= MAX_ID else None
    if item is None or not workflow.can_view(user, item):
        raise HTTPException(404)
    if (
        kind == "practice"
        and item.status == "published"
        and not (workflow.owns(user, item) or workflow.is_curator(user))
    ):
        raise HTTPException(404)  # the public sees published practices at their permalink
    if edit and not workflow.can_edit(user, item):
        raise HTTPException(404)
    return item


def record_of(item) -> dict:
    return dict(item.document) if isinstance(item, PracticeUpdate) else to_record(item)


def attachments_of(session, item) -> list[Attachment]:
    if not isinstance(item, Practice):
        return []
    return list(
        session.scalars(
            select(Attachment).where(Attachment.practice_id == item.id).order_by(Attachment.id)
        ).all()
    )


def organisation_rows(db, user: User) -> list[dict]:
    """The user's organisation's practices and proposed updates, most recently changed first."""
    if not user.organisation_id:
        return []
    with db.read() as session:
        practices = session.scalars(
            select(Practice).where(Practice.owner_organisation_id == user.organisation_id)
        ).unique()
        updates = session.scalars(
            select(PracticeUpdate).where(
                PracticeUpdate.owner_organisation_id == user.organisation_id
            )
        ).unique()
        rows = [
            {
                "title": p.title or _("(untitled draft)"),
                "status": p.status,
                "kind": "practice",
                "id": p.id,
                "updated": p.updated_at,
            }
            for p in practices
        ] + [
            {
                "title": u.document.get("title") or "",
                "status": u.status,
                "kind": "update",
                "id": u.id,
                "updated": u.updated_at,
            }
            for u in updates
        ]
    rows.sort(key=lambda r: r["updated"], reverse=True)
    return rows


@dataclass
class Editable:
    record: dict
    status: str
    attachments: list[Attachment]


def editable(db, kind: str, item_id: int, user: User) -> Editable:
    with db.read() as session:
        item = load(session, kind, item_id, user, edit=True)
        return Editable(record_of(item), item.status, attachments_of(session, item))


def create_draft(db, user: User, record: dict) -> int:
    with db.write() as session:
        return workflow.create_draft(session, session.get(User, user.id), record).id


def save(db, kind: str, item_id: int, user: User, record: dict) -> None:
    with db.write() as session:
        item = load(session, kind, item_id, user, edit=True)
        # The form does not edit translations of the title and summary: keep those there are.
        record = {"translations": record_of(item).get("translations") or {}, **record}
        fresh = session.get(User, user.id)
        if kind == "update":
            workflow.save_update(session, fresh, item, record)
        else:
            workflow.save_draft(session, fresh, item, record)


def detail(db, kind: str, item_id: int, user: User) -> dict:
    with db.read() as session:
        item = load(session, kind, item_id, user)
        return {
            "item": item,
            "record": record_of(item),
            "events": workflow.review_events(session, item, workflow.is_curator(user)),
            "attachments": attachments_of(session, item),
            "can_edit": workflow.can_edit(user, item),
        }


def submit(db, kind: str, item_id: int, user: User, confirmed: bool) -> None:
    with db.write() as session:
        item = load(session, kind, item_id, user, edit=True)
        workflow.transition(
            session,
            session.get(User, user.id),
            item,
            "submit",
            confirmed_no_personal_data=confirmed,
        )


def make_update_of(db, directory, item_id: int, user: User, raw_target: str) -> tuple[int, int]:
    """Turn a draft into a proposed update of a published practice: the update's id, and how
    many of the draft's evidence files went with the draft (an update has none of its own)."""
    with db.write() as session:
        item = load(session, "practice", item_id, user, edit=True)
        valid = raw_target.isdigit() and 0 < int(raw_target) <= MAX_ID
        target = session.get(Practice, int(raw_target)) if valid else None
        if target is None or target.status != "published":
            raise workflow.WorkflowError(_("Choose a published practice to update."))
        # Deleting the draft deletes its attachment rows (ON DELETE CASCADE): the files they
        # name would stay on disk for ever, so remove them too, once the delete is committed.
        files = [a.stored_name for a in attachments_of(session, item)]
        update_id = workflow.turn_into_update(session, session.get(User, user.id), item, target).id
    for stored_name in files:
        (directory / stored_name).unlink(missing_ok=True)
    return update_id, len(files)


def look_alikes(db, index, kind: str, item_id: int, user: User) -> tuple[dict, list[dict]]:
    """The record and the published practices that look like it (for the submit check)."""
    with db.read() as session:
        item = load(session, kind, item_id, user, edit=True)
        record = record_of(item)
        exclude = item.id if kind == "practice" else None
        similar = similar_published(session, index, record, exclude)
        if kind == "update":
            similar = [p for p in similar if p.id != item.practice_id]
        return record, [
            {
                "id": p.id,
                "title": p.title,
                "organisation": p.organisation.name,
                "years": f"{p.start_year}–{p.end_year or ''}",
            }
            for p in similar
        ]


def add_attachment(db, directory, item_id: int, user: User, upload: attachments.Upload) -> None:
    with db.write() as session:
        item = load(session, "practice", item_id, user, edit=True)
        attachments.add(session, directory, item.id, session.get(User, user.id), upload)


def check_can_attach(db, item_id: int, user: User) -> None:
    with db.read() as session:
        load(session, "practice", item_id, user, edit=True)


def remove_attachment(db, directory, attachment_id: int, user: User) -> int:
    """Remove the file and its row; the practice's id."""
    with db.write() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise HTTPException(404)
        item = load(session, "practice", attachment.practice_id, user, edit=True)
        stored_name = attachments.remove(session, attachment, session.get(User, user.id))
        practice_id = item.id
    (directory / stored_name).unlink(missing_ok=True)
    return practice_id


def attachment_for(db, attachment_id: int, user: User | None) -> Attachment:
    """The attachment if this user may read it (its practice is visible to them)."""
    with db.read() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise HTTPException(404)
        practice = session.get(Practice, attachment.practice_id)
        if practice is None or not workflow.can_view(user, practice):
            raise HTTPException(404)
        return attachment


def propose_update(db, practice_id: int, user: User) -> int:
    with db.write() as session:
        practice = session.get(Practice, practice_id)
        if practice is None or practice.status != "published":
            raise HTTPException(404)
        return workflow.propose_update(session, session.get(User, user.id), practice).id
