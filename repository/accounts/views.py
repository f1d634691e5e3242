"""Account pages: register, sign in and out, change password, notifications, user admin."""

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from repository import geography
from repository.accounts import services
from repository.accounts.sessions import (
    client_address,
    require_user,
    safe_next,
    sign_in,
    sign_out,
)
from repository.i18n import _
from repository.models import Notification, User, utcnow
from repository.security import read_form
from repository.vocabularies import ACTOR_TYPES, ROLES
from repository.web import flash, in_thread, redirect, render

SIGN_IN_FAILED = "The e-mail address or password is not right, or the account is not approved yet."


def _organisation_choices() -> dict:
    return {
        "actor_types": list(ACTOR_TYPES.terms),
        "countries": [(c.code, c.name) for c in geography.countries().values()],
    }


async def register(request: Request) -> Response:
    values, errors = {}, {}
    if request.method == "POST":
        form = await read_form(request)
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
                await in_thread(_register, request, values, password)
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
                return redirect("/signin")
    context = {"values": values, "errors": errors, **_organisation_choices()}
    return render(request, "accounts/register.html", context, 400 if errors else 200)


def _register(request: Request, values: dict, password: str) -> None:
    with request.app.state.db.write() as session:
        services.register_partner(
            session,
            address=client_address(request),
            email=values["email"],
            name=values["name"],
            password=password,
            organisation_name=values["organisation"],
            organisation_type=values["organisation_type"],
            organisation_country=values["organisation_country"] or None,
        )


async def signin(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"), "/")
    error, email, headers, status = None, "", None, 200
    if request.method == "POST":
        form = await read_form(request)
        email = str(form.get("email", ""))[:320]
        next_path = safe_next(str(form.get("next", "")), "/")
        try:
            user = await in_thread(_authenticate, request, email, str(form.get("password", "")))
        except services.TooManyAttempts as limited:
            error = _("Too many failed attempts. Try again in a few minutes.")
            headers, status = {"Retry-After": str(limited.retry_after)}, 429
        else:
            if user is None:
                error, status = _(SIGN_IN_FAILED), 400
            else:
                sign_in(request, user)
                return redirect(next_path)
    context = {"error": error, "email": email, "next": next_path}
    response = render(request, "accounts/signin.html", context, status)
    if headers:
        response.headers.update(headers)
    return response


def _authenticate(request: Request, email: str, password: str) -> User | None:
    with request.app.state.db.write() as session:
        return services.authenticate(session, email, password, client_address(request))


async def signout(request: Request) -> Response:
    await read_form(request)
    sign_out(request)
    flash(request, _("You are signed out."))
    return redirect("/")


async def change_password(request: Request) -> Response:
    user = require_user(request)
    errors = {}
    if request.method == "POST":
        form = await read_form(request)
        new = str(form.get("new_password", ""))
        if new != str(form.get("new_password_again", "")):
            errors["new_password_again"] = _("The two passwords differ.")
        else:
            try:
                fresh = await in_thread(
                    _change_password, request, user.id, str(form.get("current_password", "")), new
                )
            except services.AccountError as error:
                key = "current_password" if "current" in str(error) else "new_password"
                errors[key] = str(error)
            else:
                sign_in(request, fresh)  # this session stays valid; others end
                flash(request, _("Your password is changed."))
                return redirect("/account/password")
    return render(request, "accounts/password.html", {"errors": errors}, 400 if errors else 200)


def _change_password(request: Request, user_id: int, current: str, new: str) -> User:
    with request.app.state.db.write() as session:
        user = session.get(User, user_id)
        services.change_password(session, user, current, new, client_address(request))
        return user


def notifications(request: Request) -> Response:
    user = require_user(request)
    with request.app.state.db.read() as session:
        items = session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(100)
        ).all()
    return render(request, "accounts/notifications.html", {"notifications": items})


async def mark_notifications_read(request: Request) -> Response:
    user = require_user(request)
    await read_form(request)

    def mark():
        with request.app.state.db.write() as session:
            for item in session.scalars(
                select(Notification).where(
                    Notification.user_id == user.id, Notification.read_at.is_(None)
                )
            ):
                item.read_at = utcnow()

    await in_thread(mark)
    return redirect("/account/notifications")


def users(request: Request) -> Response:
    actor = require_user(request, "curator", "admin")
    with request.app.state.db.read() as session:
        query = select(User).order_by(User.active, User.created_at.desc())
        everyone = session.scalars(query).unique().all()
    pending = [u for u in everyone if not u.active]
    return render(
        request,
        "accounts/users.html",
        {
            "users": everyone,
            "pending": pending,
            "roles": list(ROLES.terms),
            "is_admin": actor.role == "admin",
        },
    )


async def user_action(request: Request) -> Response:
    actor = require_user(request, "curator", "admin")
    form = await read_form(request)
    action = str(form.get("action", ""))
    user_id = request.path_params["user_id"]

    def act():
        with request.app.state.db.write() as session:
            me = session.get(User, actor.id)
            target = session.get(User, user_id)
            if target is None:
                raise HTTPException(404)
            address = client_address(request)
            if action == "approve":
                services.approve(session, me, target, address)
            elif action == "deactivate":
                services.set_active(session, me, target, False, address)
            elif action == "activate":
                services.set_active(session, me, target, True, address)
            elif action == "role":
                services.set_role(session, me, target, str(form.get("role", "")), address)
            else:
                raise HTTPException(400, _("Unknown action."))
            return target.email

    try:
        email = await in_thread(act)
    except services.AccountError as error:
        flash(request, str(error))
    else:
        flash(request, _("Account %(email)s updated.") % {"email": email})
    return redirect("/admin/users")
