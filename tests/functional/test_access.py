"""Every route with every role: anonymous, partner A, partner B, curator, admin.

A new route fails this test until it is added to the table, so access is decided for every
page and every object, not only for the pages someone remembered.
"""

import pytest
from sqlalchemy import select
from starlette.routing import Route

from repository.brief import services as briefs
from repository.models import Practice, User
from repository.practices import workflow
from repository.submissions.attachments import Upload, add
from tests.conftest import add_practices, csrf_from, make_user, record, sign_in, sync

ROLES = ("anonymous", "partner_a", "partner_b", "curator", "admin")
PDF = b"%PDF-1.4\n%test\n"
OPEN = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"anonymous": 303, "partner_a": 200, "partner_b": 200, "curator": 200, "admin": 200}
CURATORS = {"anonymous": 303, "partner_a": 403, "partner_b": 403, "curator": 200, "admin": 200}
OWNER_EDIT = {"anonymous": 303, "partner_a": 200, "partner_b": 404, "curator": 403, "admin": 403}
OWNER_VIEW = {"anonymous": 303, "partner_a": 200, "partner_b": 404, "curator": 200, "admin": 200}
# POSTs: only refusals are checked here (what each allowed role does is tested by the flows).
POST_OWNER = {"anonymous": 303, "partner_b": 404, "curator": 403, "admin": 403}
POST_PARTNER = {"anonymous": 303, "curator": 403, "admin": 403}
POST_CURATOR = {"anonymous": 303, "partner_a": 403, "partner_b": 403}

