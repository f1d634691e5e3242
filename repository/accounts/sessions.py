"""Who is signed in: the signed cookie holds the user id, the account's auth version and a
random session id, and the database holds that session (by the id's SHA-256) until it ends.

The cookie alone once stayed valid for 14 days after signing out; now every request checks the
session's row, so signing out, "sign out everywhere", a password change, a deactivation or a role
change ends it on the server.
"""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from starlette.exceptions import HTTPException
from starlette.requests import Request

from repository.i18n import _
from repository.models import SignedInSession, User, utcnow

CURATORS = ("curator", "admin")
LIFETIME = timedelta(days=14)  # as long as the cookie's max-age


class SignInRequired(Exception):
    """Raised for an anonymous visitor on a page that needs an account."""

    def __init__(self, next_path: str):
        super().__init__(next_path)
        self.next_path = next_path


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


# -- the session rows ---------------------------------------------------------------------


def open_session(db, user_id: int) -> str:
    """A new session for the user; its id (for the cookie only: the row keeps its digest)."""
    session_id = secrets.token_urlsafe(32)
    with db.write() as session:
        session.add(
            SignedInSession(id=_digest(session_id), user_id=user_id, expires_at=utcnow() + LIFETIME)
        )
    return session_id


def close_session(db, session_id: str) -> None:
    with db.write() as session:
        session.execute(delete(SignedInSession).where(SignedInSession.id == _digest(session_id)))


def prune(session) -> int:
    """Delete sessions past their lifetime; how many."""
    result = session.execute(delete(SignedInSession).where(SignedInSession.expires_at < utcnow()))
    return result.rowcount or 0


def _signed_in(db, user_id: int, session_id: str, version: object) -> User | None:
    with db.read() as session:
        return session.scalar(
            select(User)
            .join(SignedInSession, SignedInSession.user_id == User.id)
            .where(
                User.id == user_id,
                User.active.is_(True),
                User.auth_version == version,
                SignedInSession.id == _digest(session_id),
                SignedInSession.expires_at > utcnow(),
            )
        )


# -- the request's view ---------------------------------------------------------------------


def current_user(request: Request) -> User | None:
    """The signed-in, active user, whose session has not ended."""
    if "user" in request.state._state:
        return request.state.user
    user = None
    user_id, session_id = request.session.get("uid"), request.session.get("sid")
    if (
        isinstance(user_id, int)
        and isinstance(session_id, str)
        and isinstance(request.session.get("ver"), int)
    ):
        user = _signed_in(request.app.state.db, user_id, session_id, request.session["ver"])
    if user is None and "uid" in request.session:
        for key in ("uid", "ver", "sid"):
            request.session.pop(key, None)
    request.state.user = user
    return user


def sign_in(request: Request, user: User) -> None:
    # A fresh session: nothing from before signing in carries over, and a new id and CSRF
    # token are issued.
    session_id = open_session(request.app.state.db, user.id)
    request.session.clear()
    request.session.update(
        uid=user.id,
        ver=user.auth_version,
        sid=session_id,
        csrf=secrets.token_urlsafe(32),
    )
    if user.language:
        request.session["language"] = user.language  # the language the account chose
    request.state.user = user


def sign_out(request: Request) -> None:
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        close_session(request.app.state.db, session_id)
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
