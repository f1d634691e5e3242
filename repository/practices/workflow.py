"""The submission workflow, as a state machine. Every transition checks the actor's role and the
current state, records a review event in the same transaction, notifies the submitter, writes
the audit log and queues the index change where the public document changes.

    draft -> submitted -> (changes_requested -> submitted)* -> published | rejected
    published -> archived
    published -> (update) submitted -> published: a proposed update is reviewed while the
    current version stays public; publishing it applies it.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from repository import audit
from repository.accounts.sessions import CURATORS
from repository.i18n import N_, _
from repository.models import (
    EmailOutbox,
    Notification,
    Practice,
    PracticeUpdate,
    ReviewEvent,
    User,
    utcnow,
)
from repository.practices import services
from repository.practices.documents import to_record
from repository.practices.validation import validate_record
from repository.vocabularies import STATUSES

RUBRIC = (
    ("relevance", N_("Relevance to trafficking in persons")),
    ("clarity", N_("Clarity of the description")),
    ("evidence", N_("Evidence of results")),
    ("transferability", N_("Transferability to other contexts")),
    ("sustainability", N_("Sustainability")),
    ("partnership", N_("Partnership and participation")),
    ("ethics", N_("Ethics and privacy (no personal data of victims)")),
)
RUBRIC_SCORES = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    curators: bool  # True: curators and admins act; False: the owning partner acts


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("submit", frozenset({"draft", "changes_requested"}), "submitted", False),
        Transition("request_changes", frozenset({"submitted"}), "changes_requested", True),
        Transition("publish", frozenset({"submitted"}), "published", True),
        Transition("reject", frozenset({"submitted"}), "rejected", True),
        Transition("archive", frozenset({"published"}), "archived", True),
    )
}
EDITABLE = frozenset({"draft", "changes_requested"})
ACTION_LABELS = {
    "submit": N_("Submit"),
    "request_changes": N_("Request changes"),
    "publish": N_("Publish"),
    "reject": N_("Reject"),
    "archive": N_("Archive"),
}


class WorkflowError(Exception):
    """The action is not allowed for this user, or not from this state."""


class Incomplete(WorkflowError):
    """The record has errors; `errors` lists them as (field, reason)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in errors))
        self.errors = errors


# -- who may see and change what ---------------------------------------------------------


def is_curator(user: User | None) -> bool:
    return user is not None and user.role in CURATORS


def owns(user: User | None, item: Practice | PracticeUpdate) -> bool:
    return (
        user is not None
        and user.role == "partner"
        and user.organisation_id is not None
        and item.owner_organisation_id == user.organisation_id
    )


def can_view(user: User | None, item: Practice | PracticeUpdate) -> bool:
    if isinstance(item, Practice) and item.status == "published":
        return True
    return is_curator(user) or owns(user, item)


def can_edit(user: User | None, item: Practice | PracticeUpdate) -> bool:
    return owns(user, item) and item.status in EDITABLE


def review_events(session: Session, item, include_internal: bool) -> list[ReviewEvent]:
    """The history of a practice or of a proposed update, oldest first; internal notes only
    for curators."""
    is_update = isinstance(item, PracticeUpdate)
    query = select(ReviewEvent).where(
        ReviewEvent.practice_id == (item.practice_id if is_update else item.id),
        ReviewEvent.update_id == (item.id if is_update else None),
    )
    if not include_internal:
        query = query.where(ReviewEvent.note_visibility == "submitter")
    return list(session.scalars(query.order_by(ReviewEvent.created_at, ReviewEvent.id)).unique())


# -- notifications -------------------------------------------------------------------------


def _notify_owners(session: Session, item, message: str, link: str) -> None:
    if item.owner_organisation_id is None:
        return
    members = session.scalars(
        select(User).where(
            User.organisation_id == item.owner_organisation_id,
            User.role == "partner",
            User.active.is_(True),
        )
    ).all()
    for member in members:
        session.add(Notification(user_id=member.id, message=message, link=link))
        session.add(
            EmailOutbox(
                to_address=member.email,
                subject=f"Practice Hub: {message[:200]}",
                body=f"{message}\n",
            )
        )


def _title(item) -> str:
    return item.title if isinstance(item, Practice) else item.document.get("title", "")


def _link(item) -> str:
    """What a notification is about, as a reference ("update:5"); the pages turn it into a
    link through the route table (links.resolve), so no service writes a page path."""
    return f"update:{item.id}" if isinstance(item, PracticeUpdate) else f"submission:{item.id}"


# -- creating and editing ------------------------------------------------------------------


