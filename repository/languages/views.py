"""The language switcher: one click keeps the choice (a cookie, and the profile when signed in)."""

from starlette.requests import Request
from starlette.routing import Route

from repository.accounts.sessions import client_address, current_user, safe_next
from repository.i18n import LOCALES, _
from repository.languages import services
from repository.languages.negotiation import COOKIE, SESSION_KEY, supported
from repository.params import BadParameter
from repository.web import redirect, with_form

COOKIE_SECONDS = 365 * 24 * 3600


@with_form
def choose_language(request: Request, form):
    language = supported(form.get("language"))
    if language is None:
        raise BadParameter(
            "language",
            _("choose one of: %(languages)s") % {"languages": ", ".join(LOCALES)},
        )
    user = current_user(request)
    if user is not None:
        services.save_language(request.app.state.db, user.id, language, client_address(request))
        request.session[SESSION_KEY] = language
    response = redirect(safe_next(str(form.get("next", "")), "/"))
    response.set_cookie(
        COOKIE,
        language,
        max_age=COOKIE_SECONDS,
        samesite="lax",
        secure=not request.app.state.settings.debug,
        httponly=True,
    )
    return response


routes = [Route("/language", choose_language, methods=["POST"], name="choose_language")]
