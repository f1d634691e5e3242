"""Registration, and joining an organisation that is already registered.

Registering once joined any organisation whose name one typed, and with it that organisation's
drafts, submissions and evidence files. Now a registration names either a new organisation
(created with the account) or an existing one it asks to join: the account's organisation then
stays empty until one of that organisation's members lets it in (`decide_join`) or a curator,
shown who the members are, approves it into it (services.approve with join=True).

Registration also answers the same whether or not the e-mail already has an account (the owner
gets an e-mail instead), and is limited per address: each one costs an Argon2 hash.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from repository import audit
from repository.accounts import limits
from repository.accounts.passwords import hash_password, password_problem
from repository.accounts.services import (
    EMAIL,
    AccountError,
    create_user,
    normalise_email,
    organisation_named,
)
from repository.accounts.throttle import TooManyAttempts
from repository.i18n import DEFAULT_LOCALE, _, current_locale, use_locale
from repository.mail import outbox
from repository.models import User

REGISTRATION_WINDOW = 60 * 60
MAX_REGISTRATIONS_PER_ADDRESS = 5
NEW, JOIN = "new", "join"


class OrganisationChoice(AccountError):
    """The organisation named does not fit the choice made (new or existing)."""


@dataclass(frozen=True)
class Registration:
    email: str
    name: str
    organisation: str
    choice: str  # NEW or JOIN
    organisation_type: str
    organisation_country: str | None


def members(session: Session, organisation_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id, User.active.is_(True))
            .order_by(User.name)
        ).unique()
    )


def _check(session: Session, form: Registration, password: str):
    """The organisation the form asks to join (or None for a new one); AccountError for any
    field that is wrong, checked alike whether the e-mail has an account or not."""
    if not EMAIL.match(normalise_email(form.email)) or len(form.email) > 320:
        raise AccountError(_("This is not a valid e-mail address."), "email")
    if not form.name.strip() or len(form.name) > 200:
        raise AccountError(_("The name must be 1 to 200 characters."), "name")
    if problem := password_problem(password):
        raise AccountError(problem, "password")
    existing = organisation_named(session, form.organisation)
    if form.choice == NEW and existing is not None:
        raise OrganisationChoice(
            _(
                "An organisation of this name is already registered. If you work there, choose "
                "to join it; if not, give your organisation's full name (with its city or "
                "country, for example)."
            ),
            "organisation",
        )
    if form.choice == JOIN and existing is None:
        raise OrganisationChoice(
            _(
                "No organisation of this name is registered yet: check its spelling, or "
                "register it as a new organisation."
            ),
            "organisation",
        )
    return existing if form.choice == JOIN else None


def _create(session: Session, form: Registration, password: str, joining, address: str) -> None:
    user = create_user(
        session,
        email=form.email,
        name=form.name,
        password=password,
        role="partner",
        organisation_name=None if joining else form.organisation,
        organisation_type=form.organisation_type,
        organisation_country=form.organisation_country,
        active=False,
    )
    # The language the pages were read in to register: the e-mails about it come in it.
    user.language = current_locale()
    if joining is not None:
        user.requested_organisation = joining
        for member in members(session, joining.id):
            with use_locale(member.language or DEFAULT_LOCALE):
                outbox.notify(
                    session,
                    member,
                    _(
                        "%(name)s (%(email)s) asks to join %(organisation)s. Let them in or "
                        "refuse on your organisation's page."
                    )
                    % {"name": user.name, "email": user.email, "organisation": joining.name},
                    "organisation:members",
                    event=f"account.asks_to_join:{user.id}",
                )
    # Curators approve accounts: tell them one is waiting, rather than leave it to chance.
    organisation = joining.name if joining is not None else form.organisation.strip()
    names = {"name": user.name, "email": user.email, "organisation": organisation}

    def waiting():  # in each curator's language (outbox.notify_curators)
        if joining is not None:
            message = _(
                "%(name)s (%(email)s) asks to join %(organisation)s: the account waits for "
                "approval."
            )
        else:
            message = _(
                "%(name)s (%(email)s) registers %(organisation)s: the account waits for approval."
            )
        subject = _("Practice Hub: new account waiting: %(name)s, %(organisation)s")
        return message % names, subject % names, message % names

    outbox.notify_curators(session, waiting, "users:", event=f"account.registered:{user.id}")
    audit.record(
        session,
        "account.registered",
        user,
        f"user:{user.id}",
        address,
        asks_to_join=joining.id if joining is not None else None,
    )


def _warn_owner(session: Session, owner: User, password: str, address: str) -> None:
    hash_password(password)  # the time a new account takes, so timing does not tell either
    with use_locale(owner.language or DEFAULT_LOCALE):  # the owner's, not the visitor's
        outbox.enqueue(
            session,
            owner.email,
            _("Practice Hub: someone tried to register with your address"),
            _(
                "Someone tried to register a new account with this e-mail address, which "
                "already has one. If it was you, sign in instead (or change your password if "
                "you have forgotten it). If not, you need do nothing."
            ),
            user=owner,
            link="signin:",
        )
    audit.record(session, "account.register_existing", None, f"user:{owner.id}", address)


def register(db, address: str, form: Registration, password: str) -> None:
    """Register a partner account, waiting for approval.

    Raises TooManyAttempts past the per-address limit, AccountError for a bad field. An e-mail
    that already has an account gets the same answer as a new one, and its owner an e-mail.
    """
    key = f"register:address:{address}"
    with db.write() as session:
        if limits.count(session, key, REGISTRATION_WINDOW) >= MAX_REGISTRATIONS_PER_ADDRESS:
            raise TooManyAttempts(limits.retry_after(REGISTRATION_WINDOW))
        joining = _check(session, form, password)
        email = normalise_email(form.email)
        owner = session.scalar(select(User).where(func.lower(User.email) == email))
        if owner is None:
            _create(session, form, password, joining, address)
        else:
            _warn_owner(session, owner, password, address)
        limits.hit(session, key, REGISTRATION_WINDOW)


# -- an organisation's members deciding who joins ------------------------------------------


def organisation_page(db, user: User) -> dict:
    """The user's organisation, its members and the accounts asking to join it."""
    if user.organisation_id is None:
        raise HTTPException(404)
    with db.read() as session:
        asking = list(
            session.scalars(
                select(User)
                .where(User.requested_organisation_id == user.organisation_id)
                .order_by(User.created_at)
            ).unique()
        )
        return {
            "organisation": user.organisation,
            "members": members(session, user.organisation_id),
            "asking": asking,
        }