TABLE = {
    ("GET", "/"): OPEN,
    ("GET", "/healthz"): OPEN,
    ("GET", "/readyz"): OPEN,
    ("GET", "/practices"): OPEN,
    ("GET", "/practices/{published}"): OPEN,
    ("GET", "/search"): OPEN,
    ("GET", "/api/search"): OPEN,
    ("GET", "/api/practices/{published}"): OPEN,
    ("GET", "/register"): OPEN,
    ("POST", "/register"): {},
    ("GET", "/signin"): OPEN,
    ("POST", "/signin"): {},
    ("POST", "/signout"): {},
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): {"anonymous": 303},
    ("GET", "/account/notifications"): SIGNED_IN,
    ("POST", "/account/notifications/read"): {"anonymous": 303},
    ("GET", "/admin/users"): CURATORS,
    ("POST", "/admin/users/{partner_b_user}"): POST_CURATOR,
    ("GET", "/submissions"): {**SIGNED_IN, "curator": 303, "admin": 303},
    ("GET", "/submissions/new"): {**SIGNED_IN, "curator": 403, "admin": 403},
    ("POST", "/submissions/new"): POST_PARTNER,
    ("GET", "/submissions/{draft}"): OWNER_VIEW,
    ("GET", "/submissions/{draft}/edit"): OWNER_EDIT,
    ("POST", "/submissions/{draft}/edit"): POST_OWNER,
    ("GET", "/submissions/{draft}/submit"): OWNER_EDIT,
    ("POST", "/submissions/{draft}/submit"): POST_OWNER,
    ("POST", "/submissions/{draft}/attachments"): POST_OWNER,
    ("GET", "/submissions/updates/{update}"): OWNER_VIEW,
    ("GET", "/submissions/updates/{update}/edit"): OWNER_EDIT,
    ("POST", "/submissions/updates/{update}/edit"): POST_OWNER,
    ("GET", "/submissions/updates/{update}/submit"): OWNER_EDIT,
    ("POST", "/submissions/updates/{update}/submit"): POST_OWNER,
    ("POST", "/submissions/new/autosave"): POST_PARTNER,
    ("POST", "/submissions/{draft}/autosave"): POST_OWNER,
    ("POST", "/submissions/updates/{update}/autosave"): POST_OWNER,
    ("GET", "/submissions/{draft}/preview"): OWNER_VIEW,
    ("GET", "/submissions/updates/{update}/preview"): OWNER_VIEW,
    ("GET", "/submissions/{draft}/delete"): OWNER_EDIT,
    ("POST", "/submissions/{draft}/delete"): POST_OWNER,
    ("GET", "/submissions/updates/{update}/delete"): OWNER_EDIT,
    ("POST", "/submissions/updates/{update}/delete"): POST_OWNER,
    ("POST", "/submissions/{draft}/withdraw"): POST_OWNER,
    ("POST", "/submissions/updates/{update}/withdraw"): POST_OWNER,
    ("GET", "/submissions/{draft}/update-of/{published}"): OWNER_EDIT,
    ("POST", "/submissions/{draft}/update-of/{published}"): POST_OWNER,
    ("POST", "/submissions/updates/{update}/undo"): POST_OWNER,
    # Evidence is internal until a curator makes it public: the owners and curators only.
    ("GET", "/attachments/{attachment}"): {**OWNER_VIEW, "anonymous": 404},
    ("GET", "/attachments/{attachment}/view"): {**OWNER_VIEW, "anonymous": 404},
    ("POST", "/attachments/{attachment}/delete"): POST_OWNER,
    ("POST", "/practices/{published}/propose-update"): POST_PARTNER,
    ("GET", "/review"): CURATORS,
    ("GET", "/review/practices/{draft}"): CURATORS,
    ("POST", "/review/practices/{draft}/decision"): POST_CURATOR,
    ("GET", "/review/updates/{update}"): CURATORS,
    ("POST", "/review/updates/{update}/decision"): POST_CURATOR,
    ("GET", "/practices/{published}/revisions"): CURATORS,
    ("GET", "/practices/{published}/revisions/{revision}/purge"): CURATORS,
    ("POST", "/practices/{published}/revisions/{revision}/purge"): POST_CURATOR,
    ("GET", "/account/email"): SIGNED_IN,
    ("POST", "/account/email"): {"anonymous": 303},
    # The signed link is the authority: anyone holding it may stop those e-mails.
    ("GET", "/email/unsubscribe/{unsubscribe}"): OPEN,
    ("POST", "/email/unsubscribe/{unsubscribe}"): {},
    ("GET", "/brief"): OPEN,
    # Only partner A has a brief (theirs comes back when they sign in): no empty downloads.
    ("GET", "/brief.txt"): dict.fromkeys(ROLES, 404) | {"partner_a": 200},
    ("GET", "/brief.pdf"): dict.fromkeys(ROLES, 404) | {"partner_a": 200},
    ("GET", "/brief.docx"): dict.fromkeys(ROLES, 404) | {"partner_a": 200},
    ("POST", "/brief/add"): {},
    ("POST", "/brief/change"): {},
    ("GET", "/brief/empty"): OPEN,
    ("POST", "/brief/empty"): {},
    # Anyone may choose the language; without a language it is a 400 for everyone.
    ("POST", "/language"): dict.fromkeys(ROLES, 400),
    ("POST", "/briefs"): {"anonymous": 303},
    ("GET", "/briefs/{brief}/delete"): OWNER_VIEW | {"curator": 404, "admin": 404},
    ("POST", "/briefs/{brief}/delete"): {"anonymous": 303, "partner_b": 404, "curator": 404},
    ("GET", "/briefs/shared/{shared}"): OPEN,
    ("GET", "/briefs/shared/{shared}/brief.{fmt}"): OPEN,
    ("GET", "/favicon.ico"): OPEN,
    ("GET", "/search.atom"): OPEN,
    ("GET", "/feeds/new.atom"): OPEN,
    ("GET", "/search.csv"): OPEN,
    ("GET", "/search.json"): OPEN,
    ("GET", "/countries"): OPEN,
    ("GET", "/countries/BRA"): OPEN,
    ("GET", "/coverage"): OPEN,
    ("GET", "/api/brief"): OPEN,
    ("GET", "/api/practices"): OPEN,
    ("GET", "/api/facets"): OPEN,
    ("GET", "/api/vocabularies"): OPEN,
    ("GET", "/api/countries"): OPEN,
    ("GET", "/api/openapi.json"): OPEN,
    ("GET", "/api/docs"): OPEN,
    # The API takes tokens only: a signed-in browser session is not enough (no CSRF there).
    ("POST", "/api/submissions"): dict.fromkeys(ROLES, 401),
    ("GET", "/api/submissions/{draft}"): dict.fromkeys(ROLES, 401),
    ("GET", "/account/tokens"): {**SIGNED_IN, "curator": 403, "admin": 403},
    ("POST", "/account/tokens"): POST_PARTNER,
    # Signed-in roles would end the session this test goes on with: tested on its own.
    ("POST", "/account/signout-everywhere"): {"anonymous": 303},
    ("GET", "/account/organisation"): {**SIGNED_IN, "curator": 403, "admin": 403},
    # Nobody asks to join Org A or Org B here: a member cannot decide about anyone else.
    ("POST", "/account/organisation/requests/{partner_b_user}"): {
        "anonymous": 303,
        "partner_a": 404,
        "partner_b": 404,
        "curator": 403,
        "admin": 403,
    },
}
PLACEHOLDERS = {
    "/practices/{practice_id:int}/revisions/{number:int}/purge": (
        "/practices/{published}/revisions/{revision}/purge"
    ),
    "/submissions/{item_id:int}/update-of/{practice_id:int}": (
        "/submissions/{draft}/update-of/{published}"
    ),
    "/email/unsubscribe/{token:str}": "/email/unsubscribe/{unsubscribe}",
    "/practices/{practice_id:int}": "/practices/{published}",
    "/api/practices/{practice_id:int}": "/api/practices/{published}",
    "/admin/users/{user_id:int}": "/admin/users/{partner_b_user}",
    "/submissions/{item_id:int}": "/submissions/{draft}",
    "/submissions/updates/{item_id:int}": "/submissions/updates/{update}",
    "/attachments/{attachment_id:int}": "/attachments/{attachment}",
    "/review/practices/{item_id:int}": "/review/practices/{draft}",
    "/review/updates/{item_id:int}": "/review/updates/{update}",
    "/countries/{code:str}": "/countries/BRA",
    "/briefs/{brief_id:int}": "/briefs/{brief}",
    "/briefs/shared/{token:str}/brief.{fmt:str}": "/briefs/shared/{shared}/brief.{fmt}",
    "/briefs/shared/{token:str}": "/briefs/shared/{shared}",
    "/api/submissions/{practice_id:int}": "/api/submissions/{draft}",
    "/account/organisation/requests/{user_id:int}": (
        "/account/organisation/requests/{partner_b_user}"
    ),
}


