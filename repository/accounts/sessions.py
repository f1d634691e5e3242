"""Who is signed in: the signed session cookie holds the user id and the account's auth version."""

import secrets
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request

from repository.i18n import _
from repository.models import User

CURATORS = ("curator", "admin")


class SignInRequired(Exception):
    """Raised for an anonymous visitor on a page that needs an account."""

    def __init__(self, next_path: str):
        super().__init__(next_path)
        self.next_path = next_path


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def current_user(request: Request) -> User | None:
    """The signed-in, active user whose password has not changed since signing in."""
    if "user" in request.state._state:
        return request.state.user
    user = None
    user_id = request.session.get("uid")
    if isinstance(user_id, int):
        with request.app.state.db.read() as session:
            candidate = session.get(User, user_id)
            if (
                candidate is not None
                and candidate.active
                and candidate.auth_version == request.session.get("ver")
            ):
                user = candidate
    if user is None and "uid" in request.session:
        for key in ("uid", "ver", "sid"):
            request.session.pop(key, None)
    request.state.user = user
    return user


def sign_in(request: Request, user: User) -> None:
    # A fresh session: nothing from before signing in carries over, and a new id and CSRF
    # token are issued.
    request.session.clear()
    request.session.update(
        uid=user.id,
        ver=user.auth_version,
        sid=secrets.token_urlsafe(16),
        csrf=secrets.token_urlsafe(32),
    )
    request.state.user = user


def sign_out(request: Request) -> None:
    request.session.clear()
    request.state.user = None


def require_user(request: Request, *roles: str) -> User:
    """The signed-in user, holding one of the roles if any are given."""
    user = current_user(request)
    if user is None:
        raise SignInRequired(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
    if roles and user.role not in roles:
        raise HTTPException(403, _("Your account does not have access to this page."))
    return user


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
