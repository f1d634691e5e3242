"""The brief's pages: add, remove, reorder (no JavaScript needed), read, print, PDF, text, JSON."""

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from repository import brief
from repository.accounts.sessions import safe_next
from repository.i18n import _
from repository.practices import queries
from repository.security import read_form
from repository.web import flash, redirect, render

STATIC_DIR = Path(__file__).parent / "static"
MAX_ID = 2**31 - 1


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _build(request: Request) -> dict:
    with request.app.state.db.read() as session:
        return brief.build(session, brief.brief_ids(request.session), _base_url(request))


def _practice_id(form) -> int:
    raw = str(form.get("practice_id", ""))
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise HTTPException(400, _("practice_id: must be the id of a published practice"))
    return int(raw)


async def add(request: Request) -> Response:
    form = await read_form(request)
    practice_id = _practice_id(form)
    ids = brief.brief_ids(request.session)

    def published() -> bool:
        with request.app.state.db.read() as session:
            return queries.published_practice(session, practice_id) is not None

    if not await run_in_threadpool(published):
        raise HTTPException(404)
    if practice_id in ids:
        flash(request, _("It is already in your brief."))
    elif len(ids) >= brief.MAX_ITEMS:
        flash(request, _("A brief holds at most %(n)d practices.") % {"n": brief.MAX_ITEMS})
    else:
        request.session["brief"] = [*ids, practice_id]
        flash(request, _("Added to your brief."))
    return redirect(safe_next(str(form.get("next", "")), "/brief"))


async def change(request: Request) -> Response:
    """Remove, move up, move down or clear."""
    form = await read_form(request)
    action = str(form.get("action", ""))
    ids = brief.brief_ids(request.session)
    if action == "clear":
        request.session["brief"] = []
        return redirect("/brief")
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
    return redirect(f"/brief#item-{practice_id}" if action != "remove" else "/brief")


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
    from weasyprint import CSS, HTML

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
    # The same template and stylesheet as the page (its print rules apply); the stylesheet is
    # handed over directly, so making a PDF fetches nothing.
    stylesheet = CSS(string=(STATIC_DIR / "site.css").read_text())
    document = HTML(string=html, base_url=_base_url(request) + "/")
    return Response(
        document.write_pdf(stylesheets=[stylesheet]),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="brief.pdf"'},
    )
