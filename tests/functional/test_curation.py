"""What a curator sees and does (issue 13): the queue after signing in, labels instead of codes,
rendered Markdown with differences marked, revisions labelled and compared as submitted against
published, a verification recorded by publishing, accounts approved, rejected, deactivated and
given a role with their organisation's type and country shown, news of what waits."""

import re

import pytest
from sqlalchemy import select

from repository.models import Practice, User
from repository.practices import workflow
from tests.conftest import PASSWORD, add_practices, csrf_from, make_user, post_form, record, sign_in


@pytest.fixture
def people(db):
    return {
        "partner": make_user(db, "nadia@union.example", organisation="Seafarers Union"),
        "curator": make_user(db, "cora@ungift.example", role="curator"),
        "admin": make_user(db, "adam@ungift.example", role="admin"),
    }


def signed_in_to(client, email) -> str:
    page = client.get("/signin")
    response = client.post(
        "/signin",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return response.headers["location"]


def test_a_curator_lands_on_the_queue_and_a_partner_on_the_home_page(client, people):
    assert signed_in_to(client, "cora@ungift.example") == "/review"
    client.cookies.clear()
    assert signed_in_to(client, "nadia@union.example") == "/"


@pytest.fixture
def update(db, people):
    """A published practice of the partner's organisation and their proposed update of it."""
    (published,) = add_practices(
        db,
        record(
            title="Port welfare desk",
            organisation="Seafarers Union",
            description="Volunteers **meet** crews in port.",
            actor_types=["trade_union"],
            countries=["CIV"],
        ),
    )
    with db.write() as session:
        partner = session.get(User, people["partner"])
        practice = session.get(Practice, published)
        practice.owner_organisation_id = partner.organisation_id
        item = workflow.propose_update(session, partner, practice)
        item.document = {
            **item.document,
            "description": "Trained volunteers **meet** crews in every port.",
            "actor_types": ["trade_union", "private_sector"],
            "countries": ["CIV", "GHA"],
            "sources": [
                {"title": "Annual report", "url": "https://example.org/report"},
                {"title": "Evaluation 2024", "url": "https://example.org/evaluation"},
            ],
        }
        workflow.transition(session, partner, item, "submit", confirmed_no_personal_data=True)
        return {"practice": published, "update": item.id}


def test_the_comparison_shows_labels_rendered_markdown_and_marked_differences(
    client, update, people
):
    sign_in(client, "cora@ungift.example")
    page = client.get(f"/review/updates/{update['update']}").text
    compared = page[page.index('class="compare') :]
    for code in ("private_sector", "CIV", "GHA", "partnership_code", ">en<"):
        assert code not in re.sub(r'(class|id|href|data-label)="[^"]*"', "", compared), code
    assert "Private sector" in compared and "Ghana" in compared and "Côte d" in compared
    assert "<strong>meet</strong>" in compared and "**meet**" not in compared
    assert re.search(r'<ins class="diff-add">.*?Ghana', compared)
    assert re.search(r'<ins class="diff-add">.*?Trained', compared)
    assert "Evaluation 2024" in compared and "{'title'" not in compared


def test_the_sources_are_compared_in_a_table_row_by_row(client, update, people):
    sign_in(client, "cora@ungift.example")
    page = client.get(f"/review/updates/{update['update']}").text
    tables = re.findall(r'<table class="source-diff">(.*?)</table>', page, re.S)
    assert len(tables) == 2  # this submission's sources, the published practice's
    headers = re.findall(r"<th scope=\"col\">(.*?)</th>", tables[0])
    assert headers == ["Title", "Publisher", "Year", "Address", "Change"]
    rows = re.findall(r"<tr class=\"state-(\w+)\">(.*?)</tr>", tables[0], re.S)
    by_title = {
        re.search(r"<td>(.*?)</td>", cells).group(1): (state, cells) for state, cells in rows
    }
    state, cells = by_title["Evaluation 2024"]
    assert (
        state == "added" and ">added</span>" in cells and "https://example.org/evaluation" in cells
    )


def test_publishing_records_a_verification(client, db, update, people):
    sign_in(client, "cora@ungift.example")
    page = f"/review/updates/{update['update']}"
    assert post_form(client, page, f"{page}/decision", {"action": "publish"}).status_code == 303
    public = client.get(f"/practices/{update['practice']}").text
    assert "not yet verified" not in public
    with db.read() as session:
        assert session.get(Practice, update["practice"]).last_verified is not None


def test_revisions_are_labelled_and_compared_submitted_against_published(client, db, people):
    with db.write() as session:
        partner = session.get(User, people["partner"])
        curator = session.get(User, people["curator"])
        draft = workflow.create_draft(
            session, partner, {**record(title="Desk, first"), "scope": "national"}
        )
        workflow.transition(session, partner, draft, "submit", confirmed_no_personal_data=True)
        workflow.transition(session, curator, draft, "publish")
        workflow.transition(session, curator, draft, "archive", note="Paused.")
        practice_id = draft.id
    sign_in(client, "cora@ungift.example")
    page = client.get(f"/practices/{practice_id}/revisions").text
    assert "Cora" in page  # the author of each revision
    assert re.search(r"[Ss]ubmitted", page) and re.search(r"[Pp]ublished", page)


def account_action(client, user_id, action, **extra):
    return post_form(client, "/admin/users", f"/admin/users/{user_id}", {"action": action, **extra})


def test_accounts_are_approved_rejected_deactivated_and_given_roles(client, db, people):
    waiting = make_user(db, "ines@shelter.example", organisation="Harbour Shelter", active=False)
    spam = make_user(db, "spam@spam.example", organisation="Spam Inc", active=False)
    with db.write() as session:
        organisation = session.get(User, waiting).organisation
        organisation.actor_type, organisation.country = "ngo", "PRT"
    sign_in(client, "cora@ungift.example")
    page = client.get("/admin/users").text
    card = page[page.index(f'id="account-{waiting}"') :]
    card = card[: card.index("</li>")]
    assert "Harbour Shelter" in card and "Portugal" in card and "NGO" in card
    assert account_action(client, waiting, "approve").status_code == 303
    assert account_action(client, spam, "reject", reason="Not an organisation.").status_code == 303
    assert account_action(client, people["partner"], "deactivate").status_code == 303
    with db.read() as session:
        assert session.get(User, waiting).active is True
        assert session.get(User, spam) is None
        assert session.get(User, people["partner"]).active is False
    # A curator cannot make curators; an administrator can.
    account_action(client, waiting, "role", role="curator")
    with db.read() as session:
        assert session.get(User, waiting).role == "partner"
    client.cookies.clear()
    sign_in(client, "adam@ungift.example")
    assert account_action(client, waiting, "role", role="curator").status_code == 303
    with db.read() as session:
        assert session.get(User, waiting).role == "curator"


def test_curators_are_told_of_a_new_account_and_a_new_submission(client, db, people):
    page = client.get("/register")
    registered = client.post(
        "/register",
        data={
            "name": "Ines",
            "email": "ines@shelter.example",
            "organisation": "Harbour Shelter",
            "organisation_type": "ngo",
            "organisation_country": "PRT",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert registered.status_code == 303
    with db.write() as session:
        partner = session.get(User, people["partner"])
        draft = workflow.create_draft(
            session, partner, {**record(title="Harbour desk"), "scope": "national"}
        )
        workflow.transition(session, partner, draft, "submit", confirmed_no_personal_data=True)
    client.cookies.clear()
    sign_in(client, "cora@ungift.example")
    notes = client.get("/account/notifications").text
    assert "Nothing yet." not in notes
    assert "Ines (ines@shelter.example) registers Harbour Shelter" in notes
    assert "Seafarers Union submitted the practice “Harbour desk” for review." in notes
    with db.read() as session:
        assert session.scalar(select(User).where(User.email == "ines@shelter.example"))


def test_news_of_a_submission_and_a_decision_reads_in_each_recipients_language(db, people):
    """A curator who works in Russian and a partner who works in French each get the news in
    their own language, whatever language the person who caused it was using."""
    from repository.i18n import use_locale
    from repository.models import EmailOutbox, Notification

    with db.write() as session:
        session.get(User, people["curator"]).language = "ru"
        session.get(User, people["partner"]).language = "fr"
    with db.write() as session, use_locale("en"):
        partner = session.get(User, people["partner"])
        draft = workflow.create_draft(
            session, partner, {**record(title="Harbour desk"), "scope": "national"}
        )
        workflow.transition(session, partner, draft, "submit", confirmed_no_personal_data=True)
        draft_id = draft.id
    with db.write() as session, use_locale("ar"):
        curator = session.get(User, people["curator"])
        item = session.get(Practice, draft_id)
        workflow.transition(session, curator, item, "request_changes", note="Add a source.")

    def news_for(user_id) -> str:
        with db.read() as session:
            notes = session.scalars(
                select(Notification.message).where(Notification.user_id == user_id)
            )
            mails = session.scalars(select(EmailOutbox.body).where(EmailOutbox.user_id == user_id))
            return "\n".join([*notes, *mails])

    for user_id, language in ((people["curator"], "ru"), (people["partner"], "fr")):
        news = news_for(user_id)
        assert "Harbour desk" in news
        assert re.search("[а-яА-Я]" if language == "ru" else "[àâçéèêîôûÀÉ]", news), news
        assert not re.search("[\u0600-\u06ff]", news), news  # not the curator's Arabic
