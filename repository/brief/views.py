"""The brief's pages: add, edit, reorder, remove, empty (all without JavaScript), read, share,
print, and the text, PDF, DOCX and JSON downloads."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from repository.accounts.sessions import current_user, require_user, safe_next
from repository.brief import exports
from repository.brief import services as brief
from repository.brief.balance import suggestions
from repository.brief.pdf import pdf_of
from repository.i18n import _, ngettext
from repository.params import MAX_ID, path_id
from repository.templating import page_language
from repository.web import flash, redirect, render, with_form

ACTIONS = ("save", "up", "down", "remove", "restore")
FORMATS = {
    "txt": ("text/plain; charset=utf-8", "brief.txt"),
    "pdf": ("application/pdf", "brief.pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "brief.docx",
    ),
}


def holder(request: Request) -> brief.Holder:
    """Whose brief: the key in this session, and the account if someone is signed in."""
    user = current_user(request)
    key = request.session.get(brief.SESSION_KEY)
    return brief.Holder(key if isinstance(key, str) else None, user.id if user else None)


def _keep(request: Request, key: str | None) -> None:
    if key:
        request.session[brief.SESSION_KEY] = key


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _id(raw, name: str = "practice_id") -> int:
    raw = str(raw or "")
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise HTTPException(
            400, _("%(name)s: must be the id of a published practice") % {"name": name}
        )
    return int(raw)


def _count_words(n: int) -> str:
    return ngettext("(%(num)d practice)", "(%(num)d practices)", n) % {"num": n}


def _answer(request: Request, practice_id: int, ids: list[int], message: str, next_url: str):
    """JSON for the page's script (in place, no reload); else back to the card, whose
    message is shown beside it."""
    if _wants_json(request):
        return JSONResponse(
            {
                "in_brief": practice_id in ids,
                "count": len(ids),
                "count_words": _count_words(len(ids)),
                "message": message,
            }
        )
    flash(request, message, target=practice_id)
    return redirect(next_url)


@with_form
def add(request: Request, form) -> Response:
    practice_id = _id(form.get("practice_id"))
    topic = str(form.get("topic", ""))[:200]
    try:
        key, ids, outcome = brief.add(request.app.state.db, holder(request), practice_id, topic)
    except LookupError:
        raise HTTPException(404) from None
    _keep(request, key)
    message = {
        "added": _("Added to your brief: %(n)d practices, about %(time)s to say."),
        "already": _("It is already in your brief."),
        "full": _("A brief holds at most %(max)d practices: remove one first."),
    }[outcome]
    data = brief.build_for(request.app.state.db, holder(request), _base_url(request))
    message = message % {"n": len(ids), "time": data["speaking_time"], "max": brief.MAX_ITEMS}
    if outcome == "added" and len(ids) == 1:
        message = _("Added to your brief: 1 practice, about %(time)s to say.") % {
            "time": data["speaking_time"]
        }
    next_url = safe_next(str(form.get("next", "")), request.app.url_path_for("brief"))
    return _answer(request, practice_id, ids, message, next_url)


def _edits(form) -> brief.Edits:
    lines = {}
    for name, value in form.multi_items():
        if name.startswith("line-") and name[5:].isdigit() and len(lines) < brief.MAX_ITEMS * 2:
            lines[int(name[5:])] = str(value)
    fields = {
        k: str(form[k]) if k in form else None for k in ("name", "topic", "opening", "closing")
    }
    return brief.Edits(lines=lines, **fields)


@with_form
def change(request: Request, form) -> Response:
    """Save the edited lines, and move, remove or restore one practice's line. The buttons of
    the brief form say what to do ("up:12"); a card's remove form sends practice_id."""
    raw = str(form.get("action", "save"))
    action, _sep, target = raw.partition(":")
    if action not in ACTIONS:
        raise HTTPException(400, _("action: must be one of %(a)s") % {"a": ", ".join(ACTIONS)})
    practice_id = None
    if action != "save":
        practice_id = _id(target or form.get("practice_id"))
    try:
        key, ids = brief.change(
            request.app.state.db, holder(request), _edits(form), action, practice_id
        )
    except LookupError:
        raise HTTPException(404) from None
    _keep(request, key)
    path = request.app.url_path_for("brief")
    if "next" in form:  # from a card on another page
        message = _("Removed from your brief.") if action == "remove" else _("Saved.")
        next_url = safe_next(str(form.get("next", "")), path)
        return _answer(request, practice_id or 0, ids, message, next_url)
    if action == "save":
        flash(request, _("Your brief is saved."))
        return redirect(path)
    if action == "remove":
        flash(request, _("Removed from your brief."))
        return redirect(f"{path}#brief-items")
    return redirect(f"{path}#item-{practice_id}")


@with_form
def empty(request: Request, form) -> Response:
    """Emptying asks first: a page that says what will go, and a button that does it."""
    who = holder(request)
    if form is None:
        data = brief.build_for(request.app.state.db, who, _base_url(request))
        return render(request, "brief_empty.html", {"brief": data})
    count = brief.empty(request.app.state.db, who)
    flash(
        request,
        ngettext(
            "Your brief is empty: %(num)d practice taken out.",
            "Your brief is empty: %(num)d practices taken out.",
            count,
        )
        % {"num": count},
    )
    return redirect(request.app.url_path_for("brief"))


