"""Accounts against an attacker (issue 10): nobody locks an account out, signing out ends the
session on the server, a curator cannot undo an administrator, registering neither joins an
organisation by its name nor tells who has an account."""

import contextlib
import re

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from repository.accounts import limits, sessions, throttle
from repository.accounts.services import sign_in_check
from repository.models import ApiToken, AuditEntry, EmailOutbox, RateCounter, User
from tests.conftest import PASSWORD, make_user, post_form, sign_in

NEW_PASSWORD = "an entirely new passphrase"


def attempt(client, email, password):
    return post_form(client, "/signin", "/signin", {"email": email, "password": password})


# -- item 9: throttled by account and address together, never locked out -------------------


def test_the_wait_grows_per_pair_and_an_attack_takes_away_the_free_tries():
    assert [throttle.required_wait(n, n, False) for n in range(6)] == [0, 0, 0, 1, 2, 4]
    assert throttle.required_wait(40, 40, True) == throttle.MAX_WAIT
    # Under attack, an unknown address gets one free try; the owner's known address three.
    assert throttle.required_wait(1, 50, False) == 1
    assert throttle.required_wait(1, 50, True) == 0
    assert throttle.required_wait(0, 50, False) == 0  # the first try from anywhere is free


def test_failures_from_many_addresses_never_lock_the_owner_out(client, db, monkeypatch):
    # The throttle's clock stands still, early in a counting window: run across a quarter-hour
    # boundary, the failures before it were counted in the window just over (CI once saw 1).
    from tests.functional.test_accounts import Clock

    clock = Clock()
    monkeypatch.setattr(limits, "time", clock)
    monkeypatch.setattr(throttle, "time", clock)
    make_user(db, "curator@un.example", role="curator")
    # Five wrong passwords a quarter hour used to keep the account shut for everyone.
    for n in range(30):
        address = f"198.51.100.{n % 15}"
        with contextlib.suppress(throttle.TooManyAttempts):
            assert sign_in_check(db, "curator@un.example", f"guess number {n}", address) is None
    with db.read() as session:
        failures = limits.count(session, "signin:account:curator@un.example", throttle.WINDOW)
    assert failures >= 15
    response = attempt(client, "curator@un.example", PASSWORD)  # from an address of its own
    assert response.status_code == 303


def test_an_address_is_refused_after_many_failures_on_any_accounts(db, monkeypatch):
    # The throttle's clock stands still: on a loaded machine the failures took longer than
    # the wait they earned, and the last attempt went through.
    from tests.functional.test_accounts import Clock

    clock = Clock()
    monkeypatch.setattr(limits, "time", clock)
    monkeypatch.setattr(throttle, "time", clock)
    for n in range(throttle.MAX_FAILURES_PER_ADDRESS):
        sign_in_check(db, f"nobody{n}@x.example", "wrong password!", "203.0.113.9")
    with pytest.raises(throttle.TooManyAttempts):
        sign_in_check(db, "someone-else@x.example", "wrong password!", "203.0.113.9")
    assert sign_in_check(db, "someone-else@x.example", "wrong password!", "203.0.113.10") is None


def test_counters_are_pruned_once_their_window_is_over(db):
    for n in range(50):  # e.g. one spoofed address each
        sign_in_check(db, "x@y.example", "wrong password!", f"192.0.2.{n}")
    with db.write() as session:
        session.execute(RateCounter.__table__.update().values(expires_at=1))
    with db.write() as session:
        assert limits.prune(session) > 50
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(RateCounter)) == 0


# -- item 4: signing out ends the session on the server -------------------------------------


def test_a_saved_cookie_stops_working_after_signing_out(app, client, db):
    make_user(db, "pat@ngo.example", organisation="Helping Hands")
    sign_in(client, "pat@ngo.example")
    saved = client.cookies.get("practices_session")
    assert "Sign out" in client.get("/submissions").text
    post_form(client, "/", "/signout", {})
    with TestClient(app, base_url="https://testserver") as thief:
        thief.cookies.set("practices_session", saved, domain="testserver.local")
        replayed = thief.get("/submissions", follow_redirects=False)
        assert replayed.status_code == 303 and replayed.headers["location"].startswith("/signin")


def test_sign_out_everywhere_ends_every_session(app, client, db):
    make_user(db, "pat@ngo.example", organisation="Helping Hands")
    with TestClient(app, base_url="https://testserver") as laptop:
        sign_in(laptop, "pat@ngo.example")
        sign_in(client, "pat@ngo.example")
        ended = post_form(client, "/account/password", "/account/signout-everywhere", {})
        assert ended.status_code == 303
        assert laptop.get("/submissions", follow_redirects=False).status_code == 303
        assert client.get("/submissions", follow_redirects=False).status_code == 303
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(sessions.SignedInSession)) == 0


