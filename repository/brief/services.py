"""The intervention brief: practices a delegate picked, each with the words they will say.

A brief is kept in the database (edited lines do not fit in a cookie). A visitor's session holds
the random key of their brief; signing in hands that brief to the account, which keeps briefs by
name; signing out leaves a copy with the visitor, so signing in or out never empties a brief.
Every function here loads the brief through `_find`, which is the access check: a key only opens
a visitor's brief to a visitor and an account's brief to that account.

Only published practices are ever shown; one that stops being published drops out of the view
(and comes back if it is published again).
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from repository.brief import lines
from repository.brief.balance import balance
from repository.i18n import _, direction, format_number
from repository.models import Brief, BriefItem, Practice, utcnow
from repository.practices.documents import to_public

SESSION_KEY = "brief"
MAX_ITEMS = 20
MAX_TEXT = 1500  # characters of one line, the opening or the closing
MAX_NAME = 120
MAX_TOPIC = 200
MAX_BRIEFS = 50  # per account
LIMIT_SECONDS = 180  # interventions from the floor: 3 minutes, about 400 words
VISITOR_BRIEF_LIFETIME = timedelta(days=60)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class BriefError(Exception):
    """An action the brief cannot take (a full brief, a brief that is not yours)."""


@dataclass(frozen=True)
class Holder:
    """Who asks: the brief key from their session and, if signed in, their user id."""

    key: str | None
    user_id: int | None = None


@dataclass
class Edits:
    """What the brief form sends; None for a field it did not send (left unchanged)."""

    name: str | None = None
    topic: str | None = None
    opening: str | None = None
    closing: str | None = None
    lines: dict[int, str] = field(default_factory=dict)


def clean(text: str | None, limit: int) -> str:
    """One paragraph of plain text: control characters out, whitespace collapsed."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:limit]


# -- finding a brief: the access check --------------------------------------------------------


def _find(session: Session, holder: Holder, lock: bool = False) -> Brief | None:
    query = None
    if holder.key:
        owner = (
            Brief.user_id == holder.user_id
            if holder.user_id is not None
            else Brief.user_id.is_(None)
        )
        query = select(Brief).where(Brief.key == holder.key, owner)
    brief = (
        session.scalar(query.with_for_update() if lock else query) if query is not None else None
    )
    if brief is None and holder.user_id is not None:
        # Signed in on another device, or the session's brief is gone: the last one worked on.
        latest = (
            select(Brief)
            .where(Brief.user_id == holder.user_id)
            .order_by(Brief.updated_at.desc(), Brief.id.desc())
            .limit(1)
        )
        brief = session.scalar(latest.with_for_update() if lock else latest)
    return brief


def _default_name(topic: str = "") -> str:
    if topic:
        return clean(topic[:1].upper() + topic[1:], MAX_NAME)
    today = utcnow()
    return f"Brief of {today.day} {today:%B %Y}"


def _create(session: Session, holder: Holder, topic: str = "") -> Brief:
    if holder.user_id is not None:
        owned = session.scalars(select(Brief.id).where(Brief.user_id == holder.user_id)).all()
        if len(owned) >= MAX_BRIEFS:
            raise BriefError(
                _("An account keeps at most %(limit)d briefs: delete one first.")
                % {"limit": MAX_BRIEFS}
            )
    else:
        _prune_visitor_briefs(session)
    brief = Brief(
        key=secrets.token_urlsafe(24),
        user_id=holder.user_id,
        name=_default_name(topic) if holder.user_id is not None else "",
        opening="",
        closing="",
        topic=clean(topic, MAX_TOPIC),
        updated_at=utcnow(),
    )
    session.add(brief)
    session.flush()
    return brief


def _prune_visitor_briefs(session: Session) -> None:
    """Visitors' briefs nobody has touched for two months go (their cookies are long gone)."""
    session.execute(
        delete(Brief).where(
            Brief.user_id.is_(None), Brief.updated_at < utcnow() - VISITOR_BRIEF_LIFETIME
        )
    )


def _published(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Practice.id).where(Practice.id.in_(ids), Practice.status == "published")
        )
    )


