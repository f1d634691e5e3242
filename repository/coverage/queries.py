"""The figures behind the coverage and country pages, read from published practices."""

from collections import Counter, defaultdict

from sqlalchemy import func, select

from repository import geography, scopes
from repository.i18n import N_
from repository.models import Practice, PracticeCountry, PracticeTag, SearchMiss
from repository.practices.documents import to_public
from repository.templating import query_url
from repository.vocabularies import ACTOR_TYPES, PILLARS

PUBLISHED = Practice.status == "published"
MISSES_SHOWN = 30


def _published_tags(session) -> dict[int, dict[str, set[str]]]:
    tags: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for practice_id, vocabulary, value in session.execute(
        select(PracticeTag.practice_id, PracticeTag.vocabulary, PracticeTag.value)
        .join(Practice, Practice.id == PracticeTag.practice_id)
        .where(PUBLISHED, PracticeTag.vocabulary.in_(("pillars", "actor_types")))
    ):
        tags[practice_id][vocabulary].add(value)
    for practice_id, code in session.execute(
        select(PracticeCountry.practice_id, PracticeCountry.country_code)
        .join(Practice, Practice.id == PracticeCountry.practice_id)
        .where(PUBLISHED)
    ):
        tags[practice_id]["countries"].add(code)
    for practice_id, scope, area in session.execute(
        select(Practice.id, Practice.scope, Practice.scope_area).where(PUBLISHED)
    ):
        tags[practice_id]["scope"] = {scope}
        tags[practice_id]["scope_area"] = {area} if area else set()
    return tags


def coverage_data(db, search_path: str = "/search") -> dict:
    with db.read() as session:
        return _coverage_data(session, search_path)


def _coverage_data(session, search_path: str) -> dict:
    tags = _published_tags(session)
    by_region = {value: Counter() for value, _ in geography.REGIONS}
    by_region[scopes.GLOBAL] = Counter()
    by_group = {value: Counter() for value, _ in geography.UN_GROUPS}
    by_group[scopes.GLOBAL] = Counter()
    by_actor = {value: Counter() for value in ACTOR_TYPES.values}
    countries: Counter = Counter()
    groups: Counter = Counter()
    for practice in tags.values():
        # Counted where its scope is (repository/scopes.py), not through member lists.
        scope = next(iter(practice["scope"]), "national")
        area = next(iter(practice["scope_area"]), None)
        places = scopes.places(scope, area, sorted(practice["countries"]))
        for code in practice["countries"]:
            countries[code] += 1
        for group in places["un_groups"]:
            groups[group] += 1
        for pillar in practice["pillars"]:
            for region in places["regions"]:
                by_region[region][pillar] += 1
            for group in places["un_groups"]:
                by_group[group][pillar] += 1
            for actor in practice["actor_types"]:
                by_actor[actor][pillar] += 1
    years = dict(
        session.execute(
            select(Practice.start_year, func.count())
            .where(PUBLISHED, Practice.start_year.is_not(None))
            .group_by(Practice.start_year)
            .order_by(Practice.start_year)
        ).all()
    )
    members = [c for c in geography.countries().values() if c.un_member]
    return {
        "total": len(tags),
        "pillars": list(PILLARS.terms),
        "by_region": [
            {
                "value": value,
                "label": label,
                "counts": [by_region[value][p] for p in PILLARS.values],
                "url": query_url(search_path, region=value),
            }
            for value, label in [*geography.REGIONS, ("global", N_("Global"))]
        ],
        "by_group": [
            {
                "value": value,
                "label": label,
                "counts": [by_group[value][p] for p in PILLARS.values],
                "url": query_url(search_path, un_group=value),
            }
            for value, label in [*geography.UN_GROUPS, (scopes.GLOBAL, N_("Global"))]
        ],
        "by_actor": [
            {
                "value": value,
                "label": label,
                "counts": [by_actor[value][p] for p in PILLARS.values],
                "url": query_url(search_path, actor_type=value),
            }
            for value, label in ACTOR_TYPES.terms
        ],
        "countries": countries,
        "groups_without": [label for value, label in geography.UN_GROUPS if not groups[value]],
        "members_without": [c for c in members if not countries[c.code]],
        "years": years,
    }


def search_misses(db) -> list:
    with db.read() as session:
        return session.execute(
            select(SearchMiss.query, SearchMiss.count)
            .order_by(SearchMiss.count.desc(), SearchMiss.query)
            .limit(MISSES_SHOWN)
        ).all()


def country_practices(db, country) -> tuple[list[dict], list[dict]]:
    """Published practices in a country, and up to five in its sub-region."""
    code = country.code
    with db.read() as session:
        practices = (
            session.scalars(
                select(Practice)
                .where(PUBLISHED, Practice.countries.any(PracticeCountry.country_code == code))
                .order_by(Practice.published_at.desc())
            )
            .unique()
            .all()
        )
        documents = [to_public(p) for p in practices]
        neighbours = [
            c.code
            for c in geography.countries().values()
            if c.subregion == country.subregion and c.code != code
        ]
        nearby = (
            session.scalars(
                select(Practice)
                .where(
                    PUBLISHED, Practice.countries.any(PracticeCountry.country_code.in_(neighbours))
                )
                .order_by(Practice.published_at.desc())
                .limit(6)
            )
            .unique()
            .all()
        )
        shown = {d["id"] for d in documents}
        return documents, [to_public(p) for p in nearby if p.id not in shown][:5]


def practices_per_country(db) -> dict[str, int]:
    with db.read() as session:
        return dict(
            session.execute(
                select(PracticeCountry.country_code, func.count())
                .join(Practice, Practice.id == PracticeCountry.practice_id)
                .where(PUBLISHED)
                .group_by(PracticeCountry.country_code)
            ).all()
        )
