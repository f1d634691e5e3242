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
from repository.i18n import DEFAULT_LOCALE, N_, _, use_locale
from repository.mail import outbox
from repository.models import (
    Attachment,
    Practice,
    PracticeUpdate,
    ReviewEvent,
    User,
    utcnow,
)
from repository.practices import services
from repository.practices.documents import to_record
from repository.practices.validation import validate_record
from repository.submissions import privacy
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
        # The partner takes a submission back to edit it (or to delete it) before a decision.
        Transition("withdraw", frozenset({"submitted"}), "draft", False),
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


class PrivacyUnexplained(WorkflowError):
    """What the privacy check found is neither edited away nor explained; `findings` lists
    the findings still to explain."""

    def __init__(self, findings: list[privacy.PrivacyWarning]):
        super().__init__(
            "Edit the text, or explain for each finding of the privacy check why it is not "
            "personal data."
        )
        self.findings = findings


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
    hidden = isinstance(item, Practice) and item.converted_at is not None
    return owns(user, item) and item.status in EDITABLE and not hidden


def can_delete(user: User | None, item: Practice | PracticeUpdate) -> bool:
    """A draft (never one a curator is deciding on) is its organisation's to delete."""
    return can_edit(user, item) and item.status == "draft"


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


def _about(item) -> dict:
    """What a message is about, for the rule on who may be e-mailed about what."""
    if isinstance(item, PracticeUpdate):
        return {"practice_ids": [item.practice_id], "update_id": item.id}
    return {"practice_ids": [item.id]}


def _notify_owners(session: Session, item, compose, link: str, event: str) -> None:
    """`compose()` gives (message, e-mail body); it runs in each member's own language."""
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
        with use_locale(member.language or DEFAULT_LOCALE):
            message, body = compose()
            outbox.notify(
                session,
                member,
                message,
                link,
                body=body or message,
                event=event,
                **_about(item),
            )


def _title(item) -> str:
    return item.title if isinstance(item, Practice) else item.document.get("title", "")


def _link(item) -> str:
    """What a notification is about, as a reference ("update:5"); the pages turn it into a
    link through the route table (links.resolve), so no service writes a page path."""
    return f"update:{item.id}" if isinstance(item, PracticeUpdate) else f"submission:{item.id}"


def _review_link(item) -> str:
    kind = "review_update" if isinstance(item, PracticeUpdate) else "review"
    return f"{kind}:{item.id}"


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
    that practice instead. The draft is kept out of sight, with its files, so that the partner
    can undo this while the update is a draft; submitting the update deletes it."""
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
        from_draft_id=draft.id,
        privacy_explanations=draft.privacy_explanations,
    )
    session.add(update)
    draft.converted_at = utcnow()
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


def undo_conversion(session: Session, user: User, update: PracticeUpdate) -> Practice:
    """Turn an update made from a draft back into that draft, with what was edited since."""
    if not can_edit(user, update) or update.status != "draft" or update.from_draft_id is None:
        raise WorkflowError("Only an update made from your draft, not yet submitted, goes back.")
    draft = services.lock_practice(session, update.from_draft_id)
    if draft.converted_at is None or not owns(user, draft):
        raise WorkflowError("This update was not made from your draft.")
    record = {**update.document, "id": draft.id, "last_verified": None}
    clean = _clean(record, draft.status, draft.id, draft=True)
    draft.converted_at = None
    draft.privacy_explanations = update.privacy_explanations
    services.save_practice(session, clean, author=user, note="back from a proposed update")
    session.delete(update)
    audit.record(
        session, "update.undone", user, f"practice:{draft.id}", update=update.id, draft=draft.id
    )
    return draft


def delete_draft(session: Session, user: User, item) -> list[Practice]:
    """Delete a draft (or a draft update, with the draft it was made from); the practices
    deleted, whose files the caller removes after commit."""
    if not can_delete(user, item):
        raise WorkflowError("Only a draft can be deleted; withdraw a submission first.")
    deleted = []
    if isinstance(item, PracticeUpdate):
        if item.from_draft_id is not None:
            hidden = session.get(Practice, item.from_draft_id)
            if hidden is not None and hidden.converted_at is not None:
                deleted.append(hidden)
        session.delete(item)
        target = f"practice:{item.practice_id}"
    else:
        deleted.append(item)
        target = f"practice:{item.id}"
    for practice in deleted:
        services.delete_practice(session, practice.id)
    audit.record(
        session,
        "submission.deleted",
        user,
        target,
        update=item.id if isinstance(item, PracticeUpdate) else None,
    )
    return deleted


# -- transitions ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a transition did that the caller acts on after commit."""

    deleted_drafts: list[Practice]
    # Stored names of the evidence files that went with them: the caller removes the files.
    deleted_files: list[str]