def _visible_ids(session: Session, brief: Brief | None) -> list[int]:
    if brief is None:
        return []
    ids = [item.practice_id for item in brief.items]
    shown = _published(session, ids)
    return [i for i in ids if i in shown]


def _renumber(brief: Brief, order: list[BriefItem]) -> None:
    for position, item in enumerate(order):
        item.position = position
    brief.items[:] = order
    brief.updated_at = utcnow()


# -- reading --------------------------------------------------------------------------------


def ids_for(db, holder: Holder) -> list[int]:
    """The practices in the holder's brief, in order (for the navigation and the cards)."""
    if not holder.key and holder.user_id is None:
        return []
    with db.read() as session:
        return _visible_ids(session, _find(session, holder))


def build_for(db, holder: Holder, base_url: str) -> dict:
    with db.read() as session:
        brief = _find(session, holder)
        return build(session, brief, base_url)


def build_shared(db, token: str, base_url: str) -> dict | None:
    """A brief shared by its link, read-only; None when there is no such link."""
    if not token or len(token) > 64:
        return None
    with db.read() as session:
        brief = session.scalar(select(Brief).where(Brief.share_token == token))
        return build(session, brief, base_url) if brief is not None else None


def briefs_of(db, holder: Holder) -> list[dict]:
    """An account's briefs, the one being worked on first marked current."""
    if holder.user_id is None:
        return []
    with db.read() as session:
        current = _find(session, holder)
        rows = session.scalars(
            select(Brief)
            .where(Brief.user_id == holder.user_id)
            .order_by(Brief.updated_at.desc(), Brief.id.desc())
        ).all()
        return [
            {
                "id": b.id,
                "name": b.name or _default_name(b.topic),
                "count": len(_visible_ids(session, b)),
                "updated_at": b.updated_at,
                "current": current is not None and b.id == current.id,
                "shared": b.share_token is not None,
            }
            for b in rows
        ]


def item(document: dict, base_url: str, text: str | None) -> dict:
    """One practice of the brief as every rendering uses it."""
    language = lines.language()
    generated = lines.spoken_line(document, language)
    years = f"{document['start_year']}" + (
        f"–{document['end_year']}"
        if document["end_year"] and document["end_year"] != document["start_year"]
        else ""
    )
    permalink = f"{base_url}{document['url']}"
    # A practice written in another language is named by its title in the brief's language
    # where it has one: the brief is read in the delegate's language.
    translated = (document.get("translations") or {}).get(language)
    title = translated["title"] if translated and document["language"] != language else None
    # The language the title and the suggested line are in, so pages can mark it.
    text_language = language if title or document["language"] == language else document["language"]
    return {
        "id": document["id"],
        "text_language": text_language,
        "text_dir": direction(text_language),
        "title": title or document["title"],
        "original_title": document["title"] if title else None,
        "organisation": document["organisation"],
        "years": years,
        "pillars": document["pillars"],
        # What the delegate says: their own words if they edited the line, else the suggestion.
        "spoken": text if text else generated,
        "generated": generated,
        "edited": bool(text) and text != generated,
        # Translators: the written citation of a practice in a brief; adapt the punctuation
        # and order to your language's usual citation style.
        "citation": _("%(title)s, %(organisation)s (%(years)s). Practice Hub, %(url)s")
        % {
            "title": title or document["title"],
            "organisation": document["organisation"],
            "years": years,
            "url": permalink,
        },
        "url": document["url"],
        "permalink": permalink,
        "countries": document["countries"],
        "regions": document["regions"],
        "un_groups": document["un_groups"],
        "actor_types": document["actor_types"],
    }


