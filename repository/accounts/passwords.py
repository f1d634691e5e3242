"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from repository.i18n import _

MIN_LENGTH = 12
MAX_LENGTH = 256  # long passphrases are welcome; the cap only stops hashing megabytes

_hasher = PasswordHasher()


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return _("The password must be at least %(limit)d characters long.") % {"limit": MIN_LENGTH}
    if len(password) > MAX_LENGTH:
        return _("The password must be at most %(limit)d characters long.") % {"limit": MAX_LENGTH}
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
