"""Error pages and JSON errors: a clear message and the right status, never a traceback."""

import logging
from urllib.parse import urlencode

from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse

from repository.accounts.sessions import SignInRequired
from repository.i18n import N_, _
from repository.links import Elsewhere, resolve
from search import IndexBusy, IndexUnavailable

log = logging.getLogger("repository.errors")

TITLES = {
    400: N_("Bad request"),
    403: N_("Forbidden"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    413: N_("Request too large"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
    503: N_("Service unavailable"),
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def plain_server_error(scope, request_id: str):
    """The 500 page for an unhandled exception: the error page, or plain text if even that
    fails; never a traceback."""
    try:
        return render_error(
            Request(scope),
            500,
            _("An unexpected error occurred. It has been logged; please try again."),
        )
    except Exception:
        message = f"An unexpected error occurred (reference {request_id}). Please try again."
        return PlainTextResponse(message, 500)


def render_error(
    request: Request,
    status: int,
    message: str,
    headers: dict | None = None,
    parameter: str | None = None,
):
    reference = request.scope.get("state", {}).get("request_id", "")
    if status >= 500 and reference:
        message = _("%(message)s (reference %(reference)s)") % {
            "message": message,
            "reference": reference,
        }
    if wants_json(request):
        error = {"status": status, "message": message}
        if parameter:
            error["parameter"] = parameter
        return JSONResponse({"error": error}, status, headers)
    templates = getattr(request.app.state, "templates", None)
    if templates is None:
        return PlainTextResponse(message, status, headers)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": _(TITLES.get(status, "Error")), "message": message},
        status_code=status,
        headers=headers,
    )


async def http_error(request: Request, exc: HTTPException):
    default = {
        404: _("There is no published practice or page at this address."),
        405: _("This address does not accept that kind of request."),
    }
    message = exc.detail if exc.detail and exc.detail != TITLES.get(exc.status_code) else ""
    if not message or message in ("Not Found", "Method Not Allowed"):
        message = default.get(exc.status_code, _(TITLES.get(exc.status_code, "Error")))
    else:
        message = _(message)  # details are message ids (N_) where they are raised
    return render_error(
        request,
        exc.status_code,
        message,
        getattr(exc, "headers", None),
        parameter=getattr(exc, "parameter", None),
    )


async def server_error(request: Request, exc: Exception):
    log.exception("Unhandled error on %s %s", request.method, request.url.path)
    return render_error(
        request, 500, _("An unexpected error occurred. It has been logged; please try again.")
    )


async def sign_in_required(request: Request, exc: SignInRequired):
    if wants_json(request):
        return render_error(request, 401, _("Sign in to use this."))
    return RedirectResponse(f"/signin?{urlencode({'next': exc.next_path})}", status_code=303)


async def elsewhere(request: Request, exc: Elsewhere):
    """A page that moved for this user (links.Elsewhere): go there, saying why."""
    from repository.web import flash

    target = resolve(request.app, exc.reference) or "/"
    if exc.message and "session" in request.scope:
        flash(request, exc.message)
    return RedirectResponse(target, status_code=303)


async def database_busy(request: Request, exc: OperationalError):
    """A lock held too long (SQLite busy, PostgreSQL lock timeout): a clean 503 to retry."""
    log.warning("database busy on %s %s: %s", request.method, request.url.path, str(exc.orig)[:200])
    return render_error(
        request,
        503,
        _("The database is busy. Please try again in a few seconds."),
        headers={"Retry-After": "5"},
    )


async def index_unavailable(request: Request, exc: Exception):
    """The index is being rebuilt or another writer holds it: 503 and when to come back."""
    log.warning("search index unavailable on %s %s: %s", request.method, request.url.path, exc)
    # Wake the index writer: a reader that found damage should not wait for its next round.
    worker = getattr(request.app.state, "index_worker", None)
    if worker is not None:
        worker.notify()
    return render_error(
        request,
        503,
        _("Search is being rebuilt; please try again in a minute."),
        headers={"Retry-After": "30"},
    )


def handlers() -> dict:
    return {
        IndexUnavailable: index_unavailable,
        IndexBusy: index_unavailable,
        HTTPException: http_error,
        SignInRequired: sign_in_required,
        Elsewhere: elsewhere,
        OperationalError: database_busy,
        500: server_error,
    }