def table_key(path: str) -> str:
    for pattern, replacement in PLACEHOLDERS.items():
        if path.startswith(pattern):
            return replacement + path[len(pattern) :]
    return path


def test_every_route_is_in_the_table(app):
    routes = {
        (method, table_key(route.path))
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods - {"HEAD"}
    }
    assert routes - set(TABLE) == set(), "add these routes to the access table"
    assert set(TABLE) - routes == set(), "these table rows name routes that do not exist"


@pytest.fixture
def world(client, db, settings):
    a_user = make_user(db, "a@org-a.example", organisation="Org A")
    b_user = make_user(db, "b@org-b.example", organisation="Org B")
    make_user(db, "cur@ungift.example", role="curator")
    make_user(db, "adm@ungift.example", role="admin")
    (published,) = add_practices(db, record(title="Published one"))
    with db.write() as session:
        partner_a = session.scalar(select(User).where(User.email == "a@org-a.example"))
        draft = workflow.create_draft(session, partner_a, record(title="A's draft"))
        update = workflow.propose_update(session, partner_a, session.get(Practice, published))
        attachment = add(session, settings.upload_dir, draft.id, partner_a, Upload("e.pdf", PDF))
        ids = {
            "published": published,
            "draft": draft.id,
            "update": update.id,
            "attachment": attachment.id,
            "partner_b_user": b_user,
            "fmt": "txt",
        }
    # Partner A's brief, shared by a link.
    owner = briefs.Holder(None, a_user)
    briefs.add(db, owner, published)
    ids["shared"] = briefs.share(db, owner, True)
    ids["brief"] = briefs.briefs_of(db, owner)[0]["id"]
    ids["revision"] = 1
    # A valid unsubscribe link: partner A's saved search.
    from repository.mail import compose
    from repository.mail.services import save_search

    with db.read() as session:
        owner_a = session.get(User, a_user)
    saved = save_search(db, owner_a, "q=shelter", "weekly")
    ids["unsubscribe"] = compose.unsubscribe_token(
        settings.secret_key, a_user, f"search:{saved.id}"
    )
    sync(client.app)
    return ids


EMAILS = {
    "partner_a": "a@org-a.example",
    "partner_b": "b@org-b.example",
    "curator": "cur@ungift.example",
    "admin": "adm@ungift.example",
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says(client, world, role):
    if role != "anonymous":
        sign_in(client, EMAILS[role])
    token = csrf_from(client.get("/signin").text)
    failures = []
    for (method, template), expected in TABLE.items():
        if role not in expected:
            continue
        path = template.format(**world)
        if method == "GET":
            response = client.get(path, follow_redirects=False)
        else:
            response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
        if response.status_code != expected[role]:
            failures.append(f"{method} {path}: {response.status_code}, expected {expected[role]}")
        if expected[role] == 303 and role == "anonymous":
            assert response.headers["location"].startswith("/signin?next="), path
    assert failures == []


def test_a_guessed_id_of_anything_unpublished_is_404_to_the_public(client, world):
    for path in (
        f"/practices/{world['draft']}",
        f"/api/practices/{world['draft']}",
        f"/attachments/{world['attachment']}",
    ):
        assert client.get(path).status_code == 404