def build(session: Session, brief: Brief | None, base_url: str) -> dict:
    """The one serializer of a brief: page, print, PDF, text, DOCX and JSON all use it."""
    stored = list(brief.items) if brief is not None else []
    shown = _published(session, [i.practice_id for i in stored])
    practices = {
        p.id: p for p in session.scalars(select(Practice).where(Practice.id.in_(shown))).unique()
    }
    items = [
        item(to_public(practices[i.practice_id]), base_url, i.text)
        for i in stored
        if i.practice_id in practices
    ]
    opening = brief.opening if brief is not None else ""
    closing = brief.closing if brief is not None else ""
    language = lines.language()
    texts = (opening, closing, *(i["spoken"] for i in items))
    words = sum(lines.spoken_count(t, language) for t in texts)
    seconds = lines.speaking_seconds(words, language)
    limit = LIMIT_SECONDS * lines.rate(language) // 60
    return {
        "name": (brief.name if brief is not None else "") or "",
        "topic": brief.topic if brief is not None else "",
        "opening": opening,
        "closing": closing,
        "items": items,
        "word_count": words,
        "seconds": seconds,
        "speaking_time": lines.clock(seconds),
        "over_limit": seconds > LIMIT_SECONDS,
        "limit_words": limit,
        # Counted as the brief's language is said: words, or characters in Chinese.
        "count_unit": "characters" if language in lines.CHARACTER_COUNTED else "words",
        "rate": lines.rate(language),
        "timing": lines.timing(format_number(words), lines.clock(seconds), language),
        "timing_template": lines.timing("{count}", "{time}", language),
        "over_limit_note": lines.over_limit_note(format_number(limit), language),
        "balance": balance(items),
        "share_token": brief.share_token if brief is not None else None,
        "signed_in": brief is not None and brief.user_id is not None,
    }


# -- writing --------------------------------------------------------------------------------


def add(db, holder: Holder, practice_id: int, topic: str = "") -> tuple[str | None, list[int], str]:
    """Add a published practice; returns the brief's key, its practices and what happened:
    "added", "already" or "full". LookupError when the practice is not published."""
    with db.write() as session:
        if not _published(session, [practice_id]):
            raise LookupError(practice_id)
        brief = _find(session, holder, lock=True) or _create(session, holder, topic)
        ids = _visible_ids(session, brief)
        if practice_id in ids:
            return brief.key, ids, "already"
        if len(ids) >= MAX_ITEMS:
            return brief.key, ids, "full"
        stale = [i for i in brief.items if i.practice_id == practice_id]  # unpublished, back now
        order = [i for i in brief.items if i not in stale]
        order.append(stale[0] if stale else BriefItem(practice_id=practice_id))
        if topic and not brief.topic:
            brief.topic = clean(topic, MAX_TOPIC)
        _renumber(brief, order)
        return brief.key, [*ids, practice_id], "added"


def change(db, holder: Holder, edits: Edits, action: str = "save", target: int | None = None):
    """Save the form's edits, then act on one practice: "up", "down", "remove", "restore"
    (its suggested line back), or just "save". Returns the brief's key and its practices."""
    with db.write() as session:
        brief = _find(session, holder, lock=True)
        if brief is None:
            if action == "save" and not (edits.opening or edits.closing):
                return holder.key, []
            brief = _create(session, holder, edits.topic or "")
        _apply_edits(session, brief, edits)
        order = list(brief.items)
        position = next((n for n, i in enumerate(order) if i.practice_id == target), None)
        if action != "save" and position is None:
            raise LookupError(target)
        if action == "remove":
            order.pop(position)
        elif action == "up" and position > 0:
            order[position - 1], order[position] = order[position], order[position - 1]
        elif action == "down" and position < len(order) - 1:
            order[position + 1], order[position] = order[position], order[position + 1]
        elif action == "restore":
            order[position].text = None
        _renumber(brief, order)
        return brief.key, _visible_ids(session, brief)


def _apply_edits(session: Session, brief: Brief, edits: Edits) -> None:
    if edits.opening is not None:
        brief.opening = clean(edits.opening, MAX_TEXT)
    if edits.closing is not None:
        brief.closing = clean(edits.closing, MAX_TEXT)
    if edits.topic is not None:
        brief.topic = clean(edits.topic, MAX_TOPIC)
    if edits.name is not None and brief.user_id is not None:
        brief.name = clean(edits.name, MAX_NAME) or _default_name(brief.topic)
    if not edits.lines:
        return
    practices = {
        p.id: p
        for p in session.scalars(
            select(Practice).where(Practice.id.in_(list(edits.lines)))
        ).unique()
    }
    for entry in brief.items:
        if entry.practice_id not in edits.lines or entry.practice_id not in practices:
            continue
        text = clean(edits.lines[entry.practice_id], MAX_TEXT)
        generated = lines.spoken_line(to_public(practices[entry.practice_id]), lines.language())
        # An empty line or the suggestion itself means "the suggested line", which then
        # follows the practice if a curator improves it.
        entry.text = text if text and text != generated else None