def _explain(session: Session, user: User, item, document: dict, given: dict | None) -> None:
    """Keep the partner's explanations of the privacy findings; refuse while any finding is
    neither edited away nor explained."""
    findings = privacy.scan(document)
    stored = dict(item.privacy_explanations or {})
    texts = {**privacy.stored_texts(stored), **{k: v for k, v in (given or {}).items() if v}}
    missing = privacy.unexplained(findings, texts)
    if missing:
        raise PrivacyUnexplained(missing)
    now = utcnow().isoformat(timespec="seconds")
    kept = {}
    for finding in findings:
        text = texts[finding.key].strip()[:2000]
        previous = stored.get(finding.key) or {}
        same = isinstance(previous, dict) and previous.get("text") == text
        kept[finding.key] = previous if same else {"text": text, "by": user.id, "at": now}
    item.privacy_explanations = kept or None


def transition(
    session: Session,
    user: User,
    item: Practice | PracticeUpdate,
    action: str,
    note: str = "",
    note_to_submitter: bool = True,
    rubric: dict | None = None,
    confirmed_no_personal_data: bool = False,
    privacy_explanations: dict[str, str] | None = None,
    public_files: set[int] | None = None,
) -> Outcome:
    """Apply one action. `privacy_explanations` ({finding key: text}) come with a submission;
    `public_files` (attachment ids) with a publication: the evidence files the curator makes
    public, every other one of the practice's files staying internal."""
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
    if isinstance(item, Practice) and item.converted_at is not None:
        raise WorkflowError("This draft became a proposed update: work on the update.")
    if action == "archive" and isinstance(item, PracticeUpdate):
        raise WorkflowError(_("Updates are not archived; archive the practice."))
    outcome = Outcome(deleted_drafts=[], deleted_files=[])
    if action == "submit":
        document = item.document if isinstance(item, PracticeUpdate) else to_record(item)
        _clean(document, "submitted", document.get("id"))  # complete now, or Incomplete
        _explain(session, user, item, document, privacy_explanations)
        if not confirmed_no_personal_data:
            raise WorkflowError(_("Confirm that the entry contains no personal data of victims."))
    if action in ("reject", "request_changes") and not note.strip():
        raise WorkflowError(_("Give the submitter a reason."))
    if rubric is not None:
        rubric = {k: v for k, v in rubric.items() if k in dict(RUBRIC) and v in RUBRIC_SCORES}

    previous = item.status
    practice_id = item.id if isinstance(item, Practice) else item.practice_id
    files_note = ""
    if isinstance(item, PracticeUpdate) and action == "publish":
        _apply_update(session, user, item)
    elif isinstance(item, Practice):
        practice = services.lock_practice(session, item.id)
        practice.status = rule.target
        practice.updated_at = utcnow()
        if rule.target == "published":
            # Publishing is a curator's verification of the practice, today.
            practice.last_verified = date.today()
            if practice.published_at is None:
                practice.published_at = utcnow()
            files_note = _decide_files(session, user, practice, public_files or set())
        if previous == "published" or rule.target == "published":
            services.queue_index_change(session, practice.id)
        if action in ("submit", "publish"):
            # The versions a curator compares: what was submitted, what was published.
            services.record_revision(session, practice, user, _REVISION_NOTES[action])
    if isinstance(item, PracticeUpdate) and action == "submit" and item.from_draft_id:
        # The update goes to the curators: the draft it was made from can no longer come back.
        hidden = session.get(Practice, item.from_draft_id)
        if hidden is not None and hidden.converted_at is not None:
            outcome.deleted_drafts.append(hidden)
            outcome.deleted_files += _stored_files(session, hidden.id)
            services.delete_practice(session, hidden.id)
        item.from_draft_id = None
    item.status = rule.target
    if action == "submit":
        item.submitted_at = utcnow()

    event = ReviewEvent(
        practice_id=practice_id,
        update_id=item.id if isinstance(item, PracticeUpdate) else None,
        actor_id=user.id,
        from_status=previous,
        to_status=rule.target,
        note=note.strip(),
        note_visibility="submitter" if note_to_submitter else "internal",
        rubric=rubric or None,
    )
    session.add(event)
    session.flush()
    if rule.target == "published":
        audit.record(session, "workflow.verified", user, f"practice:{practice_id}")
    audit.record(
        session,
        f"workflow.{action}",
        user,
        f"practice:{practice_id}",
        update=item.id if isinstance(item, PracticeUpdate) else None,
        from_status=previous,
        to_status=rule.target,
    )
    kind = "update" if isinstance(item, PracticeUpdate) else "practice"
    if rule.curators:

        def decision() -> tuple[str, str]:
            title = _title(item) or _("Untitled")
            message = _(STATUS_MESSAGES[kind, rule.target]) % {"title": title}
            body = message
            if note.strip() and note_to_submitter:
                body += "\n\n" + _("Note from the curator:\n%(note)s") % {"note": note.strip()}
                message += " " + _("Note from the curator: %(note)s") % {"note": note.strip()}
            if files_note:
                body += f"\n\n{files_note}"
                message += f" {files_note}"
            return message, body

        _notify_owners(session, item, decision, _link(item), f"review_event:{event.id}")
    elif action == "submit":
        organisation = user.organisation.name if user.organisation else user.name
        again = "again" if previous == "changes_requested" else "first"

        def submitted() -> tuple[str, str, str]:
            title = _title(item) or _("Untitled")
            message = _(SUBMITTED_MESSAGES[kind, again]) % {
                "organisation": organisation,
                "title": title,
            }
            subject = _("Practice Hub: to review: “%(title)s”") % {"title": title}
            return message, subject, message

        outbox.notify_curators(
            session,
            submitted,
            _review_link(item),
            event=f"review_event:{event.id}",
            assigned_to_id=item.assigned_to_id,
        )
    elif action == "withdraw":
        message = _(WITHDRAWN_MESSAGES[kind]) % {"title": _title(item) or _("Untitled")}
        for curator in outbox.curators(session):
            if item.assigned_to_id in (None, curator.id):
                outbox.notify(session, curator, message, _review_link(item), email=False)
    return outcome


