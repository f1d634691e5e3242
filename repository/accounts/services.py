"""Writing accounts: creation, sign-in checks, passwords, approval, roles, deactivation."""

import re

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from repository import audit
from repository.accounts import limits, sessions, throttle
from repository.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from repository.accounts.throttle import TooManyAttempts
from repository.characters import clean
from repository.i18n import DEFAULT_LOCALE, _, use_locale
from repository.mail import outbox
from repository.models import (
    ApiToken,
    Notification,
    Organisation,
    SignedInSession,
    User,
    utcnow,
)
from repository.vocabularies import ACTOR_TYPES, ROLES

__all__ = ["AccountError", "TooManyAttempts", "create_user"]

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = hash_password("an unknown account has no password at all")


class NotActive(Exception):
    """The right password for an account that may not sign in: waiting for its first
    approval, or deactivated."""

    def __init__(self, user_id: int, waiting: bool):
        super().__init__("waiting" if waiting else "deactivated")
        self.user_id = user_id
        self.waiting = waiting


class AccountError(ValueError):
    """The account cannot be created or changed as asked (`field`: the form field at fault)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return clean(email).strip().lower()


def organisation_named(session: Session, name: str) -> Organisation | None:
    """The organisation of this name, ignoring case and surrounding spaces."""
    return session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())
    )


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str = "partner",
    organisation_name: str | None = None,
    organisation_type: str = "ngo",
    organisation_country: str | None = None,
    active: bool = False,
) -> User:
    """An account; its organisation is made when new, or joined when it exists (the operator's
    and the demo's own accounts: registration never joins, see accounts.registration)."""
    email = normalise_email(email)
    name = clean(name).strip()
    if not EMAIL.match(email) or len(email) > 320:
        raise AccountError(_("not a valid e-mail address: %(email)s") % {"email": repr(email)})
    if not name or len(name) > 200:
        raise AccountError(_("the name must be 1 to 200 characters"))
    if role not in ROLES:
        raise AccountError(_("unknown role %(role)s") % {"role": repr(role)})
    if organisation_type not in ACTOR_TYPES:
        raise AccountError(
            _("unknown organisation type %(type)s") % {"type": repr(organisation_type)}
        )
    if problem := password_problem(password):
        raise AccountError(problem)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError(_("a user with the e-mail %(email)s already exists") % {"email": email})
    organisation = None
    if organisation_name and (organisation_name := clean(organisation_name).strip()):
        organisation = organisation_named(session, organisation_name)
        if organisation is None:
            organisation = Organisation(
                name=organisation_name[:300],
                actor_type=organisation_type,
                country=organisation_country,
            )
            session.add(organisation)
    user = User(
        email=email,
        name=name,
        role=role,
        organisation=organisation,
        password_hash=hash_password(password),
        active=active,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str, address: str) -> User | None:
    """The active user with these credentials, or None; the same answer for every failure.

    Raises TooManyAttempts when this address, or this address on this account, must wait
    (accounts.throttle: nobody can lock an account out from another address).
    """
    email = normalise_email(email)[:320]
    keys = throttle.Keys.of(email, address)
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    try:
        throttle.check(session, keys, user, address)
    except TooManyAttempts:
        audit.record(session, "signin.limited", None, f"email:{email}", address)
        raise
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password[:1024])
    if user and valid and not user.active:
        # The right password: its owner may be told why they cannot sign in yet (nobody
        # else learns anything, so this tells an attacker nothing new).
        raise NotActive(user.id, waiting=waiting(user))
    if not user or not valid:
        throttle.failed(session, keys)
        audit.record(
            session,
            "signin.failed",
            user if user else None,
            f"email:{email}",
            address,
            reason="credentials",
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    audit.record(session, "signin", user, f"user:{user.id}", address)
    return user


def _end_everything(session: Session, user: User) -> None:
    """Every session of the account ends, wherever it was signed in."""
    user.auth_version += 1
    session.execute(delete(SignedInSession).where(SignedInSession.user_id == user.id))


def change_password(session: Session, user: User, current: str, new: str, address: str) -> int:
    """Change it, end every session and revoke the account's API tokens (a leaked password's
    holder may have made some); how many tokens were revoked."""
    if not verify_password(user.password_hash, current[:1024]):
        raise AccountError(_("The current password is not right."), field="current_password")
    if problem := password_problem(new):
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    _end_everything(session, user)
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    audit.record(
        session, "password.changed", user, f"user:{user.id}", address, tokens_revoked=revoked
    )
    return revoked or 0


def waiting(user: User) -> bool:
    """Never approved yet (as opposed to deactivated by an administrator)."""
    return not user.active and user.deactivated_at is None


def approve(session: Session, actor: User, user: User, address: str = "", join: bool = False):
    """Let a waiting account in; with `join`, into the organisation it asked to join."""
    if actor.role not in ("curator", "admin"):
        raise AccountError(_("Only curators and administrators approve accounts."))
    if user.role != "partner" and actor.role != "admin":
        raise AccountError(_("Only administrators approve curator and administrator accounts."))
    if user.deactivated_at is not None:
        raise AccountError(
            _("An administrator deactivated this account: only an administrator can activate it.")
        )
    if user.active:
        raise AccountError(_("This account is already active."))
    requested = user.requested_organisation
    if requested is not None and not join:
        raise AccountError(
            _(
                "This account asks to join %(organisation)s: approve it into that organisation "
                "explicitly, or refuse it."
            )
            % {"organisation": requested.name}
        )
    if join:
        if requested is None:
            raise AccountError(_("This account does not ask to join an organisation."))
        user.organisation, user.requested_organisation = requested, None
    user.active = True
    audit.record(
        session,
        "account.approved",
        actor,
        f"user:{user.id}",
        address,
        joined=requested.id if join else None,
    )
    organisation = user.organisation.name if user.organisation else ""
    with use_locale(user.language or DEFAULT_LOCALE):  # the new member's, not the curator's
        message = (
            _(
                "Your account is approved as a member of %(organisation)s: you can sign in and "
                "submit practices."
            )
            % {"organisation": organisation}
            if organisation
            else _("Your account is approved: you can sign in and submit practices.")
        )
        outbox.notify(
            session,
            user,
            message,
            "signin:",
            subject=_("Practice Hub: your account is approved"),
            event=f"account.approved:{user.id}",
        )


def refuse(session: Session, actor: User, user: User, address: str = "", reason: str = "") -> None:
    """Reject an account waiting for its first approval (a mistaken or unwanted registration):
    it is deleted, and its owner is told, with the reason when one is given."""
    if actor.role not in ("curator", "admin"):
        raise AccountError(_("Only curators and administrators reject accounts."))
    if not waiting(user) or user.last_sign_in_at is not None:
        raise AccountError(_("Only an account waiting for its first approval can be rejected."))
    audit.record(session, "account.refused", actor, f"user:{user.id}", address, email=user.email)
    with use_locale(user.language or DEFAULT_LOCALE):  # the applicant's, not the curator's
        paragraphs = [
            _("Your registration at Practice Hub was not approved, and the account is deleted.")
        ]
        if reason.strip():
            # The curator's own words follow, as written.
            paragraphs.append(_("The curator's reason:") + "\n" + reason.strip())
        paragraphs.append(
            _(
                "If you think this is a mistake, you may register again with more detail about "
                "your organisation."
            )
        )
        outbox.enqueue(
            session,
            user.email,
            _("Practice Hub: your registration was not approved"),
            "\n\n".join(paragraphs),
            event=f"account.refused:{user.id}",
        )
    session.delete(user)


def set_active(session: Session, actor: User, user: User, active: bool, address: str = "") -> None:
    """Administrators deactivate and reactivate any account; curators deactivate partner
    accounts (someone who left their organisation), and only an administrator brings one
    back."""
    if actor.role not in ("curator", "admin"):
        raise AccountError(_("Only curators and administrators deactivate accounts."))
    if actor.role != "admin" and (active or user.role != "partner"):
        raise AccountError(
            _(
                "Curators deactivate partner accounts; only an administrator can activate one "
                "again, or deactivate a curator's."
            )
        )
    if user.id == actor.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    user.active = active
    user.deactivated_at = None if active else utcnow()
    _end_everything(session, user)
    audit.record(
        session,
        "account.activated" if active else "account.deactivated",
        actor,
        f"user:{user.id}",
        address,
    )


def set_role(session: Session, actor: User, user: User, role: str, address: str = "") -> None:
    if actor.role != "admin":
        raise AccountError(_("Only administrators change roles."))
    if role not in ROLES:
        raise AccountError(_("unknown role %(role)s") % {"role": repr(role)})
    if user.id == actor.id and role != "admin":
        raise AccountError(_("You cannot remove your own administrator role."))
    previous, user.role = user.role, role
    _end_everything(session, user)
    audit.record(
        session, "role.changed", actor, f"user:{user.id}", address, previous=previous, role=role
    )


# -- what the account pages call: one transaction each ------------------------------------------


def sign_in_check(db, email: str, password: str, address: str) -> User | None:
    try:
        with db.write() as session:
            return authenticate(session, email, password, address)
    except NotActive as inactive:
        with db.write() as session:  # the attempt's own transaction was rolled back
            user = session.get(User, inactive.user_id)
            audit.record(session, "signin.inactive", user, f"user:{inactive.user_id}", address)
        raise


def change_own_password(db, user_id: int, current: str, new: str, address: str) -> tuple[User, int]:
    """The account with its new password, and how many API tokens were revoked."""
    with db.write() as session:
        user = session.get(User, user_id)
        revoked = change_password(session, user, current, new, address)
        return user, revoked


def sign_out_everywhere(db, user_id: int, address: str) -> None:
    with db.write() as session:
        user = session.get(User, user_id)
        _end_everything(session, user)
        audit.record(session, "signout.everywhere", user, f"user:{user.id}", address)


def notifications_of(db, user: User, limit: int = 100) -> list[Notification]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .limit(limit)
            ).all()
        )