def _clean(record: dict, status: str, record_id: int | None, draft: bool = False) -> dict:
    """Validated record with the fields a user may not set forced to the server's values."""
    data = {**record, "status": status, "id": record_id}
    clean, errors = validate_record(data, draft=draft)
    if errors:
        raise Incomplete(errors)
    return clean


def _with_lead(record: dict, user: User) -> dict:
    """A draft without a lead organisation yet is the partner's own organisation's."""
    lead = record.get("organisation")
    blank = lead is None or (isinstance(lead, str) and not lead.strip())
    # Anything else, even an empty list, is the validator's to refuse.
    if blank and user.organisation is not None:
        return {**record, "organisation": user.organisation.name}
    return record


def create_draft(session: Session, user: User, record: dict) -> Practice:
    if user.role != "partner" or user.organisation_id is None:
        raise WorkflowError(_("Only partner accounts with an organisation submit practices."))
    record = _with_lead({**record, "last_verified": None}, user)
    practice = services.save_practice(session, _clean(record, "draft", None, True), author=user)
    practice.owner_organisation_id = user.organisation_id
    practice.created_by_id = user.id
    audit.record(session, "practice.draft_created", user, f"practice:{practice.id}")
    return practice


def save_draft(session: Session, user: User, practice: Practice, record: dict) -> Practice:
    if not can_edit(user, practice):
        raise WorkflowError(_("This practice cannot be edited now."))
    record = _with_lead({**record, "last_verified": None}, user)
    clean = _clean(record, practice.status, practice.id, draft=True)
    services.save_practice(session, clean, author=user)
    return practice


def propose_update(session: Session, user: User, practice: Practice) -> PracticeUpdate:
    if practice.status != "published":
        raise WorkflowError(_("Only a published practice can be updated this way."))
    if user.role != "partner" or user.organisation_id is None:
        raise WorkflowError(_("Only partner accounts propose updates."))
    document = to_record(practice)
    update = PracticeUpdate(
        practice_id=practice.id,
        document=document,
        status="draft",
        author_id=user.id,
        owner_organisation_id=user.organisation_id,
    )
    session.add(update)
    session.flush()
    audit.record(session, "update.created", user, f"practice:{practice.id}", update=update.id)
    return update


def save_update(session: Session, user: User, update: PracticeUpdate, record: dict) -> None:
    if not can_edit(user, update):
        raise WorkflowError(_("This update cannot be edited now."))
    clean = _clean(_with_lead(record, user), "published", update.practice_id, draft=True)
    update.document = {**clean, "last_verified": update.document.get("last_verified")}
    update.updated_at = utcnow()


def turn_into_update(
    session: Session, user: User, draft: Practice, target: Practice
) -> PracticeUpdate:
    """A partner's new submission describes a practice already published: make it an update of
    that practice instead, and drop the duplicate draft."""
    if not can_edit(user, draft):
        raise WorkflowError(_("This submission cannot be changed now."))
    if target.status != "published" or target.id == draft.id:
        raise WorkflowError(_("Only a published practice can be updated."))
    document = {
        **to_record(draft),
        "id": target.id,
        "status": "published",
        "last_verified": to_record(target)["last_verified"],
    }
    update = PracticeUpdate(
        practice_id=target.id,
        document=document,
        status="draft",
        author_id=user.id,
        owner_organisation_id=user.organisation_id,
    )
    session.add(update)
    services.delete_practice(session, draft.id)
    session.flush()
    audit.record(
        session,
        "update.created",
        user,
        f"practice:{target.id}",
        update=update.id,
        from_draft=draft.id,
    )
    return update


# -- transitions ---------------------------------------------------------------------------


