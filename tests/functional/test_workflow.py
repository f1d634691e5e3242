"""The whole submission and curation flow through the app, as partners and curators use it."""

import re

from sqlalchemy import func, select

from repository.models import AuditEntry, EmailOutbox, Notification, Practice, ReviewEvent
from tests.conftest import PASSWORD, csrf_from, make_user, post_form, sign_in, sync

FORM = {
    "title": "Hotline for seafarers in distress",
    "summary": "A round-the-clock hotline where fishers report forced labour at sea.",
    "description": "Run by a **seafarers' union** with the coast guard.",
    "results": "Hundreds of calls a year.",
    "lessons_learned": "Ship owners came on board once the union did.",
    "organisation": "Seafarers Union",
    "partner_organisations": "Coast Guard\nMinistry of Labour",
    "actor_types": ["trade_union", "government"],
    "scope": "national",
    "countries": ["THA"],
    "pillars": ["protection"],
    "exploitation_forms": ["forced_labour"],
    "target_groups": ["migrant_workers", "men"],
    "practice_type": "victim_services",
    "evidence": "self_assessed",
    "start_year": "2010",
    "end_year": "",
    "language": "en",
    "sources-0-title": "Union report",
    "sources-0-url": "https://example.org/union-report",
}


def api_titles(client, q):
    return [r["title"] for r in client.get("/api/search", params={"q": q}).json()["results"]]