def decide_join(db, member: User, user_id: int, accept: bool, address: str) -> str:
    """A member lets an account asking to join their organisation in, or refuses it; the
    account's name. The account still waits for a curator's approval before it can sign in."""
    with db.write() as session:
        me = session.get(User, member.id)
        asking = session.get(User, user_id)
        if (
            me is None
            or me.organisation_id is None
            or asking is None
            or asking.requested_organisation_id != me.organisation_id
        ):
            raise HTTPException(404)
        organisation = me.organisation
        if accept:
            asking.organisation, asking.requested_organisation = organisation, None
        else:
            asking.requested_organisation = None
        audit.record(
            session,
            "organisation.join_accepted" if accept else "organisation.join_refused",
            me,
            f"user:{asking.id}",
            address,
            organisation=organisation.id,
        )
        with use_locale(asking.language or DEFAULT_LOCALE):  # theirs, not the member's
            outbox.enqueue(
                session,
                asking.email,
                _("Practice Hub: your request to join %(organisation)s")
                % {"organisation": organisation.name},
                (
                    _(
                        "A member of %(organisation)s let you in; a curator will now approve "
                        "your account."
                    )
                    if accept
                    else _("A member of %(organisation)s refused your request to join it.")
                )
                % {"organisation": organisation.name},
                user=asking,
                event=f"organisation.join_{'accepted' if accept else 'refused'}:{asking.id}",
            )
        return asking.name