_REVISION_NOTES = {"submit": "submitted", "publish": "published"}
# What the organisation is told, as whole sentences (translators see each one).
STATUS_MESSAGES = {
    ("practice", "changes_requested"): N_(
        "The practice “%(title)s” is now waiting for your changes."
    ),
    ("practice", "published"): N_("The practice “%(title)s” is now published."),
    ("practice", "rejected"): N_("The practice “%(title)s” is now rejected."),
    ("practice", "archived"): N_("The practice “%(title)s” is now archived."),
    ("practice", "draft"): N_("The practice “%(title)s” is now a draft again."),
    ("practice", "submitted"): N_("The practice “%(title)s” is now submitted."),
    ("update", "changes_requested"): N_(
        "Your update of “%(title)s” is now waiting for your changes."
    ),
    ("update", "published"): N_("Your update of “%(title)s” is now published."),
    ("update", "rejected"): N_("Your update of “%(title)s” is now rejected."),
    ("update", "archived"): N_("Your update of “%(title)s” is now archived."),
    ("update", "draft"): N_("Your update of “%(title)s” is now a draft again."),
    ("update", "submitted"): N_("Your update of “%(title)s” is now submitted."),
}
SUBMITTED_MESSAGES = {
    ("practice", "first"): N_("%(organisation)s submitted the practice “%(title)s” for review."),
    ("practice", "again"): N_(
        "%(organisation)s submitted the practice “%(title)s” again for review."
    ),
    ("update", "first"): N_("%(organisation)s submitted an update of “%(title)s” for review."),
    ("update", "again"): N_(
        "%(organisation)s submitted an update of “%(title)s” again for review."
    ),
}
WITHDRAWN_MESSAGES = {
    "practice": N_("The practice “%(title)s” was withdrawn by its organisation."),
    "update": N_("The update of “%(title)s” was withdrawn by its organisation."),
}


