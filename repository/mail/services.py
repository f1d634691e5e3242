"""An account's e-mail: its saved searches (daily or weekly digests), curators' alerts, and
unsubscribing from either by the link every optional e-mail carries."""

from urllib.parse import urlencode

from sqlalchemy import func, select
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from repository import audit
from repository.discovery.params import parse_search
from repository.i18n import _
from repository.mail import outbox
from repository.mail.digests import PERIODS
from repository.models import SavedSearch, User
from repository.params import MAX_ID, BadParameter

MAX_SAVED = 20


class AlertError(ValueError):
    """The saved search cannot be made or changed as asked."""


def canonical_query(raw: str) -> str:
    """The search's query string without paging, checked as the search page checks it."""
    query = QueryParams(raw[:2000])
    items = [(k, v) for k, v in query.multi_items() if k not in ("page", "per_page") and v]
    try:
        parse_search(QueryParams(items))
    except BadParameter as error:
        raise AlertError(_("This search cannot be saved: %(e)s") % {"e": str(error)}) from None
    return urlencode(items)


def describe(query: str) -> str:
    """A name for a search from its words and filters ("shelter · Protection")."""
    from repository import facets

    params = QueryParams(query)
    parts = [params.get("q", "")] if params.get("q") else []
    for name, value in params.multi_items():
        if name in facets.REGISTRY:
            parts.append(facets.facet(name).label_of(value))
    return " · ".join(parts)[:120] or _("All practices")


def saved_searches(db, user: User) -> list[SavedSearch]:
    with db.read() as session:
        return list(
            session.scalars(
                select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
            )
        )


def save_search(db, user: User, raw_query: str, frequency: str, name: str = "") -> SavedSearch:
    if frequency not in PERIODS:
        raise AlertError(_("Choose daily or weekly."))
    query = canonical_query(raw_query)
    with db.write() as session:
        count = session.scalar(
            select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id)
        )
        existing = session.scalar(
            select(SavedSearch).where(SavedSearch.user_id == user.id, SavedSearch.query == query)
        )
        if existing is not None:
            existing.frequency = frequency
            return existing
        if count >= MAX_SAVED:
            raise AlertError(
                _("You have %(n)d saved searches, the most there can be: delete one first.")
                % {"n": MAX_SAVED}
            )
        saved = SavedSearch(
            user_id=user.id,
            name=(name.strip() or describe(query))[:120],
            query=query,
            frequency=frequency,
        )
        session.add(saved)
        session.flush()
        audit.record(session, "alert.saved", session.get(User, user.id), f"search:{saved.id}")
        return saved


def _own(session, user: User, raw_id: str) -> SavedSearch:
    saved = (
        session.get(SavedSearch, int(raw_id))
        if raw_id.isdigit() and 0 < int(raw_id) <= MAX_ID
        else None
    )
    if saved is None or saved.user_id != user.id:
        raise HTTPException(404)
    return saved


def change_search(db, user: User, raw_id: str, frequency: str) -> None:
    if frequency not in PERIODS:
        raise AlertError(_("Choose daily or weekly."))
    with db.write() as session:
        _own(session, user, raw_id).frequency = frequency


def delete_search(db, user: User, raw_id: str) -> str:
    with db.write() as session:
        saved = _own(session, user, raw_id)
        session.delete(saved)
        return saved.name


def set_curation_emails(db, user: User, wanted: bool) -> None:
    with db.write() as session:
        session.get(User, user.id).curation_emails = wanted


def topic_name(db, user_id: int, topic: str) -> str | None:
    """What an unsubscribe link stops, in words; None when there is nothing (left) to stop."""
    with db.read() as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        if topic == outbox.CURATION:
            return _("e-mails about new registrations and submissions to review")
        if topic.startswith(outbox.SEARCH):
            saved = _saved(session, user_id, topic)
            return (
                _("the digest of your saved search “%(name)s”") % {"name": saved.name}
                if saved
                else None
            )
    return None


def _saved(session, user_id: int, topic: str) -> SavedSearch | None:
    raw = topic.removeprefix(outbox.SEARCH)
    saved = session.get(SavedSearch, int(raw)) if raw.isdigit() and int(raw) <= MAX_ID else None
    return saved if saved is not None and saved.user_id == user_id else None


def unsubscribe(db, user_id: int, topic: str) -> bool:
    """Stop one kind of optional e-mail for one account; False when there was nothing to stop."""
    with db.write() as session:
        user = session.get(User, user_id)
        if user is None:
            return False
        if topic == outbox.CURATION:
            user.curation_emails = False
        elif topic.startswith(outbox.SEARCH) and (saved := _saved(session, user_id, topic)):
            session.delete(saved)
        else:
            return False
        audit.record(session, "email.unsubscribed", user, f"user:{user.id}", topic=topic)
        return True
