"""Parsing query-string parameters into checked values, with errors that name the parameter."""

from starlette.exceptions import HTTPException

from repository.i18n import _

MAX_PAGE = 10_000
MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer cannot exist; PostgreSQL would refuse them


class BadParameter(HTTPException):
    def __init__(self, name: str, message: str):
        super().__init__(400, f"{name}: {message}")
        self.parameter = name


def positive_int(raw: str | None, name: str, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise BadParameter(name, _("must be a whole number from 1 to %(max)d") % {"max": maximum})
    value = int(raw)
    if not 1 <= value <= maximum:
        raise BadParameter(name, _("must be a whole number from 1 to %(max)d") % {"max": maximum})
    return value


def path_id(request, name: str) -> int:
    """An id from the path; 404 (not a database error) when it cannot exist."""
    value = request.path_params[name]
    if value > MAX_ID:
        raise HTTPException(404)
    return value