def empty(db, holder: Holder) -> int:
    """Take every practice and line out of the brief; how many practices it held."""
    with db.write() as session:
        brief = _find(session, holder, lock=True)
        if brief is None:
            return 0
        count = len(_visible_ids(session, brief))
        brief.opening = brief.closing = brief.topic = ""
        _renumber(brief, [])
        return count


# -- an account's briefs ----------------------------------------------------------------------


def _own(session: Session, user_id: int, brief_id: int, lock: bool = False) -> Brief:
    query = select(Brief).where(Brief.id == brief_id, Brief.user_id == user_id)
    brief = session.scalar(query.with_for_update() if lock else query)
    if brief is None:
        raise LookupError(brief_id)
    return brief


def new_brief(db, holder: Holder) -> str:
    with db.write() as session:
        return _create(session, holder).key


def open_brief(db, holder: Holder, brief_id: int) -> str:
    """Make one of the account's briefs the one being worked on; its key."""
    with db.write() as session:
        brief = _own(session, holder.user_id, brief_id, lock=True)
        brief.updated_at = utcnow()
        return brief.key


def delete_brief(db, holder: Holder, brief_id: int) -> str:
    """Delete one of the account's briefs; its name."""
    with db.write() as session:
        brief = _own(session, holder.user_id, brief_id, lock=True)
        name = brief.name
        session.delete(brief)
        return name


def share(db, holder: Holder, on: bool) -> str | None:
    """Give the current brief a read-only link (or take it away); the link's token."""
    with db.write() as session:
        brief = _find(session, holder, lock=True)
        if brief is None or brief.user_id is None:
            raise BriefError(_("Sign in to share a brief."))
        if on and brief.share_token is None:
            brief.share_token = secrets.token_urlsafe(24)
        elif not on:
            brief.share_token = None
        return brief.share_token


# -- signing in and out ---------------------------------------------------------------------


def _content(brief: Brief) -> tuple:
    return (
        tuple((i.practice_id, i.text) for i in brief.items),
        brief.opening,
        brief.closing,
    )


def on_sign_in(db, visitor_key: str | None, user_id: int) -> str | None:
    """The brief the person built before signing in becomes the account's current brief
    (unless the account already holds the very same one); an empty one is dropped and the
    account's last brief is current. The key for the new session."""
    with db.write() as session:
        visitor = _find(session, Holder(visitor_key), lock=True) if visitor_key else None
        if visitor is not None and (visitor.items or visitor.opening or visitor.closing):
            for mine in session.scalars(select(Brief).where(Brief.user_id == user_id)):
                if _content(mine) == _content(visitor):
                    session.delete(visitor)
                    mine.updated_at = utcnow()
                    return mine.key
            owned = session.scalars(select(Brief.id).where(Brief.user_id == user_id)).all()
            if len(owned) < MAX_BRIEFS:
                visitor.user_id = user_id
                visitor.name = _default_name(visitor.topic)
                visitor.updated_at = utcnow()
                return visitor.key
        if visitor is not None:
            session.delete(visitor)
        latest = _find(session, Holder(None, user_id))
        return latest.key if latest is not None else None


def on_sign_out(db, key: str | None, user_id: int) -> str | None:
    """A copy of the account's current brief stays with the signed-out visitor (the
    account keeps its own); the copy's key, or None when the brief was empty."""
    with db.write() as session:
        mine = _find(session, Holder(key, user_id))
        if mine is None or not (mine.items or mine.opening or mine.closing):
            return None
        copy = _create(session, Holder(None), mine.topic)
        copy.opening, copy.closing = mine.opening, mine.closing
        copy.items = [
            BriefItem(practice_id=i.practice_id, position=i.position, text=i.text)
            for i in mine.items
        ]
        return copy.key
