"""Notifications in the app and e-mails in the outbox, written by the services in the
transaction of the event they tell about; repository.mail.sender sends the e-mails.

One rule holds here and again when a message is sent: nobody but the submitting organisation's
members and the curators is ever e-mailed about a practice that is not published, or about a
proposed update.
"""

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from repository.i18n import DEFAULT_LOCALE, current_locale, use_locale
from repository.models import EmailOutbox, Notification, Practice, PracticeUpdate, User

CURATOR_ROLES = ("curator", "admin")
# Runs of white space in a subject become one space (a subject is one line), except the
# no-break spaces French puts before a colon.
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")
# Topics of optional e-mails, which carry an unsubscribe link.
CURATION = "curation"  # curators: new registrations and submissions
SEARCH = "search:"  # a saved search's digest: "search:12"


def curators(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role.in_(CURATOR_ROLES), User.active.is_(True))
            .order_by(User.id)
        ).unique()
    )


def _member_of(user: User, organisation_id: int | None) -> bool:
    return (
        organisation_id is not None
        and user.active
        and user.role == "partner"
        and user.organisation_id == organisation_id
    )


def may_receive(
    session: Session, user: User | None, practice_ids: Iterable[int] = (), update_id=None
) -> bool:
    """Whether this account may be told about these practices (and this proposed update)."""
    if user is None or not user.active:
        return False
    if user.role in CURATOR_ROLES:
        return True
    for practice_id in practice_ids:
        practice = session.get(Practice, practice_id)
        if practice is None:
            return False
        if practice.status != "published" and not _member_of(user, practice.owner_organisation_id):
            return False
    if update_id is not None:
        update = session.get(PracticeUpdate, update_id)
        if update is None or not _member_of(user, update.owner_organisation_id):
            return False
    return True


def enqueue(
    session: Session,
    address: str,
    subject: str,
    body: str,
    *,
    user: User | None = None,
    link: str = "",
    event: str | None = None,
    practice_ids: Iterable[int] = (),
    update_id: int | None = None,
    unsubscribe: str | None = None,
) -> bool:
    """Write one e-mail; False when it is not written: the address already has this event's
    message (one per event and address), or the account may not hear about the content."""
    practice_ids = list(practice_ids)
    if (practice_ids or update_id is not None) and not may_receive(
        session, user, practice_ids, update_id
    ):
        return False
    if event is not None:
        existing = session.scalar(
            select(EmailOutbox.id).where(
                EmailOutbox.event == event, EmailOutbox.to_address == address
            )
        )
        if existing is not None:
            return False
    session.add(
        EmailOutbox(
            to_address=address,
            subject=_SPACES.sub(" ", subject).strip()[:300],
            body=body,
            user_id=user.id if user is not None else None,
            link=link,
            event=event,
            practice_ids=practice_ids or None,
            update_id=update_id,
            unsubscribe=unsubscribe,
            # The callers write in the recipient's language (use_locale): so is the frame.
            language=current_locale(),
        )
    )
    return True


def notify(
    session: Session,
    user: User,
    message: str,
    link: str = "",
    *,
    email: bool = True,
    subject: str | None = None,
    body: str | None = None,
    event: str | None = None,
    practice_ids: Iterable[int] = (),
    update_id: int | None = None,
    unsubscribe: str | None = None,
) -> None:
    """A notification in the app and, unless `email` is False, the same news by e-mail."""
    practice_ids = list(practice_ids)
    about = practice_ids or update_id is not None
    if about and not may_receive(session, user, practice_ids, update_id):
        return
    session.add(Notification(user_id=user.id, message=message, link=link))
    if email:
        enqueue(
            session,
            user.email,
            subject or f"Practice Hub: {message}",
            body or message,
            user=user,
            link=link,
            event=event,
            practice_ids=practice_ids,
            update_id=update_id,
            unsubscribe=unsubscribe,
        )


def notify_curators(
    session: Session,
    message,
    link: str,
    *,
    subject: str = "",
    body: str = "",
    event: str,
    assigned_to_id: int | None = None,
) -> None:
    """Tell the curators (the one a submission is assigned to, when it is): in the app always,
    by e-mail to those who have not turned these e-mails off (an optional topic).

    `message` may be a function giving (message, subject, body): it then runs in each
    curator's own language."""
    everyone = curators(session)
    chosen = [c for c in everyone if c.id == assigned_to_id] or everyone
    for curator in chosen:
        with use_locale(curator.language or DEFAULT_LOCALE):
            text, subject_, body_ = message() if callable(message) else (message, subject, body)
            notify(
                session,
                curator,
                text,
                link,
                email=curator.curation_emails,
                subject=subject_,
                body=body_,
                event=event,
                unsubscribe=CURATION,
            )
