"""Partners' submissions: every read and write of the submission pages, each checking that the
user may see or change the object it names (a 404, never a hint, when not)."""

from dataclasses import dataclass, field

from sqlalchemy import select
from starlette.exceptions import HTTPException

from repository.i18n import _
from repository.links import Elsewhere
from repository.models import Attachment, Practice, PracticeUpdate, ReviewEvent, User
from repository.params import MAX_ID
from repository.practices import workflow
from repository.practices.documents import preview_document, to_record
from repository.submissions import attachments, privacy
from repository.submissions.similar import look_alikes as similar_published

KINDS = {"practice": Practice, "update": PracticeUpdate}


def _reference(kind: str, item_id: int) -> str:
    return f"{'update' if kind == 'update' else 'submission'}:{item_id}"


def load(session, kind: str, item_id: int, user: User | None, edit: bool = False):
    """The submission if this user may see (or edit) it; 404 otherwise. Its own organisation,
    asking to edit what it can no longer edit, is sent to its page with the reason."""
    item = session.get(KINDS[kind], item_id) if item_id <= MAX_ID else None
    if item is None or not workflow.can_view(user, item):
        raise HTTPException(404)
    if isinstance(item, Practice) and item.converted_at is not None:
        update_id = session.scalar(
            select(PracticeUpdate.id).where(PracticeUpdate.from_draft_id == item.id)
        )
        if workflow.owns(user, item) and update_id is not None:
            raise Elsewhere(
                f"update:{update_id}",
                _("That draft is now this proposed update. You can turn it back into a draft."),
            )
        raise HTTPException(404)
    if (
        kind == "practice"
        and item.status == "published"
        and not (workflow.owns(user, item) or workflow.is_curator(user))
    ):
        raise HTTPException(404)  # the public sees published practices at their permalink
    if edit and not workflow.can_edit(user, item):
        if workflow.owns(user, item):
            raise Elsewhere(_reference(kind, item.id), _not_editable(item.status))
        raise HTTPException(404)
    return item


def _not_editable(status: str) -> str:
    if status == "submitted":
        return _(
            "It is submitted, so it cannot be edited while a curator reviews it. Withdraw it "
            "if you need to change it."
        )
    if status == "published":
        return _("It is published. Propose an update from its public page to change it.")
    return _("It cannot be edited any more.")


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


def notes_for_submitter(session, item) -> list[ReviewEvent]:
    """The curators' notes the submitter sees, newest first."""
    events = workflow.review_events(session, item, include_internal=False)
    return [e for e in reversed(events) if e.note]


