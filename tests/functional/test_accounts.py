"""Accounts: sign-in answers, limits, sessions, passwords, CSRF, redirects."""

import re
import time

import pytest
from sqlalchemy import select

from repository.accounts import limits, throttle
from repository.accounts.throttle import WINDOW
from repository.models import AuditEntry, User
from tests.conftest import PASSWORD, csrf_from, make_user, post_form, sign_in


@pytest.fixture
def partner(db):
    make_user(db, "pat@ngo.example", organisation="Helping Hands")
    return "pat@ngo.example"


def attempt(client, email, password):
    page = client.get("/signin")
    return client.post(
        "/signin",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


def test_unknown_email_and_wrong_password_get_the_same_answer(client, partner):
    unknown = attempt(client, "nobody@nowhere.example", PASSWORD)
    wrong = attempt(client, partner, "not the right password")
    assert unknown.status_code == wrong.status_code == 400
    message = re.compile(r'<div class="error-summary" role="alert"><p>(.*?)</p>')
    assert message.search(unknown.text).group(1) == message.search(wrong.text).group(1)


class Clock:
    """The throttle's clock, moved by hand: a loaded machine once let the 1-second wait pass
    between two requests and the test saw the sign-in go through."""

    def __init__(self):
        self.now = (time.time() // WINDOW) * WINDOW + 60.0  # early in a counting window

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(limits, "time", clock)
    monkeypatch.setattr(throttle, "time", clock)
    return clock


def test_repeated_failures_from_one_address_wait_longer_and_longer(client, partner, clock):
    for _ in range(3):
        assert attempt(client, partner, "wrong password!").status_code == 400
    limited = attempt(client, partner, PASSWORD)  # even the right password waits its turn
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 2
    assert attempt(client, "pat2@ngo.example", PASSWORD).status_code == 400  # others unaffected
    clock.now += 10
    assert attempt(client, partner, "wrong password!").status_code == 400
    assert 2 <= int(attempt(client, partner, PASSWORD).headers["retry-after"]) <= 3
    clock.now += 10
    assert attempt(client, partner, PASSWORD).status_code == 303


def test_a_sign_in_issues_a_new_session_and_the_cookie_is_locked_down(client, partner):
    client.get("/signin")
    before = client.cookies.get("practices_session")
    response = attempt(client, partner, PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    assert client.cookies.get("practices_session") != before
    assert "Sign out" in client.get("/").text


def test_next_only_goes_to_local_paths(client, partner):
    for target, expected in [
        ("/submissions", "/submissions"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
    ]:
        client.cookies.clear()
        page = client.get("/signin", params={"next": target})
        response = client.post(
            "/signin",
            data={
                "email": partner,
                "password": PASSWORD,
                "next": target,
                "csrf_token": csrf_from(page.text),
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected, target


def test_changing_the_password_ends_other_sessions(client, app, partner):
    from starlette.testclient import TestClient

    sign_in(client, partner)
    with TestClient(app, base_url="https://testserver") as other:
        sign_in(other, partner)
        assert "Sign out" in other.get("/").text
        changed = post_form(
            client,
            "/account/password",
            "/account/password",
            {
                "current_password": PASSWORD,
                "new_password": "an even longer passphrase",
                "new_password_again": "an even longer passphrase",
            },
        )
        assert changed.status_code == 303
        assert "Sign out" in client.get("/").text  # this session continues
        assert "Sign out" not in other.get("/").text  # the other one ended
    client.cookies.clear()
    assert attempt(client, partner, "an even longer passphrase").status_code == 303


def test_passwords_are_argon2id_and_short_ones_refused(client, db):
    page = client.get("/register")
    response = client.post(
        "/register",
        data={
            "name": "Short",
            "email": "short@x.example",
            "organisation": "Org",
            "organisation_type": "ngo",
            "password": "short",
            "password_again": "short",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 400 and "at least 12" in response.text
    assert 'value="short@x.example"' in response.text  # what was typed is kept
    make_user(db, "long@x.example")
    with db.read() as session:
        assert session.scalar(select(User.password_hash)).startswith("$argon2id$")


@pytest.mark.parametrize(
    "path",
    ["/signin", "/register", "/signout", "/submissions/new", "/account/password"],
)
def test_posts_without_a_valid_csrf_token_are_refused(client, partner, path):
    sign_in(client, partner) if path != "/signin" and path != "/register" else client.get("/signin")
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post(path, data={"email": partner, "password": PASSWORD, **data})
        assert response.status_code == 403, (path, data)
        assert "expired or did not come from this site" in response.text


def test_sign_in_events_are_audited_without_secrets(client, db, partner):
    attempt(client, partner, "wrong password!")
    attempt(client, partner, PASSWORD)
    with db.read() as session:
        entries = session.scalars(select(AuditEntry)).all()
    assert {e.action for e in entries} >= {"signin", "signin.failed"}
    dump = " ".join(f"{e.target} {e.detail}" for e in entries)
    assert PASSWORD not in dump and "wrong password" not in dump and "argon2" not in dump
