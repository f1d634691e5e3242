"""Read-only queries over published practices, for the pages that do not need the search index."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from repository import facets
from repository.models import Attachment, Practice, PracticeTag
from repository.practices.documents import to_public
from repository.vocabularies import PILLARS

PUBLISHED = Practice.status == "published"


@dataclass
class Page:
    items: list[Practice]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def published_practice(session: Session, practice_id: int) -> Practice | None:
    return session.scalar(select(Practice).where(Practice.id == practice_id, PUBLISHED))


def public_document(db, practice_id: int) -> dict | None:
    """The public document of a published practice, or None."""
    with db.read() as session:
        practice = published_practice(session, practice_id)
        return to_public(practice) if practice is not None else None


def _filtered(query: Select, filters: dict[str, str]) -> Select:
    for name, value in filters.items():
        query = query.where(facets.facet(name).clause([value]))
    return query


def published_page(session: Session, filters: dict[str, str], page: int, per_page: int) -> Page:
    """Published practices, newest first, optionally filtered, one page of them."""
    base = _filtered(select(Practice).where(PUBLISHED), filters)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    items = (
        session.scalars(
            base.order_by(Practice.published_at.desc(), Practice.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        .unique()
        .all()
    )
    return Page(list(items), total or 0, page, per_page)


def count_published(session: Session) -> int:
    return session.scalar(select(func.count()).where(PUBLISHED)) or 0


def counts_by_pillar(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(PracticeTag.value, func.count())
        .join(Practice, Practice.id == PracticeTag.practice_id)
        .where(PUBLISHED, PracticeTag.vocabulary == "pillars")
        .group_by(PracticeTag.value)
    ).all()
    counts = dict(rows)
    return {value: counts.get(value, 0) for value in PILLARS.values}


def counts_by_region(session: Session) -> dict[str, int]:
    """Published practices per M49 region where their scope is, and global ones."""
    facet = facets.facet("region")
    return {
        value: session.scalar(select(func.count()).where(PUBLISHED, facet.clause([value]))) or 0
        for value in facet.values
    }


def home_figures(db) -> dict:
    """What the home page shows: totals by pillar and region and the latest practices."""
    with db.read() as session:
        latest = published_page(session, {}, 1, 5)
        return {
            "total": count_published(session),
            "pillar_counts": counts_by_pillar(session),
            "region_counts": counts_by_region(session),
            "latest": [to_public(p) for p in latest.items],
        }


def browse(db, filters: dict[str, str], page: int, per_page: int) -> tuple[list[dict], Page]:
    with db.read() as session:
        result = published_page(session, filters, page, per_page)
        return [to_public(p) for p in result.items], result


def public_attachments(db, practice_id: int) -> list[Attachment]:
    """The evidence files a curator made public (the others stay internal)."""
    with db.read() as session:
        return list(
            session.scalars(
                select(Attachment)
                .where(Attachment.practice_id == practice_id, Attachment.visibility == "public")
                .order_by(Attachment.id)
            ).all()
        )