def test_expired_sessions_are_pruned(client, db):
    from datetime import timedelta

    from repository.models import utcnow

    make_user(db, "pat@ngo.example", organisation="Helping Hands")
    sign_in(client, "pat@ngo.example")
    with db.write() as session:
        session.execute(
            sessions.SignedInSession.__table__.update().values(
                expires_at=utcnow() - timedelta(seconds=1)
            )
        )
    assert client.get("/submissions", follow_redirects=False).status_code == 303
    with db.write() as session:
        assert sessions.prune(session) == 1


# -- item 13: API tokens --------------------------------------------------------------------


def test_a_new_token_never_sits_in_the_cookie_and_a_password_change_revokes_tokens(client, db):
    make_user(db, "sys@org.example", organisation="Systems Org")
    sign_in(client, "sys@org.example")
    created = post_form(client, "/account/tokens", "/account/tokens", {"action": "create"})
    token = re.search(r'<code class="token">(ph_[^<]+)</code>', created.text).group(1)
    import base64

    cookie = client.cookies.get("practices_session").split(".")[0]
    decoded = base64.b64decode(cookie + "=" * (-len(cookie) % 4)).decode()
    assert token not in decoded and "new_token" not in decoded
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/submissions/999", headers=headers).status_code == 404
    changed = post_form(
        client,
        "/account/password",
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303
    assert "API tokens are revoked" in client.get("/account/password").text
    assert client.get("/api/submissions/999", headers=headers).status_code == 401
    with db.read() as session:
        assert session.scalar(select(ApiToken.revoked_at)) is not None


# -- item 3: a curator cannot undo an administrator -----------------------------------------


def test_a_curator_cannot_reactivate_an_account_an_administrator_deactivated(app, client, db):
    target = make_user(db, "pat@ngo.example", organisation="Helping Hands")
    make_user(db, "admin@un.example", role="admin")
    make_user(db, "curator@un.example", role="curator")
    sign_in(client, "admin@un.example")
    post_form(client, "/admin/users", f"/admin/users/{target}", {"action": "deactivate"})
    with TestClient(app, base_url="https://testserver") as curator:
        sign_in(curator, "curator@un.example")
        page = curator.get("/admin/users").text
        assert "deactivated" in page and "Approve Pat" not in page
        tried = post_form(curator, "/admin/users", f"/admin/users/{target}", {"action": "approve"})
        assert tried.status_code == 303
        assert "only an administrator" in curator.get("/admin/users").text
    with db.read() as session:
        assert session.get(User, target).active is False
    post_form(client, "/admin/users", f"/admin/users/{target}", {"action": "activate"})
    with db.read() as session:
        assert session.get(User, target).active is True


# -- item 2: an organisation is not joined by typing its name ------------------------------


def register(client, email, organisation, choice="new", **extra):
    return post_form(
        client,
        "/register",
        "/register",
        {
            "name": email.split("@")[0].title(),
            "email": email,
            "organisation": organisation,
            "organisation_choice": choice,
            "organisation_type": "ngo",
            "password": PASSWORD,
            "password_again": PASSWORD,
            **extra,
        },
    )


@pytest.fixture
def helping_hands(db):
    make_user(db, "pat@ngo.example", organisation="Helping Hands")
    make_user(db, "sam@ngo.example", organisation="Helping Hands")
    make_user(db, "curator@un.example", role="curator")


def test_registering_with_an_existing_name_neither_joins_nor_creates_a_twin(
    client, db, helping_hands
):
    refused = register(client, "eve@evil.example", "helping hands ")
    assert refused.status_code == 400 and "already registered" in refused.text
    with db.read() as session:
        assert session.scalar(select(User).where(User.email == "eve@evil.example")) is None
    assert register(client, "new@other.example", "Other Org").status_code == 303
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == "new@other.example"))
        assert user.organisation.name == "Other Org" and user.requested_organisation is None


def test_a_request_to_join_waits_for_a_curator_shown_the_members(app, client, db, helping_hands):
    assert register(client, "eve@evil.example", "Helping Hands", choice="join").status_code == 303
    with db.read() as session:
        eve = session.scalar(select(User).where(User.email == "eve@evil.example"))
        assert eve.organisation is None and eve.requested_organisation.name == "Helping Hands"
    sign_in(client, "curator@un.example")
    page = client.get("/admin/users").text
    assert "Asks to join Helping Hands" in page and "2 members" in page
    assert "pat@ngo.example" in page and "sam@ngo.example" in page
    plain = post_form(client, "/admin/users", f"/admin/users/{eve.id}", {"action": "approve"})
    assert plain.status_code == 303
    assert "approve it into that organisation explicitly" in client.get("/admin/users").text
    with db.read() as session:
        assert session.get(User, eve.id).active is False
    post_form(client, "/admin/users", f"/admin/users/{eve.id}", {"action": "approve_join"})
    with db.read() as session:
        joined = session.get(User, eve.id)
        assert joined.active and joined.organisation.name == "Helping Hands"


