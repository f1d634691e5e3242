"""Small helpers shared by the views: rendering, redirects, flash messages, running writes."""

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


def flash(request: Request, message: str) -> None:
    request.session.setdefault("flash", [])
    request.session["flash"] = [*request.session["flash"][-4:], message]


def pop_flashes(request: Request) -> list[str]:
    if "session" not in request.scope:
        return []
    return request.session.pop("flash", [])


async def in_thread(function, *args, **kwargs):
    """Run blocking database work (and password hashing) off the event loop."""
    return await run_in_threadpool(function, *args, **kwargs)


def notify_index(request: Request) -> None:
    """Wake the index writer after a commit that changed a public document."""
    worker = getattr(request.app.state, "index_worker", None)
    if worker is not None:
        worker.notify()
