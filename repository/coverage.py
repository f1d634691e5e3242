"""Where the repository is thin: coverage tables, the world map, gaps, years; country pages."""

from collections import Counter, defaultdict

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from repository import geography, mapsvg
from repository.accounts.sessions import CURATORS, current_user
from repository.models import Practice, PracticeCountry, PracticeTag, SearchMiss
from repository.practices.documents import to_public
from repository.templating import query_url
from repository.vocabularies import ACTOR_TYPES, PILLARS
from repository.web import render

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
    for (practice_id,) in session.execute(select(Practice.id).where(PUBLISHED)):
        tags[practice_id]
    return tags


def coverage_data(session) -> dict:
    tags = _published_tags(session)
    by_region = {value: Counter() for value, _ in geography.REGIONS}
    by_region["global"] = Counter()
    by_actor = {value: Counter() for value in ACTOR_TYPES.values}
    countries: Counter = Counter()
    groups: Counter = Counter()
    for practice in tags.values():
        places = [geography.country(c) for c in practice["countries"]]
        places = [c for c in places if c]
        regions = {c.region for c in places} or {"global"}
        for code in practice["countries"]:
            countries[code] += 1
        for group in {c.un_group for c in places if c.un_group}:
            groups[group] += 1
        for pillar in practice["pillars"]:
            for region in regions:
                by_region[region][pillar] += 1
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
                "url": query_url("/search", region=value) if value != "global" else None,
            }
            for value, label in [*geography.REGIONS, ("global", "Global")]
        ],
        "by_actor": [
            {
                "value": value,
                "label": label,
                "counts": [by_actor[value][p] for p in PILLARS.values],
                "url": query_url("/search", actor_type=value),
            }
            for value, label in ACTOR_TYPES.terms
        ],
        "countries": countries,
        "groups_without": [label for value, label in geography.UN_GROUPS if not groups[value]],
        "members_without": [c for c in members if not countries[c.code]],
        "years": years,
    }


def map_items(countries: Counter) -> dict:
    top = max(countries.values(), default=0)
    paths = mapsvg.country_paths()
    items = []
    for code, path in paths.items():
        country = geography.country(code)
        count = countries.get(code, 0)
        items.append(
            {
                "code": code,
                "name": country.name,
                "count": count,
                "path": path,
                "shade": mapsvg.shade(count, top),
            }
        )
    spans: dict[int, list[int]] = {}
    for count in range(1, top + 1):
        spans.setdefault(mapsvg.shade(count, top), []).append(count)
    bands = [(k, min(v), max(v)) for k, v in sorted(spans.items())]
    return {
        "items": items,
        "width": mapsvg.WIDTH,
        "height": mapsvg.HEIGHT,
        "top": top,
        "shades": mapsvg.SHADES,
        "bands": bands,
    }


def year_bars(years: dict[int, int]) -> dict:
    if not years:
        return {"bars": [], "width": 0, "height": 0, "top": 0}
    first, last = min(years), max(years)
    top = max(years.values())
    width, height, bar = 720, 200, 720 / (last - first + 1)
    bars = [
        {
            "year": y,
            "count": years.get(y, 0),
            "x": round((y - first) * bar, 1),
            "w": round(bar * 0.8, 1),
            "h": round(years.get(y, 0) / top * (height - 20), 1),
        }
        for y in range(first, last + 1)
    ]
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "top": top,
        "first": first,
        "last": last,
    }


def coverage(request: Request) -> Response:
    user = current_user(request)
    with request.app.state.db.read() as session:
        data = coverage_data(session)
        misses = []
        if user is not None and user.role in CURATORS:
            misses = session.execute(
                select(SearchMiss.query, SearchMiss.count)
                .order_by(SearchMiss.count.desc(), SearchMiss.query)
                .limit(MISSES_SHOWN)
            ).all()
    context = {
        **data,
        "map": map_items(data["countries"]),
        "chart": year_bars(data["years"]),
        "misses": misses,
        "country_rows": sorted(
            (
                (geography.country(c), n)
                for c, n in data["countries"].items()
                if geography.country(c)
            ),
            key=lambda row: (-row[1], row[0].name),
        ),
    }
    return render(request, "coverage.html", context)


def record_miss(db, q: str) -> None:
    """Count a search that found nothing (the words only)."""
    words = " ".join(q.lower().split())[:200]
    if not words:
        return
    try:
        with db.write() as session:
            changed = session.execute(
                update(SearchMiss)
                .where(SearchMiss.query == words)
                .values(count=SearchMiss.count + 1)
            ).rowcount
            if not changed:
                session.add(SearchMiss(query=words, count=1))
    except SQLAlchemyError:
        pass  # counting a miss must never break a search (e.g. two first misses at once)


def country_page(request: Request) -> Response:
    code = request.path_params["code"].upper()
    country = geography.country(code)
    if country is None:
        raise HTTPException(404)
    with request.app.state.db.read() as session:
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
        nearby = [to_public(p) for p in nearby if p.id not in {d["id"] for d in documents}][:5]
    pillars = Counter(p for d in documents for p in d["pillars"])
    group_total = None
    if country.un_group:
        from search import SearchParams

        try:
            group_total = request.app.state.index.search(
                SearchParams.build({"un_group": [country.un_group]}, per_page=1)
            ).total
        except Exception:
            group_total = None
    context = {
        "country": country,
        "practices": documents,
        "nearby": nearby,
        "pillar_counts": [(v, label, pillars[v]) for v, label in PILLARS.terms],
        "group_label": geography.un_group_label(country.un_group) if country.un_group else "",
        "group_total": group_total,
        "subregion_label": geography.subregion_label(country.subregion),
        "region_label": geography.region_label(country.region),
    }
    return render(request, "country.html", context)


def countries_index(request: Request) -> Response:
    with request.app.state.db.read() as session:
        counts = dict(
            session.execute(
                select(PracticeCountry.country_code, func.count())
                .join(Practice, Practice.id == PracticeCountry.practice_id)
                .where(PUBLISHED)
                .group_by(PracticeCountry.country_code)
            ).all()
        )
    groups = defaultdict(list)
    for country in geography.countries().values():
        groups[geography.region_label(country.region)].append(
            (country, counts.get(country.code, 0))
        )
    return render(request, "countries.html", {"groups": dict(sorted(groups.items()))})