def _stored_files(session: Session, practice_id: int) -> list[str]:
    return list(
        session.scalars(select(Attachment.stored_name).where(Attachment.practice_id == practice_id))
    )


def _decide_files(session: Session, curator: User, practice: Practice, public: set[int]) -> str:
    """Make the chosen evidence files public and every other one internal; a sentence telling
    the submitter which is which (nothing when there are none)."""
    files = list(
        session.scalars(
            select(Attachment).where(Attachment.practice_id == practice.id).order_by(Attachment.id)
        )
    )
    for attachment in files:
        set_visibility(session, curator, attachment, attachment.id in public)
    made_public = [a.original_name for a in files if a.visibility == "public"]
    internal = [a.original_name for a in files if a.visibility != "public"]
    parts = []
    if made_public:
        parts.append(
            _("Evidence files made public: %(files)s.") % {"files": ", ".join(made_public)}
        )
    if internal:
        parts.append(
            _("Kept internal (curators and your organisation only): %(files)s.")
            % {"files": ", ".join(internal)}
        )
    return " ".join(parts)


def set_visibility(session: Session, curator: User, attachment: Attachment, public: bool) -> bool:
    """Make one evidence file public or internal; True when that changed it."""
    if not is_curator(curator):
        raise WorkflowError("Only curators decide which evidence files are public.")
    wanted = "public" if public else "internal"
    changed = attachment.visibility != wanted
    if changed or attachment.visibility_set_at is None:
        attachment.visibility = wanted
        attachment.visibility_set_by_id = curator.id
        attachment.visibility_set_at = utcnow()
    if changed:
        audit.record(
            session,
            f"attachment.{wanted}",
            curator,
            f"practice:{attachment.practice_id}",
            attachment=attachment.id,
        )
    return changed


def _apply_update(session: Session, curator: User, update: PracticeUpdate) -> None:
    practice = services.lock_practice(session, update.practice_id)
    if practice.status != "published":
        raise WorkflowError(_("The practice is no longer published; the update cannot be applied."))
    # Publishing the update verifies the practice as it now reads.
    document = {**update.document, "last_verified": date.today().isoformat()}
    clean = _clean(document, "published", practice.id)
    services.save_practice(session, clean, author=curator, note=f"update {update.id} published")


def add_note(session: Session, curator: User, item, note: str, to_submitter: bool) -> None:
    if not is_curator(curator):
        raise WorkflowError(_("Only curators write review notes."))
    if not note.strip():
        raise WorkflowError(_("The note is empty."))
    practice_id = item.id if isinstance(item, Practice) else item.practice_id
    event = ReviewEvent(
        practice_id=practice_id,
        update_id=item.id if isinstance(item, PracticeUpdate) else None,
        actor_id=curator.id,
        from_status=item.status,
        to_status=item.status,
        note=note.strip(),
        note_visibility="submitter" if to_submitter else "internal",
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        "workflow.note",
        curator,
        f"practice:{practice_id}",
        visibility="submitter" if to_submitter else "internal",
    )
    if to_submitter:
        message = f"New note from the curator on “{_title(item)}”: {note.strip()}"
        _notify_owners(session, item, message, _link(item), f"review_event:{event.id}")


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
