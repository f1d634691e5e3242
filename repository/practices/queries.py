"""Read-only queries over published practices, for the pages that do not need the search index."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from repository import geography
from repository.models import Practice, PracticeCountry, PracticeTag
from repository.search_params import valid_facet_value
from repository.templating import label
from repository.vocabularies import PILLARS
from search import FACETS

PUBLISHED = Practice.status == "published"

# Filters the browse list understands: tag vocabularies, single-valued columns, places.
TAG_FILTERS = {
    "pillar": "pillars",
    "actor_type": "actor_types",
    "exploitation_form": "exploitation_forms",
    "target_group": "target_groups",
    "instrument": "instruments",
}
COLUMN_FILTERS = {
    "practice_type": Practice.practice_type,
    "evidence": Practice.evidence,
    "language": Practice.language,
}
PLACE_FILTERS = ("country", "region", "un_group")


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


def countries_where(place_filter: str, value: str) -> list[str]:
    if place_filter == "country":
        return [value]
    attribute = "region" if place_filter == "region" else "un_group"
    return [c.code for c in geography.countries().values() if getattr(c, attribute) == value]


def _filtered(query: Select, filters: dict[str, str]) -> Select:
    for name, value in filters.items():
        if name in TAG_FILTERS:
            query = query.where(
                Practice.id.in_(
                    select(PracticeTag.practice_id).where(
                        PracticeTag.vocabulary == TAG_FILTERS[name], PracticeTag.value == value
                    )
                )
            )
        elif name in COLUMN_FILTERS:
            query = query.where(COLUMN_FILTERS[name] == value)
        elif name in PLACE_FILTERS:
            query = query.where(
                Practice.id.in_(
                    select(PracticeCountry.practice_id).where(
                        PracticeCountry.country_code.in_(countries_where(name, value))
                    )
                )
            )
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
    """Published practices per M49 region; a practice in several regions counts in each."""
    rows = session.execute(
        select(PracticeCountry.practice_id, PracticeCountry.country_code)
        .join(Practice, Practice.id == PracticeCountry.practice_id)
        .where(PUBLISHED)
    ).all()
    regions: dict[str, set[int]] = {value: set() for value, _ in geography.REGIONS}
    for practice_id, code in rows:
        country = geography.country(code)
        if country:
            regions[country.region].add(practice_id)
    global_count = session.scalar(select(func.count()).where(PUBLISHED, ~Practice.countries.any()))
    counts = {value: len(ids) for value, ids in regions.items()}
    counts["global"] = global_count or 0
    return counts


def filter_label(name: str, value: str) -> str | None:
    """The label of a valid filter value, or None if the value is unknown.

    The browse filters are the search facets, so the search's checks and labels serve here too.
    """
    return label(FACETS[name], value) if valid_facet_value(name, value) else None
