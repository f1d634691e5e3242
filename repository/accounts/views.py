"""Account pages: register, sign in and out, change password, notifications, user admin."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from repository import geography, links
from repository.accounts import services
from repository.accounts.sessions import (
    client_address,
    current_user,
    require_user,
    safe_next,
    sign_in,
    sign_out,
)
from repository.brief import services as briefs
from repository.i18n import _
from repository.params import path_id
from repository.vocabularies import ACTOR_TYPES, ROLES
from repository.web import flash, redirect, render, with_form

SIGN_IN_FAILED = "The e-mail address or password is not right, or the account is not approved yet."
GET_POST = ["GET", "POST"]


def _organisation_choices() -> dict:
    return {
        "actor_types": list(ACTOR_TYPES.terms),
        "countries": [(c.code, c.name) for c in geography.countries().values()],
    }


@with_form
def register(request: Request, form) -> Response:
    values, errors = {}, {}
    if form is not None:
        values = {
            k: str(form.get(k, ""))[:400]
            for k in ("name", "email", "organisation", "organisation_type", "organisation_country")
        }
        password = str(form.get("password", ""))
        if password != str(form.get("password_again", "")):
            errors["password_again"] = _("The two passwords differ.")
        for key in ("name", "email", "organisation"):
            if not values[key].strip():
                errors[key] = _("This is required.")
        if values["organisation_type"] not in ACTOR_TYPES:
            errors["organisation_type"] = _("Choose the organisation's type.")
        if values["organisation_country"] and not geography.country(values["organisation_country"]):
            errors["organisation_country"] = _("Choose a country from the list.")
        if not errors:
            try:
                services.register(request.app.state.db, client_address(request), values, password)
            except services.AccountError as error:
                message = str(error)
                field = "password" if "password" in message else "email"
                errors[field] = message
            else:
                flash(
                    request,
                    _(
                        "Thank you. A curator will approve your account; you can sign "
                        "in once it is approved."
                    ),
                )
                return redirect(request.app.url_path_for("signin"))
    context = {"values": values, "errors": errors, **_organisation_choices()}
    return render(request, "accounts/register.html", context, 400 if errors else 200)


@with_form
def signin(request: Request, form) -> Response:
    home = str(request.app.url_path_for("home"))
    next_path = safe_next(request.query_params.get("next"), home)
    error, email, headers, status = None, "", None, 200
    if form is not None:
        email = str(form.get("email", ""))[:320]
        next_path = safe_next(str(form.get("next", "")), home)
        try:
            user = services.sign_in_check(
                request.app.state.db, email, str(form.get("password", "")), client_address(request)
            )
        except services.TooManyAttempts as limited:
            error = _("Too many failed attempts. Try again in a few minutes.")
            headers, status = {"Retry-After": str(limited.retry_after)}, 429
        else:
            if user is None:
                error, status = _(SIGN_IN_FAILED), 400
            else:
                visitor_brief = request.session.get(briefs.SESSION_KEY)
                sign_in(request, user)
                # The brief built before signing in goes with the person into their account.
                key = briefs.on_sign_in(
                    request.app.state.db,
                    visitor_brief if isinstance(visitor_brief, str) else None,
                    user.id,
                )
                if key:
                    request.session[briefs.SESSION_KEY] = key
                return redirect(next_path)
    context = {"error": error, "email": email, "next": next_path}
    response = render(request, "accounts/signin.html", context, status)
    if headers:
        response.headers.update(headers)
    return response


@with_form
def signout(request: Request, form) -> Response:
    user, key = current_user(request), request.session.get(briefs.SESSION_KEY)
    copy = None
    if user is not None:
        copy = briefs.on_sign_out(
            request.app.state.db, key if isinstance(key, str) else None, user.id
        )
    sign_out(request)
    if copy:
        # The account keeps its briefs; the person signing out keeps a copy of this one.
        request.session[briefs.SESSION_KEY] = copy
        flash(request, _("You are signed out. Your brief stays here, and in your account."))
        return redirect(request.app.url_path_for("home"))
    flash(request, _("You are signed out."))
    return redirect(request.app.url_path_for("home"))


@with_form
def change_password(request: Request, form) -> Response:
    user = require_user(request)
    errors = {}
    if form is not None:
        new = str(form.get("new_password", ""))
        if new != str(form.get("new_password_again", "")):
            errors["new_password_again"] = _("The two passwords differ.")
        else:
            try:
                fresh = services.change_own_password(
                    request.app.state.db,
                    user.id,
                    str(form.get("current_password", "")),
                    new,
                    client_address(request),
                )
            except services.AccountError as error:
                key = "current_password" if "current" in str(error) else "new_password"
                errors[key] = str(error)
            else:
                sign_in(request, fresh)  # this session stays valid; others end
                flash(request, _("Your password is changed."))
                return redirect(request.app.url_path_for("password"))
    return render(request, "accounts/password.html", {"errors": errors}, 400 if errors else 200)


def notifications(request: Request) -> Response:
    user = require_user(request)
    items = services.notifications_of(request.app.state.db, user)
    shown = [
        {
            "message": n.message,
            "link": links.resolve(request.app, n.link),
            "read_at": n.read_at,
            "created_at": n.created_at,
        }
        for n in items
    ]
    return render(request, "accounts/notifications.html", {"notifications": shown})


@with_form
def mark_notifications_read(request: Request, form) -> Response:
    user = require_user(request)
    services.mark_notifications_read(request.app.state.db, user)
    return redirect(request.app.url_path_for("notifications"))


def users(request: Request) -> Response:
    actor = require_user(request, "curator", "admin")
    everyone = services.all_users(request.app.state.db, actor)
    context = {
        "users": everyone,
        "pending": [u for u in everyone if not u.active],
        "roles": list(ROLES.terms),
        "is_admin": actor.role == "admin",
    }
    return render(request, "accounts/users.html", context)


@with_form
def user_action(request: Request, form) -> Response:
    actor = require_user(request, "curator", "admin")
    user_id = path_id(request, "user_id")
    try:
        email = services.act_on_user(
            request.app.state.db,
            actor,
            user_id,
            str(form.get("action", "")),
            str(form.get("role", "")),
            client_address(request),
        )
    except services.AccountError as error:
        flash(request, str(error))
    else:
        flash(request, _("Account %(email)s updated.") % {"email": email})
    return redirect(request.app.url_path_for("users"))


routes = [
    Route("/register", register, methods=GET_POST, name="register"),
    Route("/signin", signin, methods=GET_POST, name="signin"),
    Route("/signout", signout, methods=["POST"], name="signout"),
    Route("/account/password", change_password, methods=GET_POST, name="password"),
    Route("/account/notifications", notifications, name="notifications"),
    Route(
        "/account/notifications/read",
        mark_notifications_read,
        methods=["POST"],
        name="notifications_read",
    ),
    Route("/admin/users", users, name="users"),
    Route("/admin/users/{user_id:int}", user_action, methods=["POST"], name="user_action"),
]
