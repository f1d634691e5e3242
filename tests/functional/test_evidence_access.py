"""Evidence files are the submitting organisation's and the curators' until a curator makes one
public at publication (issue 13): every role, through every route that serves or lists a file,
before and after publication, and again once the practice is archived."""

import re

import pytest
from sqlalchemy import select

from repository.api import tokens
from repository.models import Practice, User
from repository.practices import workflow
from repository.submissions.attachments import Upload, add
from tests.conftest import make_user, post_form, record, sign_in, sync

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EMAILS = {
    "owner": "own@org-a.example",
    "colleague": "col@org-a.example",
    "other_partner": "oth@org-b.example",
    "curator": "cur@ungift.example",
}
# Who reads files as a browser session; the API clients send a partner's token instead.
SESSIONS = ("anonymous", "owner", "colleague", "other_partner", "curator")
API_CLIENTS = ("api_owner", "api_other_partner")
FILE_ROUTES = ("/attachments/{id}", "/attachments/{id}/view")


@pytest.fixture
def evidence(client, db, settings):
    """A submitted practice of Org A with two files: a case file and a poster."""
    ids = {
        "owner": make_user(db, EMAILS["owner"], organisation="Org A"),
        "colleague": make_user(db, EMAILS["colleague"], organisation="Org A"),
        "other_partner": make_user(db, EMAILS["other_partner"], organisation="Org B"),
        "curator": make_user(db, EMAILS["curator"], role="curator"),
    }
    with db.write() as session:
        owner = session.get(User, ids["owner"])
        draft = workflow.create_draft(
            session, owner, {**record(title="Shelter referral desk"), "scope": "national"}
        )
        case_file = add(session, settings.upload_dir, draft.id, owner, Upload("case.pdf", PDF))
        poster = add(session, settings.upload_dir, draft.id, owner, Upload("poster.png", PNG))
        workflow.transition(session, owner, draft, "submit", confirmed_no_personal_data=True)
        practice_id, internal_id, public_id = draft.id, case_file.id, poster.id
    with db.read() as session:
        api_owner = tokens.create(db, session.get(User, ids["owner"]), "owner's script")
        api_other = tokens.create(db, session.get(User, ids["other_partner"]), "other script")
    return {
        "practice": practice_id,
        "internal": internal_id,
        "public": public_id,
        "tokens": {"api_owner": api_owner, "api_other_partner": api_other},
    }


def as_role(client, role, evidence) -> dict:
    """Headers for this role's requests, after signing in when it uses a browser session."""
    client.cookies.clear()
    if role in API_CLIENTS:
        return {"Authorization": f"Bearer {evidence['tokens'][role]}"}
    if role != "anonymous":
        sign_in(client, EMAILS[role])
    return {}


def statuses(client, evidence, file_key) -> dict:
    """{(role, route): status} for one file, through both routes that serve it."""
    found = {}
    for role in (*SESSIONS, *API_CLIENTS):
        headers = as_role(client, role, evidence)
        for route in FILE_ROUTES:
            path = route.format(id=evidence[file_key])
            found[role, route] = client.get(path, headers=headers).status_code
    return found


OWNERS_AND_CURATORS = {"owner": 200, "colleague": 200, "curator": 200}


def expected(readers: dict) -> dict:
    return {
        (role, route): readers.get(role, 404)
        for role in (*SESSIONS, *API_CLIENTS)
        for route in FILE_ROUTES
    }


def publish(client, evidence, public: bool) -> None:
    """The curator publishes on the review page, making the poster public or not."""
    client.cookies.clear()
    sign_in(client, EMAILS["curator"])
    page = f"/review/practices/{evidence['practice']}"
    review = client.get(page)
    assert "case.pdf" in review.text and "poster.png" in review.text
    form = {"action": "publish", f"file-{evidence['internal']}": "internal"}
    form[f"file-{evidence['public']}"] = "public" if public else "internal"
    response = post_form(client, page, f"{page}/decision", form)
    assert response.status_code == 303, response.text[:800]
    sync(client.app)


def test_before_publication_only_the_organisation_and_curators_read_either_file(client, evidence):
    for key in ("internal", "public"):
        assert statuses(client, evidence, key) == expected(OWNERS_AND_CURATORS), key


