"""The brief's pages: add, remove, reorder (no JavaScript needed), read, print, PDF, text, JSON."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from repository.accounts.sessions import safe_next
from repository.brief import services as brief
from repository.brief.pdf import pdf_of
from repository.i18n import _
from repository.params import MAX_ID
from repository.practices import queries
from repository.web import flash, redirect, render, with_form


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _build(request: Request) -> dict:
    return brief.build_for(
        request.app.state.db, brief.brief_ids(request.session), _base_url(request)
    )


def _practice_id(form) -> int:
    raw = str(form.get("practice_id", ""))
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise HTTPException(400, _("practice_id: must be the id of a published practice"))
    return int(raw)


@with_form
def add(request: Request, form) -> Response:
    practice_id = _practice_id(form)
    ids = brief.brief_ids(request.session)
    if queries.public_document(request.app.state.db, practice_id) is None:
        raise HTTPException(404)
    if practice_id in ids:
        flash(request, _("It is already in your brief."))
    elif len(ids) >= brief.MAX_ITEMS:
        flash(request, _("A brief holds at most %(n)d practices.") % {"n": brief.MAX_ITEMS})
    else:
        request.session["brief"] = [*ids, practice_id]
        flash(request, _("Added to your brief."))
    return redirect(safe_next(str(form.get("next", "")), request.app.url_path_for("brief")))


@with_form
def change(request: Request, form) -> Response:
    """Remove, move up, move down or clear."""
    action = str(form.get("action", ""))
    ids = brief.brief_ids(request.session)
    if action == "clear":
        request.session["brief"] = []
        return redirect(request.app.url_path_for("brief"))
    practice_id = _practice_id(form)
    if practice_id not in ids:
        raise HTTPException(404)
    position = ids.index(practice_id)
    if action == "remove":
        ids.remove(practice_id)
    elif action == "up" and position > 0:
        ids[position - 1], ids[position] = ids[position], ids[position - 1]
    elif action == "down" and position < len(ids) - 1:
        ids[position + 1], ids[position] = ids[position], ids[position + 1]
    elif action not in ("up", "down"):
        raise HTTPException(400, _("action: must be remove, up, down or clear"))
    request.session["brief"] = ids
    path = request.app.url_path_for("brief")
    return redirect(f"{path}#item-{practice_id}" if action != "remove" else path)


def page(request: Request) -> Response:
    data = _build(request)
    suggestions = brief.suggestions(request.app.state.index, data)
    return render(request, "brief.html", {"brief": data, "suggestions": suggestions})


def text(request: Request) -> Response:
    return PlainTextResponse(
        brief.as_text(_build(request)),
        headers={"Content-Disposition": 'attachment; filename="brief.txt"'},
    )


def as_json(request: Request) -> Response:
    data = _build(request)
    data["suggestions"] = brief.suggestions(request.app.state.index, data)
    data["balance"] = {
        key: [{"value": v, "label": label, "covered": covered} for v, label, covered in rows]
        for key, rows in data["balance"].items()
        if key != "missing"
    } | {"missing": data["balance"]["missing"]}
    return JSONResponse(data)


def pdf(request: Request) -> Response:
    data = _build(request)
    html = request.app.state.templates.get_template("brief.html").render(
        request=request,
        brief=data,
        suggestions=[],
        current_user=None,
        csrf_token="",
        flashes=[],
        printing=True,
    )
    # The same template as the page; brief.pdf lays it out with the page's stylesheet.
    return Response(
        pdf_of(html, _base_url(request) + "/"),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="brief.pdf"'},
    )


routes = [
    Route("/brief", page, name="brief"),
    Route("/brief.txt", text, name="brief_text"),
    Route("/brief.pdf", pdf, name="brief_pdf"),
    Route("/brief/add", add, methods=["POST"], name="brief_add"),
    Route("/brief/change", change, methods=["POST"], name="brief_change"),
    Route("/api/brief", as_json, name="api_brief"),
]
