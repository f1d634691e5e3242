"""Request-level protections: CSRF tokens, body size limits, and reading forms safely."""

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from repository.characters import clean
from repository.i18n import _

CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 1_000_000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_PATH_SUFFIX = "/attachments"


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use (so anonymous forms have one too)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, form: FormData) -> None:
    expected = request.session.get("csrf")
    given = form.get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise HTTPException(
            403,
            _(
                "This form has expired or did not come from this site. "
                "Reload the page and try again."
            ),
        )


async def read_form(request: Request, max_files: int = 0, csrf: bool = True) -> FormData:
    """The posted form, CSRF-checked, its text without control characters (repository.
    characters: a NUL fails a PostgreSQL write, U+000B an Atom feed); bad bodies answer 400."""
    try:
        form = await request.form(max_files=max_files, max_fields=400)
    except HTTPException:
        raise
    except Exception as error:  # malformed multipart or encoding
        raise HTTPException(
            400, _("The form could not be read: %(e)s") % {"e": str(error)[:100]}
        ) from None
    if csrf:
        check_csrf(request, form)
    return FormData(
        [
            (clean(key), clean(value) if isinstance(value, str) else value)
            for key, value in form.multi_items()
        ]
    )


class BodySizeLimit:
    """Refuses request bodies over a limit before reading them (Starlette has no limit).

    Checks Content-Length up front, and counts the bytes of bodies sent without it.
    """

    def __init__(self, app, limit: int = MAX_FORM_BYTES, upload_limit: int = MAX_UPLOAD_BYTES):
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit + 64 * 1024  # room for the multipart envelope

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.upload_limit if scope["path"].endswith(UPLOAD_PATH_SUFFIX) else self.limit
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return await _refuse(send, 400, "Invalid Content-Length header.")
                if declared > limit:
                    return await _refuse(
                        send, 413, f"The request is larger than {limit // 1024} KB."
                    )
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, f"The request is larger than {limit // 1024} KB.")
            return message

        return await self.app(scope, limited_receive, send)


async def _refuse(send, status: int, message: str) -> None:
    body = message.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