def test_after_publication_an_internal_file_stays_with_the_organisation_and_curators(
    client, evidence
):
    publish(client, evidence, public=True)
    assert statuses(client, evidence, "internal") == expected(OWNERS_AND_CURATORS)
    # The poster the curator made public: everyone, API clients included.
    assert statuses(client, evidence, "public") == expected(
        {role: 200 for role in (*SESSIONS, *API_CLIENTS)}
    )


def test_publishing_without_choosing_keeps_every_file_internal(client, evidence):
    publish(client, evidence, public=False)
    for key in ("internal", "public"):
        assert statuses(client, evidence, key) == expected(OWNERS_AND_CURATORS), key


def test_archiving_takes_a_public_file_back_from_the_public(client, db, evidence):
    publish(client, evidence, public=True)
    with db.write() as session:
        curator = session.scalar(select(User).where(User.email == EMAILS["curator"]))
        practice = session.get(Practice, evidence["practice"])
        workflow.transition(session, curator, practice, "archive", note="Ended in 2020.")
    assert statuses(client, evidence, "public") == expected(OWNERS_AND_CURATORS)


def test_pages_and_api_name_only_public_files_to_others(client, evidence):
    """No route that lists a practice lets an internal file's name or address out."""
    publish(client, evidence, public=True)
    practice = evidence["practice"]
    internal = f"/attachments/{evidence['internal']}"
    for role in ("anonymous", "other_partner", "api_other_partner"):
        headers = as_role(client, role, evidence)
        for path in (
            f"/practices/{practice}",
            f"/api/practices/{practice}",
            "/api/search?q=shelter",
            "/search?q=shelter",
            "/search.json?q=shelter",
            "/search.csv?q=shelter",
            "/feeds/new.atom",
        ):
            body = client.get(path, headers=headers).text
            assert "case.pdf" not in body and internal not in body, (role, path)
    client.cookies.clear()
    public_page = client.get(f"/practices/{practice}").text
    assert f'href="/attachments/{evidence["public"]}"' in public_page
    assert "poster.png" in public_page


def test_the_owners_api_record_does_not_serve_files(client, evidence):
    """A partner's token reads its own submission's record, never a file's bytes."""
    headers = {"Authorization": f"Bearer {evidence['tokens']['api_owner']}"}
    response = client.get(f"/api/submissions/{evidence['practice']}", headers=headers)
    assert response.status_code == 200
    assert "%PDF" not in response.text


def test_the_review_page_lists_and_previews_every_file(client, evidence):
    sign_in(client, EMAILS["curator"])
    page = client.get(f"/review/practices/{evidence['practice']}").text
    internal, public = evidence["internal"], evidence["public"]
    # The PDF in a sandboxed frame, the image as a preview, both as downloads.
    assert re.search(rf'<iframe src="/attachments/{internal}/view"[^>]*sandbox=""', page)
    assert f'<img class="evidence-preview" src="/attachments/{public}/view"' in page
    assert f'href="/attachments/{internal}"' in page and f'href="/attachments/{public}"' in page
    assert "Keep internal" in page and "Make public" in page
    framed = client.get(f"/attachments/{internal}/view")
    assert framed.headers["content-disposition"].startswith("inline")
    assert "sandbox" in framed.headers["content-security-policy"]
    assert framed.headers["cache-control"] == "private, no-store"


def test_the_partner_is_told_at_upload_that_files_stay_private(client, evidence):
    sign_in(client, EMAILS["owner"])
    with client.app.state.db.write() as session:
        owner = session.get(User, make_owner_id(session))
        draft = workflow.create_draft(session, owner, record(title="Another draft"))
        draft_id = draft.id
    page = client.get(f"/submissions/{draft_id}/edit").text
    assert "Files stay private by default." in page
    assert "Only your organisation and the UN.GIFT curators can open them." in page


def make_owner_id(session) -> int:
    return session.scalar(select(User.id).where(User.email == EMAILS["owner"]))


def test_the_partner_learns_which_files_were_made_public(client, evidence):
    publish(client, evidence, public=True)
    client.cookies.clear()
    sign_in(client, EMAILS["owner"])
    notifications = client.get("/account/notifications").text
    assert "poster.png" in notifications
    detail = client.get(f"/submissions/{evidence['practice']}").text
    assert re.search(r"case\.pdf</a> – internal: your organisation and the curators only", detail)
    assert re.search(r"poster\.png</a> – public: shown on the practice's page", detail)