def page(request: Request) -> Response:
    who = holder(request)
    db = request.app.state.db
    data = brief.build_for(db, who, _base_url(request))
    context = {
        "brief": data,
        "suggestions": suggestions(request.app.state.index, data),
        "briefs": brief.briefs_of(db, who),
        "flash_targets": [],
    }
    return render(request, "brief.html", context)


def _download(request: Request, data: dict, fmt: str) -> Response:
    if not data["items"]:
        raise HTTPException(404, _("The brief is empty: add practices before downloading it."))
    media_type, filename = FORMATS[fmt]
    if fmt == "txt":
        body = exports.as_text(data).encode()
    elif fmt == "docx":
        body = exports.as_docx(data)
    else:
        html = request.app.state.templates.get_template("brief_read.html").render(
            request=request,
            brief=data,
            current_user=None,
            csrf_token="",
            flashes=[],
            printing=True,
            page_language=page_language(request),
        )
        body = pdf_of(html, _base_url(request) + "/")  # one at a time per worker, cached
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "txt":
        return PlainTextResponse(body.decode(), headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _own_brief(request: Request) -> dict:
    return brief.build_for(request.app.state.db, holder(request), _base_url(request))


def text(request: Request) -> Response:
    return _download(
        request, brief.build_for(request.app.state.db, holder(request), _base_url(request)), "txt"
    )


def pdf(request: Request) -> Response:
    return _download(
        request, brief.build_for(request.app.state.db, holder(request), _base_url(request)), "pdf"
    )


def docx(request: Request) -> Response:
    return _download(
        request, brief.build_for(request.app.state.db, holder(request), _base_url(request)), "docx"
    )


def as_json(request: Request) -> Response:
    data = brief.build_for(request.app.state.db, holder(request), _base_url(request))
    found = suggestions(request.app.state.index, data)
    data["suggestions"] = found["found"]
    data["unfilled_gaps"] = found["unfilled"]
    data["balance"] = {
        key: [{"value": v, "label": label, "covered": covered} for v, label, covered in rows]
        for key, rows in data["balance"].items()
        if key != "missing"
    } | {"missing": data["balance"]["missing"]}
    return JSONResponse(data)


# -- an account's briefs: several by name, shared by a link --------------------------------


@with_form
def manage(request: Request, form) -> Response:
    """Start a new brief, open one, or share the current one (or stop sharing it)."""
    user = require_user(request)
    who = brief.Holder(holder(request).key, user.id)
    action = str(form.get("action", ""))
    db = request.app.state.db
    path = request.app.url_path_for("brief")
    try:
        if action == "new":
            _keep(request, brief.new_brief(db, who))
            flash(request, _("A new, empty brief. Your other briefs are listed below it."))
        elif action == "open":
            _keep(request, brief.open_brief(db, who, _id(form.get("brief_id"), "brief_id")))
        elif action in ("share", "unshare"):
            brief.share(db, who, action == "share")
            flash(
                request,
                _("Anyone with the link can now read this brief.")
                if action == "share"
                else _("The link no longer works."),
            )
            return redirect(f"{path}#share")
        else:
            raise HTTPException(400, _("action: must be new, open, share or unshare"))
    except brief.BriefError as error:
        flash(request, str(error))
    except LookupError:
        raise HTTPException(404) from None
    return redirect(path)


@with_form
def delete(request: Request, form) -> Response:
    user = require_user(request)
    brief_id = path_id(request, "brief_id")
    db = request.app.state.db
    who = brief.Holder(holder(request).key, user.id)
    mine = {b["id"]: b for b in brief.briefs_of(db, who)}
    if brief_id not in mine:
        raise HTTPException(404)
    if form is None:
        return render(request, "brief_delete.html", {"target": mine[brief_id]})
    name = brief.delete_brief(db, who, brief_id)
    flash(request, _("The brief “%(name)s” is deleted.") % {"name": name})
    return redirect(request.app.url_path_for("brief"))


def shared(request: Request) -> Response:
    data = brief.build_shared(
        request.app.state.db, request.path_params["token"], _base_url(request)
    )
    if data is None:
        raise HTTPException(404, _("This link to a brief does not work (any more)."))
    fmt = request.path_params.get("fmt")
    if fmt is not None:
        if fmt not in FORMATS:
            raise HTTPException(404)
        return _download(request, data, fmt)
    return render(request, "brief_read.html", {"brief": data, "shared": True})


routes = [
    Route("/brief", page, name="brief"),
    Route("/brief.txt", text, name="brief_text"),
    Route("/brief.pdf", pdf, name="brief_pdf"),
    Route("/brief.docx", docx, name="brief_docx"),
    Route("/brief/add", add, methods=["POST"], name="brief_add"),
    Route("/brief/change", change, methods=["POST"], name="brief_change"),
    Route("/brief/empty", empty, methods=["GET", "POST"], name="brief_empty"),
    Route("/briefs", manage, methods=["POST"], name="briefs"),
    Route("/briefs/{brief_id:int}/delete", delete, methods=["GET", "POST"], name="brief_delete"),
    Route("/briefs/shared/{token:str}", shared, name="brief_shared"),
    Route("/briefs/shared/{token:str}/brief.{fmt:str}", shared, name="brief_shared_download"),
    Route("/api/brief", as_json, name="api_brief"),
]
