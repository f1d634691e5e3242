"""The privacy check in the flow (issue 13): a finding blocks submitting until the partner edits
the text or explains it, finding by finding; the curator reads the findings and explanations;
a revision that held flagged text can be purged, the audit keeping that it happened, not the
text."""

import re

import pytest
from sqlalchemy import select

from repository.models import AuditEntry, Practice, PracticeRevision, User
from repository.practices import workflow
from repository.practices.documents import to_record
from repository.submissions.privacy import scan
from tests.conftest import make_user, post_form, record, sign_in

FLAGGED = "Mary K. from the survivors' network chaired the first meetings."


@pytest.fixture
def draft(client, db):
    partner = make_user(db, "nadia@union.example", organisation="Seafarers Union")
    make_user(db, "cora@ungift.example", role="curator")
    with db.write() as session:
        practice = workflow.create_draft(
            session,
            session.get(User, partner),
            {**record(title="Port welfare desk", results=FLAGGED), "scope": "national"},
        )
        return practice.id


def key_of(page: str) -> str:
    (key,) = re.findall(r'name="explain-([0-9a-f]{20})"', page)
    return key


def test_a_finding_must_be_explained_and_the_curator_reads_why(client, db, draft):
    sign_in(client, "nadia@union.example")
    check = f"/submissions/{draft}/submit"
    page = client.get(check).text
    assert "<strong>Name with an initial</strong> in Results: “<mark>Mary K.</mark>”" in page
    key = key_of(page)

    # Confirming is not enough: the finding needs an explanation (or an edit).
    refused = post_form(client, check, check, {"action": "submit", "confirm": "yes"})
    assert refused.status_code == 400
    assert "Explain this finding, or edit the text." in refused.text
    assert f'id="explain-{key}" name="explain-{key}" rows="2"' in refused.text
    short = post_form(
        client, check, check, {"action": "submit", "confirm": "yes", f"explain-{key}": "fine"}
    )
    assert short.status_code == 400

    why = "Mary K. is how the network's chair signs in public; she asked to be named."
    submitted = post_form(
        client, check, check, {"action": "submit", "confirm": "yes", f"explain-{key}": why}
    )
    assert submitted.status_code == 303, submitted.text[:800]

    client.cookies.clear()
    sign_in(client, "cora@ungift.example")
    review = client.get(f"/review/practices/{draft}").text
    assert "The privacy check's findings" in review
    assert "Mary K." in review
    assert "The partner explains:" in review
    assert why.replace("'", "&#39;") in review


def test_editing_the_text_away_needs_no_explanation(client, db, draft):
    sign_in(client, "nadia@union.example")
    with db.write() as session:
        session.get(Practice, draft).results = "The network's chair led the first meetings."
    check = f"/submissions/{draft}/submit"
    assert "explain-" not in client.get(check).text
    submitted = post_form(client, check, check, {"action": "submit", "confirm": "yes"})
    assert submitted.status_code == 303


def revisions(db, practice_id) -> list[PracticeRevision]:
    with db.read() as session:
        return list(
            session.scalars(
                select(PracticeRevision)
                .where(PracticeRevision.practice_id == practice_id)
                .order_by(PracticeRevision.number)
            )
        )


def test_a_curator_purges_a_revision_that_held_flagged_text(client, db, draft):
    with db.write() as session:
        partner = session.scalar(select(User).where(User.email == "nadia@union.example"))
        curator = session.scalar(select(User).where(User.email == "cora@ungift.example"))
        practice = session.get(Practice, draft)
        why = {
            w.key: "The chair of the network, named with her consent."
            for w in scan(to_record(practice))
        }
        workflow.transition(
            session,
            partner,
            practice,
            "submit",
            confirmed_no_personal_data=True,
            privacy_explanations=why,
        )
        workflow.transition(
            session, curator, practice, "request_changes", note="Please leave out the name."
        )
    # The partner takes the name out and submits again: a newer revision without it.
    sign_in(client, "nadia@union.example")
    edit = f"/submissions/{draft}/edit"
    form_page = client.get(edit).text
    assert "Please leave out the name." in form_page  # the curator's note beside the form
    with db.write() as session:
        practice = session.get(Practice, draft)
        practice.results = "The network's chair led the first meetings."
        partner = session.get(User, partner.id)
        workflow.transition(session, partner, practice, "submit", confirmed_no_personal_data=True)
    held = [r.number for r in revisions(db, draft) if FLAGGED in str(r.document)]
    assert held, "a revision holds the flagged text"

    client.cookies.clear()
    sign_in(client, "cora@ungift.example")
    listing = client.get(f"/practices/{draft}/revisions").text
    assert f"/practices/{draft}/revisions/{held[0]}/purge" in listing
    for number in held:
        purge = f"/practices/{draft}/revisions/{number}/purge"
        asks = client.get(purge).text
        assert "Mary K." in asks and "Purge revision" in asks
        assert post_form(client, purge, purge, {}).status_code == 303
    assert not any(FLAGGED in str(r.document) for r in revisions(db, draft))
    assert all(r.purged_at is not None for r in revisions(db, draft) if r.number in held)
    with db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "revision.purged")
        ).all()
        assert len(entries) == len(held)
        assert all("Mary" not in str(vars(entry)) for entry in entries)
    assert "Mary K." not in client.get(f"/practices/{draft}/revisions").text
    # The current text cannot be purged: it must be edited first.
    latest = revisions(db, draft)[-1].number
    purge = f"/practices/{draft}/revisions/{latest}/purge"
    refused = post_form(client, purge, purge, {})
    assert refused.status_code == 303
    assert "the practice&#39;s current text" in client.get(refused.headers["location"]).text
    assert revisions(db, draft)[-1].purged_at is None
