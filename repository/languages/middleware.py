"""Sets the language of each request before any view, template or error page runs."""

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from repository.characters import FORBIDDEN
from repository.i18n import _, set_locale
from repository.languages.negotiation import COOKIE, PARAMETER, SESSION_KEY, negotiate

MAX_PARAMETER = 35  # as the API document says: a language tag, never a text


def _wrong_parameter(connection: HTTPConnection) -> str | None:
    """What is wrong with ?lang, as the API document describes it (None: nothing)."""
    for value in connection.query_params.getlist(PARAMETER):
        if len(value) > MAX_PARAMETER:
            return _("must be at most %(n)d characters") % {"n": MAX_PARAMETER}
        if "\ufffd" in value or FORBIDDEN.search(value):
            return _("must be valid UTF-8 text without control characters")
    return None


class LanguageMiddleware:
    """Pure ASGI, inside the session middleware: the context variable it sets is seen by the
    view (also in the thread pool) and by the exception handlers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        session = scope.get("session") or {}
        language = negotiate(
            connection.query_params.get(PARAMETER),
            session.get(SESSION_KEY),
            connection.cookies.get(COOKIE),
            connection.headers.get("accept-language"),
        )
        scope.setdefault("state", {})["language"] = language
        set_locale(language)
        # Pages ignore a ?lang they cannot use; the API refuses one its document rules out.
        if scope["path"].startswith("/api/") and (problem := _wrong_parameter(connection)):
            error = {"status": 400, "message": f"{PARAMETER}: {problem}", "parameter": PARAMETER}
            await JSONResponse({"error": error}, 400)(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # The same address answers in several languages: caches must keep them apart.
                headers.add_vary_header("Accept-Language")
                headers.add_vary_header("Cookie")
                headers.setdefault("Content-Language", language)
            await send(message)

        await self.app(scope, receive, send_with_headers)
