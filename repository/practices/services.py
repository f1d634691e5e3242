"""The only code that writes practices. Each function runs inside the caller's write session, so
the rows, the revision and the outbox entry commit together or not at all."""

from datetime import date, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from repository.models import (
    IndexOutbox,
    Organisation,
    Practice,
    PracticeCountry,
    PracticePartner,
    PracticeRevision,
    PracticeSource,
    PracticeTag,
    PracticeTranslation,
    User,
    utcnow,
)
from repository.practices.documents import to_record
from repository.vocabularies import TAG_VOCABULARIES


class NotFound(Exception):
    """No such practice (or none the actor may see)."""


def queue_index_change(session: Session, practice_id: int) -> None:
    """Record, in the caller's transaction, that this practice's public document changed."""
    if session.get_bind().dialect.name == "postgresql":
        # Outbox numbers must commit in order, or an index could record number 11 as applied
        # before number 10 commits and never apply 10. The lock (which plain reads do not wait
        # for) serialises outbox writers until commit. SQLite's BEGIN IMMEDIATE already does.
        session.execute(text("LOCK TABLE index_outbox IN SHARE ROW EXCLUSIVE MODE"))
    session.add(IndexOutbox(practice_id=practice_id))


def get_or_create_organisation(session: Session, name: str, actor_type: str) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, actor_type=actor_type)
        session.add(organisation)
        session.flush()
    return organisation


def lock_practice(session: Session, practice_id: int) -> Practice:
    """Load a practice for a read-then-write; on PostgreSQL the row stays locked until commit."""
    practice = session.scalar(
        select(Practice).where(Practice.id == practice_id).with_for_update(of=Practice)
    )
    if practice is None:
        raise NotFound(practice_id)
    return practice


# Saves of a draft by the same person within this time make one revision, not one each: an
# autosaving form would otherwise leave hundreds, and a diff of "the last two" would compare
# two saves seconds apart.
COALESCE_DRAFT_SAVES = timedelta(minutes=30)
UNPUBLISHED_EDITS = ("draft", "changes_requested")


def record_revision(
    session: Session, practice: Practice, author: User | None, note: str = ""
) -> PracticeRevision:
    """A revision holding the practice as it is now (its status included)."""
    session.flush()
    document = to_record(practice)
    latest = session.scalar(
        select(PracticeRevision)
        .where(PracticeRevision.practice_id == practice.id)
        .order_by(PracticeRevision.number.desc())
        .limit(1)
    )
    if (
        latest is not None
        and not note
        and not latest.note
        and latest.purged_at is None
        and author is not None
        and latest.author_id == author.id
        and document["status"] in UNPUBLISHED_EDITS
        and latest.document.get("status") == document["status"]
        and utcnow() - latest.created_at < COALESCE_DRAFT_SAVES
    ):
        latest.document = document
        latest.created_at = utcnow()
        return latest
    revision = PracticeRevision(
        practice_id=practice.id,
        number=(latest.number if latest is not None else 0) + 1,
        author_id=author.id if author else None,
        note=note,
        document=document,
    )
    session.add(revision)
    return revision


def _apply(session: Session, practice: Practice, clean: dict) -> None:
    # Organisations are looked up before the practice joins the session, so that the lookup's
    # autoflush never writes a half-built practice.
    lead_type = clean["actor_types"][0] if clean["actor_types"] else "ngo"
    lead = get_or_create_organisation(session, clean["organisation"], lead_type)
    partner_ids = []
    for name in clean["partner_organisations"]:
        organisation = get_or_create_organisation(session, name, "ngo")
        if organisation.id != lead.id and organisation.id not in partner_ids:
            partner_ids.append(organisation.id)
    with session.no_autoflush:
        for field in ("title", "summary", "description", "results", "lessons_learned"):
            setattr(practice, field, clean[field])
        for field in (
            "practice_type",
            "evidence",
            "start_year",
            "end_year",
            "language",
            "scope",
            "scope_area",
        ):
            setattr(practice, field, clean[field])
        practice.organisation = lead
        practice.last_verified = (
            date.fromisoformat(clean["last_verified"]) if clean.get("last_verified") else None
        )
        practice.tags = [
            PracticeTag(vocabulary=name, value=value)
            for name in TAG_VOCABULARIES
            for value in clean[name]
        ]
        practice.countries = [PracticeCountry(country_code=code) for code in clean["countries"]]
        practice.sources = [
            PracticeSource(
                position=i,
                title=s["title"],
                publisher=s.get("publisher") or "",
                year=s.get("year"),
                url=s["url"],
            )
            for i, s in enumerate(clean["sources"])
        ]
        practice.translations = [
            PracticeTranslation(language=language, title=t["title"], summary=t["summary"])
            for language, t in sorted((clean.get("translations") or {}).items())
        ]
        practice.partners = [
            PracticePartner(organisation_id=org_id, position=i)
            for i, org_id in enumerate(partner_ids)
        ]


def save_practice(
    session: Session, clean: dict, *, author: User | None = None, note: str = ""
) -> Practice:
    """Create a practice, or replace one by id, from a validated record."""
    practice = None
    was_published = False
    if clean.get("id") is not None:
        practice = session.scalar(
            select(Practice).where(Practice.id == clean["id"]).with_for_update(of=Practice)
        )
    if practice is None:
        practice = Practice(id=clean.get("id"), created_by_id=author.id if author else None)
    else:
        was_published = practice.status == "published"
    _apply(session, practice, clean)
    practice.status = clean["status"]
    if practice.status == "published" and practice.published_at is None:
        practice.published_at = utcnow()
    practice.updated_at = utcnow()
    session.add(practice)
    record_revision(session, practice, author, note)
    if was_published or practice.status == "published":
        queue_index_change(session, practice.id)
    return practice


def delete_practice(session: Session, practice_id: int) -> None:
    """Remove a practice and everything attached to it; the index drops it after commit."""
    practice = lock_practice(session, practice_id)
    was_published = practice.status == "published"
    session.delete(practice)
    if was_published:
        queue_index_change(session, practice_id)


def add_source(session: Session, practice_id: int, title: str, url: str) -> Practice:
    """Append a source link: a read-then-write that must not lose concurrent additions."""
    practice = lock_practice(session, practice_id)
    position = len(practice.sources)
    practice.sources.append(PracticeSource(position=position, title=title, url=url))
    practice.updated_at = utcnow()
    record_revision(session, practice, None, "source added")
    if practice.status == "published":
        queue_index_change(session, practice.id)
    return practice


def sync_id_sequences(session: Session) -> None:
    """After rows were inserted with explicit ids, move PostgreSQL's sequence past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('practice', 'id'), "
            "COALESCE((SELECT MAX(id) FROM practice), 1), "
            "(SELECT MAX(id) FROM practice) IS NOT NULL)"
        )
    )