def test_register_approve_submit_review_publish_update_archive(client, db):
    app = client.app
    # A partner registers; the account waits for approval.
    page = client.get("/register")
    response = client.post(
        "/register",
        data={
            "name": "Nadia Partner",
            "email": "nadia@union.example",
            "organisation": "Seafarers Union",
            "organisation_type": "trade_union",
            "organisation_country": "THA",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get("/signin")
    refused = client.post(
        "/signin",
        data={
            "email": "nadia@union.example",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    # The right password for an account that waits: told so, not "wrong password" (issue 13).
    assert refused.status_code == 403 and "is waiting for a curator" in refused.text

    # A curator approves it.
    make_user(db, "cora@ungift.example", role="curator")
    sign_in(client, "cora@ungift.example")
    users_page = client.get("/admin/users")
    partner_id = int(re.search(r'action="/admin/users/(\d+)"', users_page.text).group(1))
    approved = post_form(
        client, "/admin/users", f"/admin/users/{partner_id}", {"action": "approve"}
    )
    assert approved.status_code == 303
    client.cookies.clear()

    # The partner drafts, saves with an error, fixes it, and submits.
    sign_in(client, "nadia@union.example")
    bad = post_form(
        client,
        "/submissions/new",
        "/submissions/new",
        {**FORM, "summary": "word " * 70, "intent": "save"},
    )
    assert bad.status_code == 400
    assert "at most 60 words" in bad.text
    assert "Hotline for seafarers in distress" in bad.text  # what was typed is kept
    saved = post_form(client, "/submissions/new", "/submissions/new", {**FORM, "intent": "save"})
    assert saved.status_code == 303
    practice_id = int(re.search(r"/submissions/(\d+)/edit", saved.headers["location"]).group(1))
    submit_page = client.get(f"/submissions/{practice_id}/submit")
    assert submit_page.status_code == 200
    unconfirmed = post_form(
        client,
        f"/submissions/{practice_id}/submit",
        f"/submissions/{practice_id}/submit",
        {"action": "submit"},
    )
    assert unconfirmed.status_code == 400 and "personal data" in unconfirmed.text
    submitted = post_form(
        client,
        f"/submissions/{practice_id}/submit",
        f"/submissions/{practice_id}/submit",
        {"action": "submit", "confirm": "yes"},
    )
    assert submitted.status_code == 303
    assert client.get(f"/practices/{practice_id}").status_code == 404  # not public yet
    client.cookies.clear()

    # The curator asks for changes; the partner reads the note, edits and resubmits.
    sign_in(client, "cora@ungift.example")
    queue = client.get("/review").text
    assert "Hotline for seafarers in distress" in queue
    review_url = f"/review/practices/{practice_id}"
    post_form(
        client,
        review_url,
        f"{review_url}/decision",
        {"action": "request_changes", "note": "Please add the number of calls."},
    )
    client.cookies.clear()
    sign_in(client, "nadia@union.example")
    assert "Please add the number of calls." in client.get(f"/submissions/{practice_id}").text
    assert "is now waiting for your changes" in client.get("/account/notifications").text
    edited = post_form(
        client,
        f"/submissions/{practice_id}/edit",
        f"/submissions/{practice_id}/edit",
        {**FORM, "results": "About 400 calls a year.", "intent": "submit"},
    )
    assert edited.headers["location"].endswith("/submit")
    post_form(
        client,
        f"/submissions/{practice_id}/submit",
        f"/submissions/{practice_id}/submit",
        {"action": "submit", "confirm": "yes"},
    )
    client.cookies.clear()

    # The curator publishes; the practice is public and searchable.
    sign_in(client, "cora@ungift.example")
    post_form(
        client,
        review_url,
        f"{review_url}/decision",
        {"action": "publish", "note": "Thank you.", "rubric_relevance": "5"},
    )
    sync(app)
    assert client.get(f"/practices/{practice_id}").status_code == 200
    assert "Hotline for seafarers in distress" in api_titles(client, "seafarers hotline")
    client.cookies.clear()

    # The partner proposes an update; the published version stays until it is published.
    sign_in(client, "nadia@union.example")
    proposed = post_form(
        client, f"/practices/{practice_id}", f"/practices/{practice_id}/propose-update", {}
    )
    update_url = proposed.headers["location"].removesuffix("/edit")
    post_form(
        client,
        f"{update_url}/edit",
        f"{update_url}/edit",
        {**FORM, "title": "Seafarers' hotline, now with text messages", "intent": "save"},
    )
    post_form(
        client,
        f"{update_url}/submit",
        f"{update_url}/submit",
        {"action": "submit", "confirm": "yes"},
    )
    sync(app)
    assert "Hotline for seafarers in distress" in client.get(f"/practices/{practice_id}").text
    update_id = update_url.rsplit("/", 1)[1]
    client.cookies.clear()

    sign_in(client, "cora@ungift.example")
    review_update = f"/review/updates/{update_id}"
    post_form(client, review_update, f"{review_update}/decision", {"action": "publish"})
    sync(app)
    assert "now with text messages" in client.get(f"/practices/{practice_id}").text
    assert (
        "Seafarers&#39; hotline, now with text messages"
        in client.get(f"/practices/{practice_id}/revisions").text
        or "now with text messages" in client.get(f"/practices/{practice_id}/revisions").text
    )
    assert api_titles(client, "text messages") == ["Seafarers' hotline, now with text messages"]

    # Archiving takes it out of public view and out of search.
    post_form(client, review_url, f"{review_url}/decision", {"action": "archive", "note": "Ended."})
    sync(app)
    client.cookies.clear()
    assert client.get(f"/practices/{practice_id}").status_code == 404
    assert api_titles(client, "seafarers") == []

    with db.read() as session:
        events = session.scalars(
            select(ReviewEvent.to_status)
            .where(ReviewEvent.practice_id == practice_id)
            .order_by(ReviewEvent.id)
        ).all()
        assert events == [
            "submitted",
            "changes_requested",
            "submitted",
            "published",
            "submitted",
            "published",
            "archived",
        ]
        actions = set(session.scalars(select(AuditEntry.action)))
        assert {
            "account.registered",
            "account.approved",
            "signin",
            "signin.inactive",
            "workflow.submit",
            "workflow.publish",
            "workflow.archive",
        } <= actions
        assert session.scalar(select(func.count()).select_from(Notification)) >= 3
        assert session.scalar(select(func.count()).select_from(EmailOutbox)) >= 3
        assert session.get(Practice, practice_id).status == "archived"