def transition(
    session: Session,
    user: User,
    item: Practice | PracticeUpdate,
    action: str,
    note: str = "",
    note_to_submitter: bool = True,
    rubric: dict | None = None,
    confirmed_no_personal_data: bool = False,
) -> None:
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise WorkflowError(_("Unknown action %(action)s.") % {"action": repr(action)})
    if rule.curators and not is_curator(user):
        raise WorkflowError(_("Only curators can do this."))
    if not rule.curators and not owns(user, item):
        raise WorkflowError(_("Only the submitting organisation can do this."))
    if item.status not in rule.sources:
        raise WorkflowError(
            # Translators: the status is one of the status labels ("Published", "Draft", ...).
            _("Cannot do this: the practice's status is %(status)s.")
            % {"status": _(STATUSES.label_of(item.status))}
        )
    if action == "archive" and isinstance(item, PracticeUpdate):
        raise WorkflowError(_("Updates are not archived; archive the practice."))
    if action == "submit":
        document = item.document if isinstance(item, PracticeUpdate) else to_record(item)
        _clean(document, "submitted", document.get("id"))  # complete now, or Incomplete
        if not confirmed_no_personal_data:
            raise WorkflowError(_("Confirm that the entry contains no personal data of victims."))
    if action in ("reject", "request_changes") and not note.strip():
        raise WorkflowError(_("Give the submitter a reason."))
    if rubric is not None:
        rubric = {k: v for k, v in rubric.items() if k in dict(RUBRIC) and v in RUBRIC_SCORES}

    previous = item.status
    practice_id = item.id if isinstance(item, Practice) else item.practice_id
    if isinstance(item, PracticeUpdate) and action == "publish":
        _apply_update(session, user, item)
    elif isinstance(item, Practice):
        practice = services.lock_practice(session, item.id)
        practice.status = rule.target
        practice.updated_at = utcnow()
        if rule.target == "published" and practice.published_at is None:
            practice.published_at = utcnow()
        if previous == "published" or rule.target == "published":
            services.queue_index_change(session, practice.id)
    item.status = rule.target
    if action == "submit":
        item.submitted_at = utcnow()

    session.add(
        ReviewEvent(
            practice_id=practice_id,
            update_id=item.id if isinstance(item, PracticeUpdate) else None,
            actor_id=user.id,
            from_status=previous,
            to_status=rule.target,
            note=note.strip(),
            note_visibility="submitter" if note_to_submitter else "internal",
            rubric=rubric or None,
        )
    )
    audit.record(
        session,
        f"workflow.{action}",
        user,
        f"practice:{practice_id}",
        update=item.id if isinstance(item, PracticeUpdate) else None,
        from_status=previous,
        to_status=rule.target,
    )
    if rule.curators:
        kind = "Update of" if isinstance(item, PracticeUpdate) else "Practice"
        message = f"{kind} “{_title(item)}” is now {rule.target.replace('_', ' ')}."
        if note.strip() and note_to_submitter:
            message += f" Note from the curator: {note.strip()}"
        _notify_owners(session, item, message, _link(item))


def _apply_update(session: Session, curator: User, update: PracticeUpdate) -> None:
    practice = services.lock_practice(session, update.practice_id)
    if practice.status != "published":
        raise WorkflowError(_("The practice is no longer published; the update cannot be applied."))
    clean = _clean({**update.document}, "published", practice.id)
    services.save_practice(session, clean, author=curator, note=f"update {update.id} published")


def add_note(session: Session, curator: User, item, note: str, to_submitter: bool) -> None:
    if not is_curator(curator):
        raise WorkflowError(_("Only curators write review notes."))
    if not note.strip():
        raise WorkflowError(_("The note is empty."))
    practice_id = item.id if isinstance(item, Practice) else item.practice_id
    session.add(
        ReviewEvent(
            practice_id=practice_id,
            update_id=item.id if isinstance(item, PracticeUpdate) else None,
            actor_id=curator.id,
            from_status=item.status,
            to_status=item.status,
            note=note.strip(),
            note_visibility="submitter" if to_submitter else "internal",
        )
    )
    audit.record(
        session,
        "workflow.note",
        curator,
        f"practice:{practice_id}",
        visibility="submitter" if to_submitter else "internal",
    )
    if to_submitter:
        _notify_owners(session, item, f"New note on “{_title(item)}”: {note.strip()}", _link(item))


def assign(session: Session, curator: User, item, assignee: User | None) -> None:
    if not is_curator(curator):
        raise WorkflowError(_("Only curators assign submissions."))
    if assignee is not None and assignee.role not in CURATORS:
        raise WorkflowError(_("Submissions are assigned to curators."))
    item.assigned_to_id = assignee.id if assignee else None
    audit.record(
        session,
        "workflow.assign",
        curator,
        f"{type(item).__name__.lower()}:{item.id}",
        assignee=assignee.id if assignee else None,
    )


def mark_verified(session: Session, curator: User, practice: Practice) -> None:
    if not is_curator(curator):
        raise WorkflowError(_("Only curators re-verify practices."))
    if practice.status != "published":
        raise WorkflowError(_("Only published practices are re-verified."))
    practice = services.lock_practice(session, practice.id)
    practice.last_verified = date.today()
    practice.updated_at = utcnow()
    services.queue_index_change(session, practice.id)
    audit.record(session, "workflow.verified", curator, f"practice:{practice.id}")
