"""E-mail pages: an account's e-mail settings and saved searches, and unsubscribing by the link
in an optional e-mail (which works without signing in: the link is signed)."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from repository.accounts.sessions import require_user
from repository.i18n import N_, _
from repository.mail import compose, services
from repository.web import flash, redirect, render, with_form

FREQUENCIES = (("daily", N_("Daily")), ("weekly", N_("Weekly")))
SAVED = {
    "daily": N_("Saved: you will get new matches for “%(name)s” by e-mail, daily."),
    "weekly": N_("Saved: you will get new matches for “%(name)s” by e-mail, weekly."),
}


def _settings_context(request: Request, user, error: str = "") -> dict:
    saved = services.saved_searches(request.app.state.db, user)
    return {
        "saved": saved,
        "frequencies": FREQUENCIES,
        "error": error,
        "sends_mail": request.app.state.settings.sends_mail,
        "search_links": {s.id: f"{request.app.url_path_for('search')}?{s.query}" for s in saved},
    }


@with_form
def email_settings(request: Request, form) -> Response:
    user = require_user(request)
    db = request.app.state.db
    if form is None:
        return render(request, "accounts/email.html", _settings_context(request, user))
    action = str(form.get("action", ""))
    frequency = str(form.get("frequency", ""))
    try:
        if action == "save_search":
            saved = services.save_search(
                db, user, str(form.get("query", "")), frequency, str(form.get("name", ""))
            )
            flash(
                request,
                _(SAVED[frequency]) % {"name": saved.name},
            )
            back = str(form.get("back", ""))
            if back.startswith("/search"):
                return redirect(back)
        elif action == "frequency":
            services.change_search(db, user, str(form.get("search_id", "")), frequency)
            flash(request, _("Changed."))
        elif action == "delete":
            name = services.delete_search(db, user, str(form.get("search_id", "")))
            flash(request, _("“%(name)s” is no longer saved.") % {"name": name})
        elif action == "curation":
            wanted = form.get("curation_emails") == "yes"
            services.set_curation_emails(db, user, wanted)
            flash(request, _("Saved."))
        else:
            raise services.AlertError(_("Choose what to change."))
    except services.AlertError as refused:
        context = _settings_context(request, user, str(refused))
        return render(request, "accounts/email.html", context, 400)
    return redirect(request.app.url_path_for("email_settings"))


def _one_click(form) -> bool:
    """RFC 8058: a mail program's "Unsubscribe" button posts exactly this."""
    return form.get("List-Unsubscribe") == "One-Click"


@with_form(csrf_unless=_one_click)
def unsubscribe(request: Request, form) -> Response:
    """GET asks (link checkers and previews follow links); POST stops the e-mails."""
    settings = request.app.state.settings
    token = request.path_params["token"][:500]
    found = compose.read_unsubscribe_token(settings.secret_key, token)
    db = request.app.state.db
    what = services.topic_name(db, *found) if found else None
    if form is None:
        status = 200 if what else 404
        context = {"what": what, "done": False, "token": token}
        return render(request, "email_unsubscribe.html", context, status)
    if found is None or not services.unsubscribe(db, *found):
        context = {"what": None, "done": False, "token": token}
        return render(request, "email_unsubscribe.html", context, 404)
    return render(request, "email_unsubscribe.html", {"what": what, "done": True, "token": token})


routes = [
    Route("/account/email", email_settings, methods=["GET", "POST"], name="email_settings"),
    Route(
        "/email/unsubscribe/{token:str}",
        unsubscribe,
        methods=["GET", "POST"],
        name="email_unsubscribe",
    ),
]
