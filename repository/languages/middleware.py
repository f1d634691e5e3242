"""Sets the language of each request before any view, template or error page runs."""

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection

from repository.i18n import set_locale
from repository.languages.negotiation import COOKIE, PARAMETER, SESSION_KEY, negotiate


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

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # The same address answers in several languages: caches must keep them apart.
                headers.add_vary_header("Accept-Language")
                headers.add_vary_header("Cookie")
                headers.setdefault("Content-Language", language)
            await send(message)

        await self.app(scope, receive, send_with_headers)
