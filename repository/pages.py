"""The public pages: home, the browse list and a practice's permalink."""

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request

from repository import geography
from repository.i18n import _
from repository.models import Attachment
from repository.params import MAX_PAGE, BadParameter, positive_int
from repository.practices import queries
from repository.practices.documents import to_public
from repository.templating import query_url
from repository.web import render
from search import IndexUnavailable

BROWSE_FILTERS = (*queries.TAG_FILTERS, *queries.COLUMN_FILTERS, *queries.PLACE_FILTERS)
MAX_ID = 2**31 - 1


def home(request: Request):
    with request.app.state.db.read() as session:
        latest = queries.published_page(session, {}, 1, 5)
        context = {
            "total": queries.count_published(session),
            "pillar_counts": queries.counts_by_pillar(session),
            "region_counts": queries.counts_by_region(session),
            "latest": [to_public(p) for p in latest.items],
        }
    return render(request, "home.html", context)


def _browse_filters(request: Request) -> dict[str, str]:
    filters = {}
    for name in BROWSE_FILTERS:
        values = request.query_params.getlist(name)
        if not values:
            continue
        if len(values) > 1:
            raise BadParameter(name, _("give one value"))
        if queries.filter_label(name, values[0]) is None:
            raise BadParameter(name, _("unknown value %(value)r") % {"value": values[0][:80]})
        filters[name] = values[0]
    return filters


def practice_list(request: Request):
    filters = _browse_filters(request)
    page = positive_int(request.query_params.get("page"), "page", 1, MAX_PAGE)
    per_page = request.app.state.settings.page_size
    with request.app.state.db.read() as session:
        result = queries.published_page(session, filters, page, per_page)
        practices = [to_public(p) for p in result.items]
    if page > result.pages:
        raise HTTPException(404, _("There is no page %(page)d of this list.") % {"page": page})
    active = [
        {
            "name": name,
            "value": value,
            "label": queries.filter_label(name, value),
            "remove_url": query_url(
                "/practices", **{k: v for k, v in filters.items() if k != name}
            ),
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
    practice_id = request.path_params["practice_id"]
    if practice_id > MAX_ID:
        raise HTTPException(404)
    with request.app.state.db.read() as session:
        practice = queries.published_practice(session, practice_id)
        if practice is None:
            raise HTTPException(404)
        document = to_public(practice)
    countries = [geography.country(code) for code in document["countries"]]
    try:
        similar = request.app.state.index.more_like_this(practice_id)
    except IndexUnavailable:
        similar = []  # the page stands without it while the index is rebuilt
    with request.app.state.db.read() as session:
        files = session.scalars(
            select(Attachment).where(Attachment.practice_id == practice_id).order_by(Attachment.id)
        ).all()
    context = {
        "practice": document,
        "countries": countries,
        "more_like_this": similar,
        "attachments": files,
    }
    return render(request, "practice.html", context)
