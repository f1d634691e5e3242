"""References stored with notifications ("submission:12", "update:5") and their page paths.

Services record what a notification is about; only here, with the app's route table, does a
reference become a path, so a renamed route cannot leave stale links in the database.
"""

from starlette.routing import NoMatchFound

ROUTES = {
    "submission": ("submission", "item_id"),
    "update": ("update", "item_id"),
    "review": ("review_practice", "item_id"),
    "review_update": ("review_update", "item_id"),
    "practice": ("practice_detail", "practice_id"),
}
# References to a page without an id ("organisation:members").
PAGES = {
    "home": "home",
    "organisation": "organisation",
    "users": "users",
    "review_queue": "review_queue",
    "signin": "signin",
    "email": "email_settings",
}


class Elsewhere(Exception):
    """What the user asked for is on another page now (a submitted draft's edit page: its
    detail page); the app redirects there and says why."""

    def __init__(self, reference: str, message: str = ""):
        super().__init__(reference)
        self.reference = reference
        self.message = message


def resolve(app, reference: str) -> str:
    """The page path of a reference; paths stored before references existed pass through."""
    if reference.startswith("/"):
        return reference
    kind, _sep, raw = reference.partition(":")
    if kind in PAGES:
        return str(app.url_path_for(PAGES[kind]))
    if kind not in ROUTES or not raw.isdigit():
        return ""
    name, param = ROUTES[kind]
    try:
        return str(app.url_path_for(name, **{param: int(raw)}))
    except NoMatchFound:
        return ""
