"""Characters XML forbids (and NUL, which PostgreSQL refuses): taken out of what comes in, and
never able to break what goes out (issue 10, items 5 and 7)."""

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select, text

from repository.api import tokens
from repository.models import ApiToken, Organisation, Practice, User
from tests.conftest import add_practices, make_user, post_form, record, sign_in, sync

BAD = ["\x01", "\x0b", "\x1b", "\x0c", "\ufffe", "\x00"]


def test_a_stored_control_character_cannot_break_the_feeds(client, app, db):
    """A summary stored before input was cleaned still holds U+000B: the feeds stay valid."""
    (practice_id,) = add_practices(db, record(title="Vertical tab", summary="Before after."))
    with db.write() as session:
        session.execute(
            text("UPDATE practice SET summary = :s, title = :t WHERE id = :id"),
            {"s": "Before\x0bafter.", "t": "Vertical\x1btab", "id": practice_id},
        )
    app.state.index_sync.rebuild()
    for path in ("/feeds/new.atom", "/search.atom", "/search.atom?q=vertical"):
        response = client.get(path)
        assert response.status_code == 200, path
        feed = ET.fromstring(response.content)
        entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
        assert len(entries) == 1, path
        assert "\x0b" not in response.text and "\x1b" not in response.text


@pytest.mark.parametrize("raw", ["%01", "%0B", "%1B", "%0C", "%EF%BF%BE", "%00"])
@pytest.mark.parametrize("path", ["/search.atom", "/search", "/api/search", "/search.csv"])
def test_a_control_character_in_the_query_is_a_clear_400(client, path, raw):
    response = client.get(f"{path}?q=a{raw}b")
    assert response.status_code == 400, (path, raw)
    assert "control characters" in response.text


def test_imported_text_loses_its_control_characters(db):
    (practice_id,) = add_practices(
        db,
        record(
            title="Tab\x01less",
            summary="Line\x0bbreak and page\x0cbreak.",
            partner_organisations=["Partner\x00 NGO"],
            sources=[{"title": "Report\x00", "url": "https://example.org/r"}],
        ),
    )
    with db.read() as session:
        practice = session.get(Practice, practice_id)
        assert practice.title == "Tabless"
        assert practice.summary == "Line\nbreak and page\nbreak."
        assert [p.organisation.name for p in practice.partners] == ["Partner NGO"]
        assert practice.sources[0].title == "Report"


def test_control_characters_in_api_json_are_refused_by_field(client, db):
    """The JSON API refuses them with a 400 naming each field, as its document says (a lone
    surrogate or a NUL was a 500); nothing is written."""
    user_id = make_user(db, "sys@org.example", organisation="Systems Org")
    with db.read() as session:
        token = tokens.create(db, session.get(User, user_id), "CI")
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    body = (
        b'{"title": "Surrogate \\ud800 title", "summary": "NUL \\u0000 here",'
        b' "partner_organisations": ["A\\u0000B"], "\\udfff": 1,'
        b' "sources": [{"title": "T\\u000b", "url": "https://example.org/x"}]}'
    )
    response = client.post("/api/submissions", content=body, headers=headers)
    assert response.status_code == 400, response.text
    fields = {e["field"]: e["reason"] for e in response.json()["error"]["errors"]}
    assert "U+D800" in fields["title"] and "U+0000" in fields["summary"]
    assert "control characters" in fields["partner_organisations"]
    assert "control characters" in fields["sources[1].title"]
    assert fields[""] == "unknown field"  # the surrogate key, cleaned in the answer
    with db.read() as session:
        assert session.scalar(select(Practice.id)) is None


def test_nul_in_forms_never_reaches_the_database(client, db):
    """On PostgreSQL a NUL in any of these fields was a 500 (the statement is refused)."""
    signin = post_form(
        client, "/signin", "/signin", {"email": "a\x00@b.example", "password": "x" * 12}
    )
    assert signin.status_code == 400
    registered = post_form(
        client,
        "/register",
        "/register",
        {
            "name": "Nul\x00 Name",
            "email": "nul@ngo.example",
            "organisation": "Nul\x00 Org",
            "organisation_type": "ngo",
            "password": "a long enough passphrase",
            "password_again": "a long enough passphrase",
        },
    )
    assert registered.status_code == 303, registered.text[:300]
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == "nul@ngo.example"))
        assert user.name == "Nul Name"
        assert session.scalar(select(Organisation.name)) == "Nul Org"
    make_user(db, "sys@org.example", organisation="Systems Org")
    sign_in(client, "sys@org.example")
    created = post_form(
        client, "/account/tokens", "/account/tokens", {"action": "create", "name": "C\x00I"}
    )
    assert created.status_code in (200, 303)
    with db.read() as session:
        assert session.scalar(select(ApiToken.name)) == "CI"
    draft = post_form(
        client,
        "/submissions/new",
        "/submissions/new",
        {
            "title": "Draft\x00 title",
            "partner_organisations": "One\x00\nTwo",
            "sources-0-title": "Source\x00",
            "sources-0-url": "https://example.org/\x00s",
        },
    )
    assert draft.status_code in (200, 303), draft.text[:300]
    with db.read() as session:
        practice = session.scalar(select(Practice))
        assert practice.title == "Draft title"
        assert [p.organisation.name for p in practice.partners] == ["One", "Two"]
        assert [(s.title, s.url) for s in practice.sources] == [("Source", "https://example.org/s")]


@pytest.mark.parametrize("path", ["/search", "/api/search", "/search.csv", "/api/facets"])
def test_stacked_operators_are_read_as_words_on_every_search_route(client, app, db, path):
    """`NOT NOT a` made the query parser raise: a 500 on each of these routes (item 7)."""
    add_practices(db, record(title="Hotline for seafarers", summary="A hotline at sea."))
    sync(app)
    for q in ("NOT NOT a", "a AND NOT NOT b", "NOT OR NOT", "(NOT NOT)"):
        assert client.get(path, params={"q": q}).status_code == 200, q
    if path.startswith("/api/"):
        assert client.get(path, params={"q": "NOT NOT hotline"}).json()["total"] == 1


def test_search_still_finds_text_that_held_control_characters(client, app, db):
    add_practices(db, record(title="Word\x0bprocessor break", summary="Pasted from Word."))
    sync(app)
    assert client.get("/api/search?q=processor").json()["total"] == 1
