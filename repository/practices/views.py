"""The public pages: home, the browse list and a practice's permalink."""

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from repository import facets, geography
from repository.i18n import _, current_locale
from repository.params import MAX_PAGE, BadParameter, path_id, positive_int
from repository.practices import queries
from repository.practices.reading import reading
from repository.templating import query_url
from repository.web import render
from search import IndexUnavailable

STATIC_DIR = Path(__file__).parent.parent / "static"


def home(request: Request):
    return render(request, "home.html", queries.home_figures(request.app.state.db))


def _browse_filters(request: Request) -> dict[str, str]:
    """One value per facet; the browse list reads the same registry as the search."""
    filters = {}
    for name, facet in facets.REGISTRY.items():
        values = request.query_params.getlist(name)
        if not values:
            continue
        if len(values) > 1:
            raise BadParameter(name, _("give one value"))
        if not facet.valid(values[0]):
            raise BadParameter(name, _("unknown value %(value)r") % {"value": values[0][:80]})
        filters[name] = values[0]
    return filters


def practice_list(request: Request):
    filters = _browse_filters(request)
    page = positive_int(request.query_params.get("page"), "page", 1, MAX_PAGE)
    per_page = request.app.state.settings.page_size
    practices, result = queries.browse(request.app.state.db, filters, page, per_page)
    if page > result.pages:
        raise HTTPException(404, _("There is no page %(page)d of this list.") % {"page": page})
    list_path = request.app.url_path_for("practice_list")
    active = [
        {
            "name": name,
            "value": value,
            "label": facets.facet(name).label_of(value),
            "remove_url": query_url(list_path, **{k: v for k, v in filters.items() if k != name}),
        }
        for name, value in filters.items()
    ]
    context = {
        "practices": practices,
        "total": result.total,
        "page": page,
        "pages": result.pages,
        "filters": filters,
        "active_filters": active,
    }
    return render(request, "list.html", context)


def practice_detail(request: Request):
    practice_id = path_id(request, "practice_id")
    document = queries.public_document(request.app.state.db, practice_id)
    if document is None:
        raise HTTPException(404)
    try:
        similar = request.app.state.index.more_like_this(practice_id)
    except IndexUnavailable:
        similar = []  # the page stands without it while the index is rebuilt
    original = request.query_params.get("original") == "1"
    context = {
        "practice": document,
        "reading": reading(document, current_locale(), original, document["url"]),
        "countries": [geography.country(code) for code in document["countries"]],
        "more_like_this": similar,
        "attachments": queries.public_attachments(request.app.state.db, practice_id),
        "flash_targets": [practice_id],  # "Added to your brief" beside the button
    }
    return render(request, "practice.html", context)


def favicon(request: Request):
    """Browsers ask for /favicon.ico whatever the page says; pages name the SVG icon."""
    return FileResponse(
        STATIC_DIR / "favicon.ico",
        media_type="image/x-icon",
        headers={"Cache-Control": "public, max-age=604800"},
    )


routes = [
    Route("/", home, name="home"),
    Route("/favicon.ico", favicon, name="favicon"),
    Route("/practices", practice_list, name="practice_list"),
    Route("/practices/{practice_id:int}", practice_detail, name="practice_detail"),
]
