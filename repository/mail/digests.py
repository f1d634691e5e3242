"""Saved searches and their e-mail digests: once a day or once a week, the practices published
since the last digest that the search finds now, run exactly as the search page runs it."""

from datetime import timedelta

from sqlalchemy import select
from starlette.datastructures import QueryParams

from repository.discovery.params import parse_search
from repository.discovery.payload import search_payload
from repository.i18n import DEFAULT_LOCALE, _, ngettext, use_locale
from repository.mail import compose, outbox
from repository.models import Practice, SavedSearch, User, utcnow
from repository.params import BadParameter

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
MAX_LISTED = 20
SEARCH_PAGE = 100


def new_matches(db, index, saved: SavedSearch) -> list[Practice]:
    """Published practices the search finds that were published after it was last checked."""
    query = QueryParams(saved.query)
    items = [(k, v) for k, v in query.multi_items() if k not in ("page", "per_page", "sort")]
    items += [("sort", "added"), ("per_page", str(SEARCH_PAGE))]
    try:
        params = parse_search(QueryParams(items))
    except BadParameter:
        return []  # a vocabulary value that no longer exists: nothing matches it
    ids = [result["id"] for result in search_payload(index, params)["results"]]
    if not ids:
        return []
    with db.read() as session:
        found = session.scalars(
            select(Practice).where(
                Practice.id.in_(ids),
                Practice.status == "published",
                Practice.published_at > saved.checked_at,
            )
        ).unique()
        order = {practice_id: n for n, practice_id in enumerate(ids)}
        return sorted(found, key=lambda p: order[p.id])


def run_due(db, index, settings, now=None) -> int:
    """Write the digests that are due into the outbox; how many."""
    now = now or utcnow()
    with db.read() as session:
        due = [
            s.id
            for s in session.scalars(select(SavedSearch))
            if s.checked_at + PERIODS.get(s.frequency, PERIODS["weekly"]) <= now
        ]
    written = 0
    for saved_id in due:
        with db.read() as session:
            saved = session.get(SavedSearch, saved_id)
        if saved is None:
            continue
        practices = new_matches(db, index, saved)
        with db.write() as session:
            saved = session.get(SavedSearch, saved_id)
            user = session.get(User, saved.user_id) if saved is not None else None
            if saved is None or user is None:
                continue
            if practices and user.active:
                # In the account's language: this runs in the background, outside any request.
                with use_locale(user.language or DEFAULT_LOCALE):
                    written += _write(session, settings, user, saved, practices, now)
                saved.last_sent_at = now
            saved.checked_at = now
    return written


def _title(practice: Practice, language: str | None) -> str:
    own = [t.title for t in practice.translations if t.language == language]
    return own[0] if own and language != practice.language else practice.title


def _write(session, settings, user: User, saved: SavedSearch, practices, now) -> int:
    """The digest, each practice's title in the account's language where it has one."""
    listed = practices[:MAX_LISTED]
    count = len(practices)
    lines = [
        ngettext(
            "%(num)d new practice matches your saved search “%(name)s”:",
            "%(num)d new practices match your saved search “%(name)s”:",
            count,
        )
        % {"num": count, "name": saved.name},
        "",
    ]
    for practice in listed:
        url = compose.absolute(settings.base_url, f"/practices/{practice.id}")
        lines += [_title(practice, user.language), f"{practice.organisation.name}", url, ""]
    if count > MAX_LISTED:
        lines.append(_("And %(num)d more: see the search.") % {"num": count - MAX_LISTED})
    search = compose.absolute(settings.base_url, f"/search?{saved.query}".rstrip("?"))
    lines.append(_("The search: %(link)s") % {"link": search})
    written = outbox.enqueue(
        session,
        user.email,
        _("Practice Hub: %(num)d new for “%(name)s”") % {"num": count, "name": saved.name},
        "\n".join(lines),
        user=user,
        event=f"digest:{saved.id}:{now.isoformat(timespec='minutes')}",
        practice_ids=[p.id for p in practices],
        unsubscribe=f"{outbox.SEARCH}{saved.id}",
    )
    return int(written)