def organisation_rows(db, user: User) -> list[dict]:
    """The user's organisation's practices and proposed updates, most recently changed first."""
    if not user.organisation_id:
        return []
    with db.read() as session:
        practices = session.scalars(
            select(Practice).where(
                Practice.owner_organisation_id == user.organisation_id,
                Practice.converted_at.is_(None),
            )
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
    notes: list[ReviewEvent] = field(default_factory=list)
    title: str = ""


def editable(db, kind: str, item_id: int, user: User) -> Editable:
    with db.read() as session:
        item = load(session, kind, item_id, user, edit=True)
        record = record_of(item)
        return Editable(
            record,
            item.status,
            attachments_of(session, item),
            notes_for_submitter(session, item),
            record.get("title") or "",
        )


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
        record = record_of(item)
        return {
            "item": item,
            "record": record,
            "events": workflow.review_events(session, item, workflow.is_curator(user)),
            "attachments": attachments_of(session, item),
            "can_edit": workflow.can_edit(user, item),
            "can_delete": workflow.can_delete(user, item),
            "can_withdraw": workflow.owns(user, item) and item.status == "submitted",
            "can_undo": (
                isinstance(item, PracticeUpdate)
                and item.from_draft_id is not None
                and workflow.can_edit(user, item)
            ),
        }


def submit(
    db, directory, kind: str, item_id: int, user: User, confirmed: bool, explanations: dict
) -> None:
    """Submit for review, with the partner's explanations of the privacy findings."""
    with db.write() as session:
        item = load(session, kind, item_id, user, edit=True)
        outcome = workflow.transition(
            session,
            session.get(User, user.id),
            item,
            "submit",
            confirmed_no_personal_data=confirmed,
            privacy_explanations=explanations,
        )
    _unlink(directory, outcome.deleted_files)


def withdraw(db, kind: str, item_id: int, user: User) -> None:
    with db.write() as session:
        item = load(session, kind, item_id, user)
        workflow.transition(session, session.get(User, user.id), item, "withdraw")


def deletable(db, kind: str, item_id: int, user: User) -> dict:
    """What deleting would remove, for the page that asks first."""
    with db.read() as session:
        item = load(session, kind, item_id, user, edit=True)
        if not workflow.can_delete(user, item):
            raise Elsewhere(_reference(kind, item.id), _("Only a draft can be deleted."))
        return {"title": record_of(item).get("title") or "", "files": _files_of(session, item)}


def _files_of(session, item) -> list[Attachment]:
    if isinstance(item, PracticeUpdate):
        hidden = session.get(Practice, item.from_draft_id) if item.from_draft_id else None
        return attachments_of(session, hidden) if hidden is not None else []
    return attachments_of(session, item)


def delete(db, directory, kind: str, item_id: int, user: User) -> str:
    """Delete a draft and its files; its title."""
    with db.write() as session:
        item = load(session, kind, item_id, user, edit=True)
        title = record_of(item).get("title") or ""
        files = [a.stored_name for a in _files_of(session, item)]
        workflow.delete_draft(session, session.get(User, user.id), item)
    _unlink(directory, files)
    return title


def _unlink(directory, stored_names: list[str]) -> None:
    # Rows went with the commit (ON DELETE CASCADE); the files they named go now, after it.
    for stored_name in stored_names:
        (directory / stored_name).unlink(missing_ok=True)


def conversion(db, item_id: int, user: User, target_id: int) -> dict:
    """What turning this draft into an update of that practice means, to confirm first."""
    with db.read() as session:
        item = load(session, "practice", item_id, user, edit=True)
        target = _published(session, target_id)
        return {
            "draft": record_of(item),
            "draft_id": item.id,
            "target": target,
            "files": attachments_of(session, item),
        }


def _published(session, target_id: int) -> Practice:
    target = session.get(Practice, target_id) if 0 < target_id <= MAX_ID else None
    if target is None or target.status != "published":
        raise HTTPException(404, _("There is no published practice at this address."))
    return target


def make_update_of(db, item_id: int, user: User, target_id: int) -> int:
    """Turn a draft into a proposed update of a published practice; the update's id."""
    with db.write() as session:
        item = load(session, "practice", item_id, user, edit=True)
        target = _published(session, target_id)
        return workflow.turn_into_update(session, session.get(User, user.id), item, target).id


def undo_update(db, update_id: int, user: User) -> int:
    """Turn an update made from a draft back into the draft; the draft's id."""
    with db.write() as session:
        update = load(session, "update", update_id, user, edit=True)
        return workflow.undo_conversion(session, session.get(User, user.id), update).id


def look_alikes(db, index, kind: str, item_id: int, user: User) -> tuple[dict, list[dict]]:
    """The record and the published practices that look like it (for the submit check)."""
    with db.read() as session:
        item = load(session, kind, item_id, user, edit=True)
        record = record_of(item)
        exclude = item.id if kind == "practice" else item.practice_id
        return record, [
            {
                "id": found.practice.id,
                "title": found.practice.title,
                "organisation": found.practice.organisation.name,
                "years": f"{found.practice.start_year}–{found.practice.end_year or ''}",
                "percent": found.percent,
                "reasons": found.reasons,
            }
            for found in similar_published(session, index, record, exclude)
        ]


def privacy_state(db, kind: str, item_id: int, user: User) -> dict[str, str]:
    """The explanations already given for this submission's findings, by finding key."""
    with db.read() as session:
        item = load(session, kind, item_id, user)
        return privacy.stored_texts(item.privacy_explanations)


def preview(db, kind: str, item_id: int, user: User) -> dict:
    """The submission as its public page would show it (owners and curators)."""
    with db.read() as session:
        item = load(session, kind, item_id, user)
        record = record_of(item)
        files = attachments_of(session, item)
        if isinstance(item, PracticeUpdate):
            files = attachments_of(session, session.get(Practice, item.practice_id))
        return {
            "practice": preview_document(record),
            "attachments": [a for a in files if a.visibility == "public"],
            "internal_files": [a for a in files if a.visibility != "public"],
            "item": item,
        }


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
        attachment = session.get(Attachment, attachment_id) if attachment_id <= MAX_ID else None
        if attachment is None:
            raise HTTPException(404)
        item = load(session, "practice", attachment.practice_id, user, edit=True)
        stored_name = attachments.remove(session, attachment, session.get(User, user.id))
        practice_id = item.id
    _unlink(directory, [stored_name])
    return practice_id


def may_read(user: User | None, practice: Practice, attachment: Attachment) -> bool:
    """Evidence is the submitting organisation's and the curators'; anyone else reads a file
    only when a curator made it public and its practice is published."""
    if workflow.is_curator(user) or workflow.owns(user, practice):
        return True
    return practice.status == "published" and attachment.visibility == "public"


def attachment_for(db, attachment_id: int, user: User | None) -> Attachment:
    """The attachment if this user may read it; 404 otherwise, never a hint."""
    with db.read() as session:
        attachment = session.get(Attachment, attachment_id) if attachment_id <= MAX_ID else None
        if attachment is None:
            raise HTTPException(404)
        practice = session.get(Practice, attachment.practice_id)
        if practice is None or not may_read(user, practice, attachment):
            raise HTTPException(404)
        return attachment


def propose_update(db, practice_id: int, user: User) -> int:
    with db.write() as session:
        practice = session.get(Practice, practice_id)
        if practice is None or practice.status != "published":
            raise HTTPException(404)
        return workflow.propose_update(session, session.get(User, user.id), practice).id
