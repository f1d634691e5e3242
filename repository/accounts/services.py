"""Writing accounts: registration, sign-in checks, approval, roles, passwords."""

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from repository import audit
from repository.accounts import limits
from repository.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from repository.i18n import _
from repository.models import Notification, Organisation, User, utcnow
from repository.vocabularies import ACTOR_TYPES, ROLES

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
SIGN_IN_WINDOW = 15 * 60
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = hash_password("an unknown account has no password at all")


class AccountError(ValueError):
    """The account cannot be created or changed as asked."""


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _organisation(session: Session, name: str, actor_type: str, country: str | None):
    name = name.strip()
    organisation = session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, actor_type=actor_type, country=country)
        session.add(organisation)
    return organisation


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
    email = normalise_email(email)
    if not EMAIL.match(email) or len(email) > 320:
        raise AccountError(f"not a valid e-mail address: {email!r}")
    if not name.strip() or len(name) > 200:
        raise AccountError("the name must be 1 to 200 characters")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    if organisation_type not in ACTOR_TYPES:
        raise AccountError(f"unknown organisation type {organisation_type!r}")
    if problem := password_problem(password):
        raise AccountError(problem)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError(f"a user with the e-mail {email} already exists")
    organisation = (
        _organisation(session, organisation_name, organisation_type, organisation_country)
        if organisation_name and organisation_name.strip()
        else None
    )
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organisation=organisation,
        password_hash=hash_password(password),
        active=active,
    )
    session.add(user)
    session.flush()
    return user


def register_partner(session: Session, address: str = "", **fields) -> User:
    """A new partner account, inactive until a curator or admin approves it."""
    user = create_user(session, role="partner", active=False, **fields)
    audit.record(session, "account.registered", user, f"user:{user.id}", address)
    return user


def authenticate(session: Session, email: str, password: str, address: str) -> User | None:
    """The active user with these credentials, or None; the same answer for every failure.

    Raises TooManyAttempts when the account or the address has failed too often lately.
    """
    email = normalise_email(email)[:320]
    account_key, address_key = f"signin:account:{email}", f"signin:address:{address}"
    if (
        limits.count(session, account_key, SIGN_IN_WINDOW) >= MAX_FAILURES_PER_ACCOUNT
        or limits.count(session, address_key, SIGN_IN_WINDOW) >= MAX_FAILURES_PER_ADDRESS
    ):
        audit.record(session, "signin.limited", None, f"email:{email}", address)
        raise TooManyAttempts(limits.retry_after(SIGN_IN_WINDOW))
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password[:1024])
    if not user or not valid or not user.active:
        limits.hit(session, account_key, SIGN_IN_WINDOW)
        limits.hit(session, address_key, SIGN_IN_WINDOW)
        audit.record(
            session,
            "signin.failed",
            user if user else None,
            f"email:{email}",
            address,
            reason="inactive" if user and valid else "credentials",
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    audit.record(session, "signin", user, f"user:{user.id}", address)
    return user


def change_password(session: Session, user: User, current: str, new: str, address: str) -> None:
    if not verify_password(user.password_hash, current[:1024]):
        raise AccountError("The current password is not right.")
    if problem := password_problem(new):
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    user.auth_version += 1  # other sessions of this user end
    audit.record(session, "password.changed", user, f"user:{user.id}", address)


def approve(session: Session, actor: User, user: User, address: str = "") -> None:
    if actor.role not in ("curator", "admin"):
        raise AccountError("Only curators and administrators approve accounts.")
    if user.role != "partner" and actor.role != "admin":
        raise AccountError("Only administrators approve curator and administrator accounts.")
    user.active = True
    audit.record(session, "account.approved", actor, f"user:{user.id}", address)


def set_active(session: Session, actor: User, user: User, active: bool, address: str = "") -> None:
    if actor.role != "admin":
        raise AccountError("Only administrators deactivate accounts.")
    if user.id == actor.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    user.active = active
    user.auth_version += 1
    audit.record(
        session,
        "account.activated" if active else "account.deactivated",
        actor,
        f"user:{user.id}",
        address,
    )


def set_role(session: Session, actor: User, user: User, role: str, address: str = "") -> None:
    if actor.role != "admin":
        raise AccountError("Only administrators change roles.")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    if user.id == actor.id and role != "admin":
        raise AccountError("You cannot remove your own administrator role.")
    previous, user.role = user.role, role
    user.auth_version += 1
    audit.record(
        session, "role.changed", actor, f"user:{user.id}", address, previous=previous, role=role
    )


# -- what the account pages call: one transaction each ------------------------------------------


def register(db, address: str, values: dict, password: str) -> None:
    with db.write() as session:
        register_partner(
            session,
            address=address,
            email=values["email"],
            name=values["name"],
            password=password,
            organisation_name=values["organisation"],
            organisation_type=values["organisation_type"],
            organisation_country=values["organisation_country"] or None,
        )


def sign_in_check(db, email: str, password: str, address: str) -> User | None:
    with db.write() as session:
        return authenticate(session, email, password, address)


def change_own_password(db, user_id: int, current: str, new: str, address: str) -> User:
    with db.write() as session:
        user = session.get(User, user_id)
        change_password(session, user, current, new, address)
        return user


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


def all_users(db, actor: User) -> list[User]:
    if actor.role not in ("curator", "admin"):
        raise AccountError("Only curators and administrators manage accounts.")
    with db.read() as session:
        query = select(User).order_by(User.active, User.created_at.desc())
        return list(session.scalars(query).unique().all())


def act_on_user(db, actor: User, user_id: int, action: str, role: str, address: str) -> str:
    """Approve, (de)activate or change the role of an account; the account's e-mail."""
    with db.write() as session:
        me = session.get(User, actor.id)
        target = session.get(User, user_id)
        if target is None:
            raise HTTPException(404)
        if action == "approve":
            approve(session, me, target, address)
        elif action == "deactivate":
            set_active(session, me, target, False, address)
        elif action == "activate":
            set_active(session, me, target, True, address)
        elif action == "role":
            set_role(session, me, target, role, address)
        else:
            raise HTTPException(400, _("Unknown action."))
        return target.email
