"""The one write of this feature: the language an account keeps on its profile."""

from repository import audit
from repository.i18n import LOCALES
from repository.models import User


def save_language(db, user_id: int, language: str, address: str) -> None:
    if language not in LOCALES:
        raise ValueError(language)
    with db.write() as session:
        user = session.get(User, user_id)
        if user is None or user.language == language:
            return
        user.language = language
        audit.record(session, "account.language", user, f"user:{user.id}", address, to=language)