def mark_notifications_read(db, user: User) -> None:
    with db.write() as session:
        for item in session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        ):
            item.read_at = utcnow()


def curation_waiting(db) -> dict[str, int]:
    """What waits for the curators: accounts to approve, submissions and updates to review."""
    from repository.models import Practice, PracticeUpdate

    with db.read() as session:
        count = lambda model, *where: session.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(*where)
        )
        return {
            "accounts": count(User, User.active.is_(False), User.deactivated_at.is_(None)),
            "submissions": count(Practice, Practice.status == "submitted")
            + count(PracticeUpdate, PracticeUpdate.status == "submitted"),
        }


def all_users(db, actor: User) -> tuple[list[User], dict[int, list[User]]]:
    """Every account, and for each organisation an account asks to join, its active members
    (a curator deciding must see who the newcomer would share drafts and files with)."""
    if actor.role not in ("curator", "admin"):
        raise AccountError(_("Only curators and administrators manage accounts."))
    with db.read() as session:
        query = select(User).order_by(User.active, User.created_at.desc())
        users = list(session.scalars(query).unique().all())
        asked = {u.requested_organisation_id for u in users if u.requested_organisation_id}
        members: dict[int, list[User]] = {organisation: [] for organisation in asked}
        for user in users:
            if user.organisation_id in members and user.active:
                members[user.organisation_id].append(user)
        return users, members


def act_on_user(
    db, actor: User, user_id: int, action: str, role: str, address: str, reason: str = ""
) -> str:
    """Approve (into the organisation asked for), reject, (de)activate or change the role of an
    account; the account's e-mail."""
    with db.write() as session:
        me = session.get(User, actor.id)
        target = session.get(User, user_id)
        if target is None:
            raise HTTPException(404)
        email = target.email
        if action == "approve":
            approve(session, me, target, address)
        elif action == "approve_join":
            approve(session, me, target, address, join=True)
        elif action in ("refuse", "reject"):
            refuse(session, me, target, address, reason[:2000])
        elif action == "deactivate":
            set_active(session, me, target, False, address)
        elif action == "activate":
            set_active(session, me, target, True, address)
        elif action == "role":
            set_role(session, me, target, role, address)
        else:
            raise HTTPException(400, _("Unknown action."))
        return email


def prune_expired(db) -> int:
    """Delete attempt counters and sessions that are over; how many (a background chore)."""
    with db.write() as session:
        return limits.prune(session) + sessions.prune(session)
