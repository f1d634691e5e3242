"""Small helpers shared by the views: rendering, redirects, flash messages, reading forms."""

import functools

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse


def render(request: Request, template: str, context: dict, status: int = 200):
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )


def redirect(url: str) -> RedirectResponse:
    """After a POST, always a 303 to a GET."""
    return RedirectResponse(url, status_code=303)


def flash(request: Request, message: str, target: int | None = None) -> None:
    """A message for the next page. With a target (a practice id), a page that shows that
    practice's card puts the message beside it, where the user's eyes are; other pages show it
    at the top."""
    request.session.setdefault("flash", [])
    entry = {"text": message, "target": target} if target is not None else message
    request.session["flash"] = [*request.session["flash"][-4:], entry]


def pop_flashes(request: Request) -> list[dict]:
    """The messages, each as {text, target}."""
    if "session" not in request.scope:
        return []
    return [
        entry if isinstance(entry, dict) else {"text": entry, "target": None}
        for entry in request.session.pop("flash", [])
    ]


def with_form(view=None, *, max_files: int = 0, csrf_unless=None):
    """For a view that takes a posted form: the form is read (and its CSRF token checked) on
    the event loop, then the view, a plain `def`, runs in the threadpool with it.

    Every database call, index call and password hash therefore runs off the event loop; a
    GET reaches the view with `form=None`. `csrf_unless(form)` names the one kind of form that
    needs no CSRF token (a mail program's one-click unsubscribe, authorised by its signed
    link, cannot have one).
    """

    def wrap(function):
        @functools.wraps(function)
        async def endpoint(request: Request):
            from repository.security import check_csrf, read_form

            form = None
            if request.method == "POST":
                form = await read_form(request, max_files=max_files, csrf=False)
                if csrf_unless is None or not csrf_unless(form):
                    check_csrf(request, form)
            return await run_in_threadpool(function, request, form)

        endpoint.runs_in_threadpool = True
        return endpoint

    return wrap(view) if view is not None else wrap


def notify_index(request: Request) -> None:
    """Wake the index writer after a commit that changed a public document."""
    worker = getattr(request.app.state, "index_worker", None)
    if worker is not None:
        worker.notify()
