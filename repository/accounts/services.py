"""Writing accounts."""

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repository.accounts.passwords import hash_password, password_problem
from repository.models import Organisation, User
from repository.vocabularies import ROLES

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """The account cannot be created as asked."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str = "partner",
    organisation_name: str | None = None,
    active: bool = False,
) -> User:
    email = normalise_email(email)
    if not EMAIL.match(email) or len(email) > 320:
        raise AccountError(f"not a valid e-mail address: {email!r}")
    if not name.strip():
        raise AccountError("the name must not be empty")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    if problem := password_problem(password):
        raise AccountError(problem)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError(f"a user with the e-mail {email} already exists")
    organisation = None
    if organisation_name:
        organisation = session.scalar(
            select(Organisation).where(Organisation.name == organisation_name.strip())
        ) or Organisation(name=organisation_name.strip(), actor_type="ngo")
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
