"""What a partner meets (issue 13): drafts deleted and submissions withdrawn, the public page
previewed, a submitted draft's edit link answered, errors that say what to do in the page and
the API, look-alikes only when alike and with the reason, "Global" only when chosen, the
organisation type pre-filled, a distinct label for each source row."""

import re

import pytest

from repository import geography
from repository.api import tokens
from repository.models import Practice, User
from repository.practices import workflow
from tests.conftest import add_practices, make_user, post_form, record, sign_in, sync


@pytest.fixture
def partner(client, db):
    user_id = make_user(db, "nadia@union.example", organisation="Seafarers Union")
    sign_in(client, "nadia@union.example")
    return user_id


def draft_of(db, user_id, **fields) -> int:
    with db.write() as session:
        user = session.get(User, user_id)
        return workflow.create_draft(session, user, {**record(**fields), "scope": "national"}).id


def test_a_draft_is_deleted_after_a_confirmation(client, db, partner):
    draft = draft_of(db, partner, title="Draft to drop")
    page = f"/submissions/{draft}/delete"
    assert "Draft to drop" in client.get(page).text
    response = post_form(client, page, page, {})
    assert response.status_code == 303 and response.headers["location"] == "/submissions"
    assert "“Draft to drop” is deleted." in client.get("/submissions").text
    with db.read() as session:
        assert session.get(Practice, draft) is None


def test_a_submission_is_withdrawn_to_edit_and_its_edit_link_leads_somewhere(client, db, partner):
    draft = draft_of(db, partner, title="Desk to withdraw")
    with db.write() as session:
        practice = session.get(Practice, draft)
        workflow.transition(
            session, session.get(User, partner), practice, "submit", confirmed_no_personal_data=True
        )
    # The edit link of a submitted practice once answered 404: now the detail page, saying why.
    edit = client.get(f"/submissions/{draft}/edit", follow_redirects=False)
    assert edit.status_code == 303 and edit.headers["location"] == f"/submissions/{draft}"
    detail = f"/submissions/{draft}"
    withdrawn = post_form(client, detail, f"{detail}/withdraw", {})
    assert withdrawn.headers["location"] == f"/submissions/{draft}/edit"
    assert "Withdrawn: it is a draft again." in client.get(withdrawn.headers["location"]).text
    with db.read() as session:
        assert session.get(Practice, draft).status == "draft"


def test_the_public_page_is_previewed_before_publication(client, db, partner):
    draft = draft_of(db, partner, title="Previewed desk", description="Runs **daily**.")
    preview = client.get(f"/submissions/{draft}/preview")
    assert preview.status_code == 200
    assert "Previewed desk" in preview.text and "<strong>daily</strong>" in preview.text
    assert "when a curator publishes it" in preview.text
    client.cookies.clear()
    anonymous = client.get(f"/submissions/{draft}/preview", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")


def test_errors_say_what_to_do_in_the_page_and_in_the_api(client, db, partner):
    draft = draft_of(db, partner, title="Half done")
    with db.write() as session:  # a draft saved before these were chosen
        session.get(Practice, draft).practice_type = ""
    page = client.get(f"/submissions/{draft}/submit").text
    told = r'#practice_type">Practice type</a>: Choose the kind of practice it is\.'
    assert re.search(told, page)
    assert "unknown value" not in page and "expected one of" not in page
    with db.read() as session:
        token = tokens.create(db, session.get(User, partner), "script")
    response = client.post(
        "/api/submissions",
        json={**record(title="From a script"), "practice_type": "", "start_year": 1700},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["error"]["errors"]}
    assert errors["practice_type"]["message"] == (
        "Practice type: Choose the kind of practice it is."
    )
    assert errors["start_year"]["message"].startswith("Start year: Give a year from ")


def test_look_alikes_only_when_alike_and_why(client, db, partner):
    alike, unrelated = add_practices(
        db,
        record(title="Port welfare desk for fishers", organisation="Seafarers Union"),
        record(title="Court interpreters for children", organisation="Justice Ministry",
               countries=["BRA"]),
    )  # fmt: skip
    sync(client.app)
    draft = draft_of(
        db, partner, title="Port welfare desk", organisation="Seafarers Union", countries=["PHL"]
    )
    page = client.get(f"/submissions/{draft}/submit").text
    assert f"/practices/{alike}" in page and f"/practices/{unrelated}" not in page
    similarity = re.search(r'<p class="similarity"><strong>(\d+)% alike</strong>: ([^<]+)', page)
    assert similarity and int(similarity.group(1)) >= 30
    assert "same lead organisation" in similarity.group(2)
    assert "title words in common: desk, port, welfare" in similarity.group(2)


def test_the_new_form_preselects_nothing_but_the_organisation_type(client, db, partner):
    page = client.get("/submissions/new").text
    scope = re.findall(r'<input[^>]*name="scope"[^>]*>', page)
    assert scope and not any("checked" in tag for tag in scope)  # "Global" only when chosen
    ngo = re.search(r'<input[^>]*name="actor_types"[^>]*value="ngo"[^>]*>', page)
    assert ngo and "checked" in ngo.group(0)  # the type given at registration
    # Each source row's fields have their own accessible name.
    labels = re.findall(r'<label for="sources-\d+-title">(.*?)</label>', page)
    assert len(labels) >= 2 and len(set(labels)) == len(labels)
    assert "of source 1" in labels[0] and "of source 2" in labels[1]


def test_countries_fold_away_by_region_and_the_chosen_ones_are_listed(client, db, partner):
    """246 check boxes took a keyboard user 246 Tabs to pass: they sit in one folded group per
    region (a summary each), every one still in the form without JavaScript."""
    draft = draft_of(db, partner, title="Desk in two ports", countries=["PHL", "SGP"])
    page = client.get(f"/submissions/{draft}/edit").text
    picker = page[page.index('id="country-options"') : page.index("data-country-announce")]
    groups = re.findall(
        r"<details([^>]*)>\s*<summary>([^<]*)</summary>(.*?)</details>", picker, re.S
    )
    assert [name.strip() for _attrs, name, _boxes in groups] == [
        "Africa",
        "Americas",
        "Asia",
        "Europe",
        "Oceania",
    ]
    assert not any(" open" in attrs for attrs, _name, _boxes in groups)  # folded
    codes = {
        name.strip(): re.findall(r'name="countries"[^>]*value="(\w+)"', boxes)
        for _a, name, boxes in groups
    }
    assert sum(len(c) for c in codes.values()) == len(geography.countries())
    assert {"PHL", "SGP"} <= set(codes["Asia"]) and "GHA" in codes["Africa"]
    ticked = re.findall(
        r'<input[^>]*checked[^>]*name="countries"[^>]*value="(\w+)"|<input[^>]*name="countries"[^>]*value="(\w+)"[^>]*checked',
        picker,
    )
    assert sorted(a or b for a, b in ticked) == ["PHL", "SGP"]
    chosen = page[page.index("data-chosen-list") : page.index("data-chosen-none")]
    assert re.findall(r"<li>([^<]*)</li>", chosen) == ["Philippines", "Singapore"]
