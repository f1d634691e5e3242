"""The Jinja2 environment: autoescaping, gettext, and the few helpers templates may call."""

from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.templating import Jinja2Templates

from repository import facets, i18n
from repository.i18n import N_
from repository.markup import render_markdown
from repository.practices import messages
from repository.practices.reading import shown
from repository.practices.workflow import RUBRIC
from repository.vocabularies import ROLES, STATUSES

# What a curator's decisions are called on the page.
ACTION_LABELS = {
    "request_changes": N_("Ask for changes"),
    "publish": N_("Publish"),
    "reject": N_("Reject"),
    "archive": N_("Archive"),
}

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def label(key: str, value: str) -> str:
    """A facet value's label by the facet's document key ("pillars", "countries", ...)."""
    return facets.label(key, value)


@pass_context
def path(context, name: str, **params) -> str:
    """The path of a named route: templates link by route name, never by a written path."""
    return route_path(context["request"].app, name, **params)


def route_path(app, name: str, **params) -> str:
    """`app.url_path_for`, remembered: Starlette tries every route on each call, and a page
    of results asks for the same few paths hundreds of times. Routes never change once the
    app is built, so the answers stay right."""
    known = app.state.route_paths
    key = (name, *sorted(params.items()))
    found = known.get(key)
    if found is None:
        if len(known) > 50_000:
            known.clear()  # paths of many different ids: start again rather than grow
        found = known[key] = str(app.url_path_for(name, **params))
    return found


def kwargs_for(field, error: str = "", extra: str = "") -> dict:
    """HTML attributes tying a form control to its hint and error, for screen readers."""
    ids = []
    if field.description:
        ids.append(f"{field.id}-hint")
    if error:
        ids.append(f"{field.id}-error")
    attributes = {}
    if ids:
        attributes["aria-describedby"] = " ".join(ids)
    if error:
        attributes["aria-invalid"] = "true"
    if extra:
        attributes["data-role"] = extra
    return attributes


def query_url(path: str, **params) -> str:
    """A URL with the given query parameters; None values are left out."""
    pairs = [(k, v) for k, v in params.items() if v is not None and v != ""]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def make_templates(debug: bool = False) -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        auto_reload=debug,
    )
    # Callables, not one catalogue: each reads the language of the request being rendered.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.globals.update(
        label=label,
        path=path,
        query_url=query_url,
        kwargs_for=kwargs_for,
        label_status=lambda value: i18n.gettext(STATUSES.label_of(value)),
        shown=lambda document: shown(document, i18n.current_locale()),
        country_name=lambda code: facets.label("countries", code) if code else "",
        country_names=lambda codes: [facets.label("countries", code) for code in codes],
        format_number=i18n.format_number,
        field_label=messages.label,
        label_role=lambda value: i18n.gettext(ROLES.label_of(value)),
        role_label=lambda role: i18n.gettext(ROLES.label_of(role)),
        action_label=lambda action: i18n.gettext(ACTION_LABELS.get(action, action)),
        rubric_label=lambda name: i18n.gettext(dict(RUBRIC).get(name, name)),
    )
    env.filters["translate"] = i18n.translate
    env.filters["number"] = i18n.format_number
    env.filters["date"] = i18n.format_day
    env.filters["datetime"] = i18n.format_moment
    env.filters["markdown"] = render_markdown
    return Jinja2Templates(env=env, context_processors=[_request_context])


def _request_context(request) -> dict:
    """What every page needs: who is signed in, the CSRF token, messages from the last action."""
    from repository.accounts.sessions import current_user
    from repository.security import csrf_token
    from repository.web import pop_flashes

    language = page_language(request)
    if "session" not in request.scope:
        return {
            "current_user": None,
            "csrf_token": "",
            "flashes": [],
            "brief_ids": [],
            "page_language": language,
        }
    return {
        "page_language": language,
        "current_user": current_user(request),
        "csrf_token": csrf_token(request),
        "flashes": pop_flashes(request),
        "brief_ids": _brief_ids(request),
    }


def page_language(request) -> dict:
    """The page's language and direction, and the same page in each of the six languages (the
    switcher and the hreflang alternates)."""
    from repository.languages.negotiation import with_language, without_language

    current = i18n.current_locale()
    pairs = request.query_params.multi_items()
    base = str(request.base_url).rstrip("/")
    return {
        "code": current,
        "dir": i18n.direction(current),
        "here": without_language(request.url.path, pairs),
        # The address without ?lang: the language then follows the reader (hreflang x-default).
        "default_url": base + without_language(request.url.path, pairs),
        "alternates": [
            {
                "code": code,
                "name": i18n.NATIVE_NAMES[code],
                "dir": i18n.direction(code),
                "url": base + with_language(request.url.path, pairs, code),
                "current": code == current,
            }
            for code in i18n.LOCALES
        ],
    }


def _brief_ids(request) -> list[int]:
    """The practices in the visitor's brief: the count in the navigation, the state of each
    card's button. A page that cannot read them (the database is busy) shows none."""
    from sqlalchemy.exc import SQLAlchemyError

    from repository.brief.services import ids_for
    from repository.brief.views import holder

    try:
        return ids_for(request.app.state.db, holder(request))
    except SQLAlchemyError:
        return []
