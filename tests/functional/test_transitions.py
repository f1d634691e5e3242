"""The workflow state machine refuses every illegal transition, whoever asks."""

import pytest
from sqlalchemy import func, select

from repository.models import Practice, PracticeUpdate, ReviewEvent, User
from repository.practices import workflow
from repository.practices.validation import validate_record
from tests.conftest import add_practices, make_user, record

STATUSES = ("draft", "submitted", "changes_requested", "published", "rejected", "archived")


@pytest.fixture
def people(db):
    make_user(db, "a@a.example", organisation="Org A")
    make_user(db, "b@b.example", organisation="Org B")
    make_user(db, "c@un.example", role="curator")
    with db.read() as session:
        return {u.email[0]: u.id for u in session.scalars(select(User)).unique()}


def practice_in(db, status: str, owner_id: int) -> int:
    (practice_id,) = add_practices(db, record(status=status))
    with db.write() as session:
        owner = session.get(User, owner_id)
        session.get(Practice, practice_id).owner_organisation_id = owner.organisation_id
    return practice_id


def attempt(db, user_id, practice_id, action, **kwargs):
    with db.write() as session:
        workflow.transition(
            session,
            session.get(User, user_id),
            session.get(Practice, practice_id),
            action,
            **kwargs,
        )


# The state table, written out (not derived from workflow.TRANSITIONS): action -> who acts,
# and for each status the status it leads to, or None where the action is refused.
TABLE = {
    "submit": (
        "partner",
        {
            "draft": "submitted",
            "changes_requested": "submitted",
            "submitted": None,
            "published": None,
            "rejected": None,
            "archived": None,
        },
    ),
    "request_changes": (
        "curator",
        {
            "draft": None,
            "submitted": "changes_requested",
            "changes_requested": None,
            "published": None,
            "rejected": None,
            "archived": None,
        },
    ),
    "publish": (
        "curator",
        {
            "draft": None,
            "submitted": "published",
            "changes_requested": None,
            "published": None,
            "rejected": None,
            "archived": None,
        },
    ),
    "reject": (
        "curator",
        {
            "draft": None,
            "submitted": "rejected",
            "changes_requested": None,
            "published": None,
            "rejected": None,
            "archived": None,
        },
    ),
    "archive": (
        "curator",
        {
            "draft": None,
            "submitted": None,
            "changes_requested": None,
            "published": "archived",
            "rejected": None,
            "archived": None,
        },
    ),
}


TABLE["withdraw"] = (
    "partner",
    {
        "draft": None,
        "submitted": "draft",
        "changes_requested": None,
        "published": None,
        "rejected": None,
        "archived": None,
    },
)


def test_the_table_names_every_action_of_the_workflow():
    assert set(TABLE) == set(workflow.TRANSITIONS)


@pytest.mark.parametrize("action", list(TABLE))
@pytest.mark.parametrize("status", STATUSES)
def test_only_the_defined_transitions_are_allowed(db, people, action, status):
    who, outcomes = TABLE[action]
    actor = people["c"] if who == "curator" else people["a"]
    practice_id = practice_in(db, status, people["a"])
    kwargs = {"note": "a reason", "confirmed_no_personal_data": True}
    target = outcomes[status]
    if target is not None:
        attempt(db, actor, practice_id, action, **kwargs)
        with db.read() as session:
            assert session.get(Practice, practice_id).status == target
    else:
        with pytest.raises(workflow.WorkflowError, match="Cannot"):
            attempt(db, actor, practice_id, action, **kwargs)
        with db.read() as session:
            assert session.get(Practice, practice_id).status == status
            assert session.scalar(select(func.count()).select_from(ReviewEvent)) == 0


@pytest.mark.parametrize("action", list(workflow.TRANSITIONS))
def test_the_wrong_role_is_refused(db, people, action):
    rule = workflow.TRANSITIONS[action]
    practice_id = practice_in(db, sorted(rule.sources)[0], people["a"])
    wrong = [people["a"], people["b"]] if rule.curators else [people["b"], people["c"]]
    for user_id in wrong:
        with pytest.raises(workflow.WorkflowError, match="Only"):
            attempt(db, user_id, practice_id, action, note="x", confirmed_no_personal_data=True)


def test_rejecting_or_asking_for_changes_needs_a_reason(db, people):
    practice_id = practice_in(db, "submitted", people["a"])
    for action in ("reject", "request_changes"):
        with pytest.raises(workflow.WorkflowError, match="reason"):
            attempt(db, people["c"], practice_id, action, note="  ")


def test_an_incomplete_draft_cannot_be_submitted(db, people):
    with db.write() as session:
        partner = session.get(User, people["a"])
        draft = workflow.create_draft(session, partner, {"title": "Just a title"})
        draft_id = draft.id
    with pytest.raises(workflow.Incomplete) as problem:
        attempt(db, people["a"], draft_id, "submit", confirmed_no_personal_data=True)
    assert {"summary", "pillars", "start_year"} <= {field for field, _ in problem.value.errors}


def test_fields_a_user_may_not_set_are_ignored(db, people):
    with db.write() as session:
        partner = session.get(User, people["a"])
        draft = workflow.create_draft(
            session,
            partner,
            {
                **record(title="Sneaky"),
                "status": "published",
                "id": 999,
                "last_verified": "2020-01-01",
            },
        )
        draft_id = draft.id
    with db.read() as session:
        practice = session.get(Practice, draft_id)
        assert (practice.status, practice.last_verified, practice.published_at) == (
            "draft",
            None,
            None,
        )
        assert practice.id != 999
    assert validate_record(record())[1] == []


def test_an_update_is_reviewed_while_the_published_version_stays(db, people):
    practice_id = practice_in(db, "published", people["a"])
    with db.write() as session:
        partner = session.get(User, people["a"])
        update = workflow.propose_update(session, partner, session.get(Practice, practice_id))
        workflow.save_update(session, partner, update, {**update.document, "title": "New title"})
        workflow.transition(session, partner, update, "submit", confirmed_no_personal_data=True)
        update_id = update.id
    with db.read() as session:
        assert session.get(Practice, practice_id).title == record()["title"]
    with db.write() as session:
        curator = session.get(User, people["c"])
        workflow.transition(session, curator, session.get(PracticeUpdate, update_id), "publish")
    with db.read() as session:
        assert session.get(Practice, practice_id).title == "New title"
        assert session.get(Practice, practice_id).status == "published"
