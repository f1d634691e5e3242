"""API tokens: created, listed and revoked by partners; checked on every API submission."""

import hashlib
import secrets

from sqlalchemy import select
from starlette.exceptions import HTTPException

from repository.i18n import N_
from repository.models import ApiToken, Practice, User, utcnow
from repository.params import MAX_ID
from repository.practices import workflow
from repository.practices.documents import to_record

TOKEN_PREFIX = "ph_"  # noqa: S105 - a prefix, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_of(db, user: User) -> list[ApiToken]:
    with db.read() as session:
        return list(
            session.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == user.id)
                .order_by(ApiToken.created_at.desc())
            ).all()
        )


def create(db, user: User, name: str) -> str:
    """A new token for the user; the token itself is returned once and only its hash kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.write() as session:
        session.add(
            ApiToken(
                user_id=user.id,
                name=name.strip()[:100] or "API token",
                token_hash=_hash(token),
                prefix=token[:10],
            )
        )
    return token


def revoke(db, user: User, raw_id: str) -> None:
    with db.write() as session:
        found = (
            session.get(ApiToken, int(raw_id))
            if raw_id.isdigit() and int(raw_id) <= MAX_ID
            else None
        )
        if found is None or found.user_id != user.id:
            raise HTTPException(404)
        found.revoked_at = utcnow()


def token_user(request, session) -> User:
    header = request.headers.get("authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise HTTPException(
            401,
            N_("send an API token as 'Authorization: Bearer ph_...'"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token.strip())))
    if found is None or found.revoked_at is not None:
        raise HTTPException(
            401, N_("unknown or revoked API token"), headers={"WWW-Authenticate": "Bearer"}
        )
    user = session.get(User, found.user_id)
    if user is None or not user.active or user.role != "partner":
        raise HTTPException(403, N_("this token's account may not submit practices"))
    found.last_used_at = utcnow()
    return user


def authenticated_user_id(db, request) -> int:
    with db.write() as session:
        return token_user(request, session).id


def create_draft(db, user_id: int, record: dict) -> tuple[int, dict]:
    with db.write() as session:
        practice = workflow.create_draft(session, session.get(User, user_id), record)
        return practice.id, to_record(practice)


def own_submission(db, request, practice_id: int) -> dict:
    with db.write() as session:
        user = token_user(request, session)
        practice = session.get(Practice, practice_id)
        if practice is None or not workflow.owns(user, practice):
            raise HTTPException(404)
        return {"id": practice.id, "status": practice.status, "record": to_record(practice)}