def test_a_member_lets_a_colleague_in_or_refuses(app, client, db, helping_hands):
    register(client, "kim@ngo.example", "Helping Hands", choice="join")
    register(client, "eve@evil.example", "Helping Hands", choice="join")
    with db.read() as session:
        kim, eve = (
            session.scalar(select(User.id).where(User.email == email))
            for email in ("kim@ngo.example", "eve@evil.example")
        )
    sign_in(client, "pat@ngo.example")
    assert "asks to join Helping Hands" in client.get("/account/notifications").text
    page = client.get("/account/organisation").text
    assert "kim@ngo.example" in page and "eve@evil.example" in page
    post_form(
        client,
        "/account/organisation",
        f"/account/organisation/requests/{kim}",
        {"decision": "accept"},
    )
    post_form(
        client,
        "/account/organisation",
        f"/account/organisation/requests/{eve}",
        {"decision": "refuse"},
    )
    with db.read() as session:
        assert session.get(User, kim).organisation.name == "Helping Hands"
        assert session.get(User, kim).active is False  # a curator still approves the account
        assert session.get(User, eve).organisation is None
        assert session.get(User, eve).requested_organisation is None
    # An outsider cannot decide for Helping Hands.
    make_user(db, "out@other.example", organisation="Other Org")
    register(client, "lee@ngo.example", "Helping Hands", choice="join")
    with db.read() as session:
        lee = session.scalar(select(User.id).where(User.email == "lee@ngo.example"))
    client.cookies.clear()
    sign_in(client, "out@other.example")
    outsider = post_form(
        client,
        "/account/organisation",
        f"/account/organisation/requests/{lee}",
        {"decision": "accept"},
    )
    assert outsider.status_code == 404


def test_a_curator_can_refuse_a_waiting_registration(client, db, helping_hands):
    register(client, "spam@spam.example", "Spam Inc")
    with db.read() as session:
        spam = session.scalar(select(User.id).where(User.email == "spam@spam.example"))
    sign_in(client, "curator@un.example")
    post_form(client, "/admin/users", f"/admin/users/{spam}", {"action": "refuse"})
    with db.read() as session:
        assert session.get(User, spam) is None


# -- item 10: registration does not tell who has an account --------------------------------


def test_registering_an_existing_address_looks_the_same_and_e_mails_its_owner(client, db):
    make_user(db, "pat@ngo.example", organisation="Helping Hands")
    taken = register(client, "PAT@ngo.example", "Some Org")
    free = register(client, "new@ngo.example", "Another Org")
    assert taken.status_code == free.status_code == 303
    assert taken.headers["location"] == free.headers["location"]
    flashes = [client.get("/signin").text for _ in range(1)]
    assert "already exists" not in flashes[0]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 2
        mail = session.scalars(
            select(EmailOutbox).where(EmailOutbox.to_address == "pat@ngo.example")
        ).all()
        assert len(mail) == 1 and "tried to register" in mail[0].subject
    # Field errors are the same for both, too.
    for email in ("pat@ngo.example", "other@ngo.example"):
        wrong = register(client, email, "Nonexistent Org", choice="join")
        assert wrong.status_code == 400 and "No organisation of this name" in wrong.text


# -- item 11: registrations are limited per address -----------------------------------------


def test_registrations_are_limited_per_address(client, db):
    from repository.accounts.registration import MAX_REGISTRATIONS_PER_ADDRESS

    for n in range(MAX_REGISTRATIONS_PER_ADDRESS):
        assert register(client, f"r{n}@ngo.example", f"Org {n}").status_code == 303
    limited = register(client, "one-more@ngo.example", "Org X")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "Too many registrations" in limited.text
    with db.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(User)) == MAX_REGISTRATIONS_PER_ADDRESS
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "account.registered")
            )
            == MAX_REGISTRATIONS_PER_ADDRESS
        )


def test_the_background_writer_prunes_expired_counters_and_sessions(settings, db):
    import time
    from dataclasses import replace

    from repository.app import create_app

    for n in range(5):
        sign_in_check(db, "x@y.example", "wrong password!", f"192.0.2.{n}")
    with db.write() as session:
        session.execute(RateCounter.__table__.update().values(expires_at=1))
    app = create_app(replace(settings, index_poll_seconds=0.05), database=db)
    with TestClient(app, base_url="https://testserver"):
        deadline = time.monotonic() + 10
        while True:
            with db.read() as session:
                if not session.scalar(select(func.count()).select_from(RateCounter)):
                    break
            assert time.monotonic() < deadline, "expired counters were not pruned"
            time.sleep(0.05)
