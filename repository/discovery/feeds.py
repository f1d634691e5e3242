"""Feeds and downloads of a search: Atom (feedgen), CSV and JSON. Each holds exactly what the
search page shows across all its pages, and only published practices (the index has no other)."""

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from repository.characters import clean
from repository.discovery.params import parse_search
from repository.discovery.payload import search_payload
from repository.i18n import _, current_locale
from search import SearchParams

FEED_ENTRIES = 50
EXPORT_PAGE = 100
CSV_COLUMNS = (
    "id",
    "title",
    "organisation",
    "countries",
    "pillars",
    "actor_types",
    "start_year",
    "end_year",
    "url",
    "summary",
)


def all_results(index, params: SearchParams) -> tuple[dict, list[dict]]:
    """The first page's payload and the results of every page, in the page's order."""
    first = search_payload(index, replace(params, page=1, per_page=EXPORT_PAGE))
    results = list(first["results"])
    for page in range(2, first["pages"] + 1):
        results.extend(
            search_payload(index, replace(params, page=page, per_page=EXPORT_PAGE))["results"]
        )
    return first, results


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def export_csv(request: Request) -> Response:
    params = parse_search(request.query_params)
    _first, results = all_results(request.app.state.index, params)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    base = _base_url(request)
    for r in results:
        writer.writerow(
            [
                r["id"],
                _safe(r["title"]),
                _safe(r["organisation"]),
                ";".join(r["countries"]),
                ";".join(r["pillars"]),
                ";".join(r["actor_types"]),
                r["start_year"],
                r["end_year"] or "",
                base + r["url"],
                _safe(r["summary"]),
            ]
        )
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="practices.csv"'},
    )


def _safe(text: str) -> str:
    """Spreadsheets run cells that start with =, +, - or @ as formulas: neutralise them."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_json(request: Request) -> Response:
    params = parse_search(request.query_params)
    first, results = all_results(request.app.state.index, params)
    body = {"query": first["query"], "total": first["total"], "results": results}
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="practices.json"'},
    )


def atom_feed(request: Request) -> Response:
    from feedgen.feed import FeedGenerator

    params = parse_search(request.query_params)
    params = replace(params, sort="added", page=1, per_page=FEED_ENTRIES)
    payload = search_payload(request.app.state.index, params)
    base = _base_url(request)
    page_url = base + "/search" + (f"?{request.url.query}" if request.url.query else "")
    feed = FeedGenerator()
    feed.id(page_url)
    feed.title(
        _("Practice Hub: %(words)s") % {"words": clean(params.q)}
        if params.q
        else _("Practice Hub: new practices")
    )
    feed.subtitle(_("Good practices against trafficking in persons"))
    feed.link(href=page_url, rel="alternate")
    feed.link(href=str(request.url), rel="self")
    feed.language(current_locale())
    newest = None
    for r in reversed(payload["results"]):  # feedgen prepends: add oldest first
        card = request.app.state.index.search(params).cards.get(r["id"], {})
        published = _moment(card.get("published_at"))
        newest = max(newest, published) if newest else published
        entry = feed.add_entry()
        entry.id(base + r["url"])
        # Rows stored before input was cleaned may still hold a control character, and one
        # would make the whole feed fail: clean what goes out too.
        entry.title(clean(r["title"]))
        entry.link(href=base + r["url"])
        entry.summary(clean(r["summary"]))
        entry.author({"name": clean(r["organisation"])})
        entry.published(published)
        entry.updated(published)
    feed.updated(newest or datetime(2000, 1, 1, tzinfo=UTC))
    return Response(feed.atom_str(pretty=True), media_type="application/atom+xml; charset=utf-8")


def _moment(iso: str | None) -> datetime:
    if not iso:
        return datetime(2000, 1, 1, tzinfo=UTC)
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
