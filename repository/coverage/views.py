"""Where the repository is thin: coverage tables, the world map, gaps, years; country pages."""

import itertools
from collections import Counter, defaultdict

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from repository import geography
from repository.accounts.sessions import CURATORS, current_user
from repository.coverage import mapsvg, queries
from repository.vocabularies import PILLARS
from repository.web import render
from search import IndexUnavailable, SearchParams


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


# Room at the left and bottom for labels that grow on a phone (site.css), where the chart
# is drawn at half its size.
CHART = {"width": 720, "height": 272, "left": 60, "right": 16, "top": 14, "bottom": 58}


def _step(top: int) -> int:
    """A round step for about five value-axis ticks."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if top / step <= 6:
            return step
    return max(1, top // 5)


def year_bars(years: dict[int, int]) -> dict:
    """The start-year chart: bars, a value axis with round ticks and a year axis."""
    if not years:
        return {"bars": [], "width": 0, "height": 0, "top": 0}
    first, last = min(years), max(years)
    top = max(years.values())
    step = _step(top)
    ceiling = -(-top // step) * step
    c = CHART
    plot_w = c["width"] - c["left"] - c["right"]
    plot_h = c["height"] - c["top"] - c["bottom"]
    slot = plot_w / (last - first + 1)
    base = c["top"] + plot_h

    def y(value: float) -> float:
        return round(base - value / ceiling * plot_h, 1)

    bars = [
        {
            "year": year,
            "count": years.get(year, 0),
            "x": round(c["left"] + (year - first) * slot + slot * 0.1, 1),
            "w": round(slot * 0.8, 1),
            "y": y(years.get(year, 0)),
            "h": round(base - y(years.get(year, 0)), 1),
            "centre": round(c["left"] + (year - first + 0.5) * slot, 1),
            "labelled": year in (first, last) or year % 5 == 0,
        }
        for year in range(first, last + 1)
    ]
    # Two labels closer than three slots would overlap: the round year gives way.
    labelled = [b for b in bars if b["labelled"]]
    for left, right in itertools.pairwise(labelled):
        if right["year"] - left["year"] < 3:
            (right if right["year"] != last else left)["labelled"] = False
    return {
        "bars": bars,
        "ticks": [{"value": v, "y": y(v)} for v in range(0, ceiling + 1, step)],
        "plot": {
            "left": c["left"],
            "right": c["width"] - c["right"],
            "top": c["top"],
            "base": base,
        },
        "width": c["width"],
        "height": c["height"],
        "top": top,
        "first": first,
        "last": last,
    }


def coverage(request: Request) -> Response:
    user = current_user(request)
    db = request.app.state.db
    data = queries.coverage_data(db, request.app.url_path_for("search"))
    misses = []
    if user is not None and user.role in CURATORS:
        request.app.state.misses.flush(db)  # a curator sees the latest misses, not the last batch
        misses = queries.search_misses(db)
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


def country_page(request: Request) -> Response:
    code = request.path_params["code"].upper()
    country = geography.country(code)
    if country is None:
        raise HTTPException(404)
    documents, nearby = queries.country_practices(request.app.state.db, country)
    pillars = Counter(p for d in documents for p in d["pillars"])
    group_total = None
    if country.un_group:
        try:
            group_total = request.app.state.index.search(
                SearchParams.build({"un_group": [country.un_group]}, per_page=1)
            ).total
        except IndexUnavailable:
            group_total = None  # the page stands without the figure while the index is rebuilt
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
    counts = queries.practices_per_country(request.app.state.db)
    groups = defaultdict(list)
    for country in geography.countries().values():
        groups[geography.region_label(country.region)].append(
            (country, counts.get(country.code, 0))
        )
    return render(request, "countries.html", {"groups": dict(sorted(groups.items()))})


routes = [
    Route("/countries", countries_index, name="countries"),
    Route("/countries/{code:str}", country_page, name="country"),
    Route("/coverage", coverage, name="coverage"),
]
