"""E-mail through a real SMTP server (aiosmtpd, on a port the system picks): what partners and
curators receive, in plain text and HTML, with unsubscribe links for optional messages; retries
with backoff when the server refuses for now, giving up when it refuses for good; saved-search
digests; and nothing ever sent about an unpublished practice to someone who may not see it."""

import email
import re
import ssl
import threading
from dataclasses import replace
from datetime import timedelta
from email import policy

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from repository.app import create_app
from repository.mail import digests, sender
from repository.mail.services import save_search
from repository.models import EmailOutbox, Practice, SavedSearch, User, utcnow
from repository.practices import workflow
from repository.settings import Settings
from tests.conftest import add_practices, make_user, post_form, record, sign_in, sync

BASE_URL = "https://practices.example"


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts; it can refuse addresses."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP answer
        self.logins: list[tuple[str, str]] = []
        self.encrypted: list[bool] = []  # whether each message came over TLS
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            # After STARTTLS aiosmtpd keeps the TLS details in the session; on a connection
            # that is TLS from the start, the transport has them.
            over_tls = server.transport.get_extra_info("ssl_object") is not None
            self.encrypted.append(session.ssl is not None or over_tls)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        # handled=False: aiosmtpd then answers a refusal with 535, as mail servers do (by
        # default it answers nothing, and the client waited 30 s for its timeout).
        return AuthResult(success=login == ("hub", "mail-secret"), handled=False)


class AnyPortController(Controller):
    """Listens on port 0 (the system picks a free port) and learns which port it got."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = AnyPortController(
        box,
        hostname="127.0.0.1",
        port=0,
        authenticator=box.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


def sending(settings, box: Mailbox, tls: str, **more) -> Settings:
    """Settings that send mail to the test server, with `tls` ("none", "starttls", "ssl")."""
    return replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=box.port,
        smtp_tls=tls,
        mail_from="Practice Hub <hub@practices.example>",
        base_url=BASE_URL,
        mail_poll_seconds=0,  # the tests send when they choose, as `practices mail send` does
        **more,
    )


@pytest.fixture
def mail_settings(settings, mailbox) -> Settings:
    return sending(settings, mailbox, "none")


@pytest.fixture
def mail_client(mail_settings, db):
    from starlette.testclient import TestClient

    app = create_app(mail_settings, database=db)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield client


def send(client, now=None):
    return client.app.state.mail_sender.run_once(now=now)


def texts(message) -> tuple[str, str]:
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return plain, html


@pytest.fixture
def people(db):
    return {
        "partner": make_user(db, "nadia@union.example", organisation="Seafarers Union"),
        "colleague": make_user(db, "omar@union.example", organisation="Seafarers Union"),
        "outsider": make_user(db, "zoe@other.example", organisation="Other NGO"),
        "curator": make_user(db, "cora@ungift.example", role="curator"),
    }


def submitted_practice(db, people, title="Port welfare desk") -> int:
    with db.write() as session:
        partner = session.get(User, people["partner"])
        draft = workflow.create_draft(
            session, partner, {**record(title=title), "scope": "national"}
        )
        workflow.transition(session, partner, draft, "submit", confirmed_no_personal_data=True)
        return draft.id


def test_a_submission_reaches_the_curator_and_a_decision_reaches_the_partners(
    mail_client, mailbox, db, people
):
    practice_id = submitted_practice(db, people)
    assert send(mail_client).sent
    (to_curator,) = mailbox.to("cora@ungift.example")
    assert to_curator["Subject"] == "Practice Hub: to review: “Port welfare desk”"
    assert to_curator["From"] == "Practice Hub <hub@practices.example>"
    plain, html = texts(to_curator)
    assert "Seafarers Union submitted the practice “Port welfare desk” for review." in plain
    assert f"{BASE_URL}/review/practices/{practice_id}" in plain
    assert f'href="{BASE_URL}/review/practices/{practice_id}"' in html
    # Curators may turn these off: the link and the one-click header are there.
    assert re.search(rf"Stop them: {BASE_URL}/email/unsubscribe/\S+", plain)
    assert to_curator["List-Unsubscribe"].startswith(f"<{BASE_URL}/email/unsubscribe/")
    assert to_curator["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    sign_in(mail_client, "cora@ungift.example")
    page = f"/review/practices/{practice_id}"
    response = post_form(
        mail_client,
        page,
        f"{page}/decision",
        {"action": "request_changes", "note": "Please add the number of calls."},
    )
    assert response.status_code == 303
    done = send(mail_client)
    assert len(done.sent) == 2  # one message per member of the organisation, none to others
    for address in ("nadia@union.example", "omar@union.example"):
        (message,) = mailbox.to(address)
        plain, html = texts(message)
        assert "“Port welfare desk” is now waiting for your changes." in plain
        assert "Please add the number of calls." in plain and "Please add the number" in html
        assert f"{BASE_URL}/submissions/{practice_id}" in plain
        assert "List-Unsubscribe" not in message  # a decision is not an optional message
    assert mailbox.to("zoe@other.example") == []
    # Sent once: the next round has nothing to send.
    assert send(mail_client).sent == []
    assert len(mailbox.messages) == 3


def register(client, name: str, email: str, organisation: str, country: str, path="/register"):
    """Register a partner account through the form, as a visitor does."""
    return post_form(
        client,
        path,
        path,
        {
            "name": name,
            "email": email,
            "organisation": organisation,
            "organisation_type": "ngo",
            "organisation_country": country,
            "password": "a long enough password 1",
            "password_again": "a long enough password 1",
        },
    )


def test_a_registration_tells_the_curators(mail_client, mailbox, db, people):
    response = register(mail_client, "Ines", "ines@shelter.example", "Harbour Shelter", "PRT")
    assert response.status_code == 303, response.text[:1000]
    send(mail_client)
    (message,) = mailbox.to("cora@ungift.example")
    assert "Ines" in message["Subject"] and "Harbour Shelter" in message["Subject"]
    plain, _html = texts(message)
    assert f"{BASE_URL}/admin/users" in plain


def test_each_e_mail_comes_in_its_recipients_language(mail_client, mailbox, db, people):
    """Whoever acts and in whatever language, each person is written to in their own: the
    applicant in the language they registered in, each curator in theirs."""
    from repository.accounts import services

    with db.write() as session:
        session.get(User, people["curator"]).language = "ru"
    response = register(
        mail_client, "Inès", "ines@refuge.example", "Refuge du Port", "FRA", "/register?lang=fr"
    )
    assert response.status_code == 303, response.text[:1000]
    send(mail_client)
    (waiting,) = mailbox.to("cora@ungift.example")
    assert waiting["Subject"] == (
        "Practice Hub: новая учетная запись ожидает утверждения: Inès, Refuge du Port"
    )
    plain, html = texts(waiting)
    assert "учетная запись ожидает утверждения" in plain and '<html lang="ru" dir="ltr">' in html
    # A curator reading in English approves it (outside any request: the service alone).
    with db.write() as session:
        ines = session.scalar(select(User).where(User.email == "ines@refuge.example"))
        services.approve(session, session.get(User, people["curator"]), ines)
    send(mail_client)
    (approved,) = mailbox.to("ines@refuge.example")
    # French puts a no-break space before a colon.
    assert approved["Subject"] == "Practice Hub\u00a0: votre compte est approuvé"
    assert approved["Content-Language"] == "fr"
    plain, html = texts(approved)
    assert plain.startswith("Votre compte est approuvé")
    assert f"Pour l'ouvrir\u00a0: {BASE_URL}/signin" in plain  # the frame too
    assert "le répertoire UN.GIFT des bonnes pratiques" in plain
    assert '<html lang="fr" dir="ltr">' in html and "Votre compte est approuvé" in html


def test_one_click_unsubscribe_stops_the_curators_alerts(mail_client, mailbox, db, people):
    submitted_practice(db, people, "First")
    send(mail_client)
    (message,) = mailbox.to("cora@ungift.example")
    link = message["List-Unsubscribe"].strip("<>")
    path = link.removeprefix(BASE_URL)
    asked = mail_client.get(path)
    assert asked.status_code == 200
    assert "e-mails about new registrations and submissions to review" in asked.text
    # A mail program's button posts this, with no CSRF token and no session (RFC 8058).
    stopped = mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200
    with db.read() as session:
        assert session.get(User, people["curator"]).curation_emails is False
    submitted_practice(db, people, "Second")
    send(mail_client)
    assert len(mailbox.to("cora@ungift.example")) == 1  # no second alert by e-mail
    sign_in(mail_client, "cora@ungift.example")
    assert "Second" in mail_client.get("/account/notifications").text  # still in the app


def test_a_forged_unsubscribe_link_changes_nothing(mail_client, db, people):
    response = mail_client.post(
        "/email/unsubscribe/WzQsImN1cmF0aW9uIl0.forged", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 404
    with db.read() as session:
        assert session.get(User, people["curator"]).curation_emails is True


def test_a_refusal_for_now_is_retried_later_and_longer_each_time(mail_client, mailbox, db, people):
    mailbox.refuse["cora@ungift.example"] = "450 4.2.1 Mailbox busy, try later"
    submitted_practice(db, people)
    now = utcnow()
    first = send(mail_client, now)
    assert first.retried and not first.sent
    with db.read() as session:
        (row,) = session.scalars(select(EmailOutbox)).all()
        assert row.attempts == 1 and row.sent_at is None and row.failed_at is None
        assert "450" in row.last_error
        assert row.next_attempt_at == now + timedelta(seconds=sender.BACKOFF[0])
    # Not due yet: nothing is tried.
    assert send(mail_client, now + timedelta(seconds=30)).retried == []
    later = now + timedelta(seconds=sender.BACKOFF[0])
    assert send(mail_client, later).retried
    with db.read() as session:
        row = session.scalars(select(EmailOutbox)).one()
        assert row.attempts == 2
        assert row.next_attempt_at == later + timedelta(seconds=sender.BACKOFF[1])
    mailbox.refuse.clear()
    assert send(mail_client, later + timedelta(seconds=sender.BACKOFF[1])).sent
    assert len(mailbox.to("cora@ungift.example")) == 1


def test_a_refusal_for_good_gives_the_message_up_with_the_reason(mail_client, mailbox, db, people):
    mailbox.refuse["cora@ungift.example"] = "550 5.1.1 No such user"
    submitted_practice(db, people)
    done = send(mail_client)
    assert done.failed and not done.retried
    with db.read() as session:
        row = session.scalars(select(EmailOutbox)).one()
        assert row.failed_at is not None and "550" in row.last_error


def test_the_last_attempt_gives_up(mail_client, mailbox, db, people):
    mailbox.refuse["cora@ungift.example"] = "451 4.3.0 Try again"
    submitted_practice(db, people)
    now = utcnow()
    for attempt in range(sender.MAX_ATTEMPTS):
        done = send(mail_client, now)
        now += timedelta(seconds=sender.BACKOFF[min(attempt, len(sender.BACKOFF) - 1)])
    assert done.failed
    with db.read() as session:
        row = session.scalars(select(EmailOutbox)).one()
        assert row.attempts == sender.MAX_ATTEMPTS and row.failed_at is not None


def test_a_server_that_cannot_be_reached_leaves_messages_to_retry(db, settings, people):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls="none",
        mail_from="hub@practices.example",
        base_url=BASE_URL,
        mail_poll_seconds=0,
    )
    app = create_app(closed, database=db)
    submitted_practice(db, people)
    done = app.state.mail_sender.run_once()
    assert done.retried and not done.sent and not done.failed
    with db.read() as session:
        row = session.scalars(select(EmailOutbox)).one()
        assert row.attempts == 1 and "Connection" in row.last_error


def test_the_sender_signs_in_with_the_configured_user(mail_settings, db, mailbox, people):
    app = create_app(
        replace(mail_settings, smtp_user="hub", smtp_password="mail-secret"), database=db
    )
    submitted_practice(db, people)
    assert app.state.mail_sender.run_once().sent
    assert mailbox.logins == [("hub", "mail-secret")]


def test_a_wrong_password_is_retried_not_lost(mail_settings, db, mailbox, people):
    app = create_app(replace(mail_settings, smtp_user="hub", smtp_password="wrong"), database=db)
    submitted_practice(db, people)
    done = app.state.mail_sender.run_once()
    assert done.retried and mailbox.messages == []


def test_nobody_outside_the_organisation_is_sent_news_of_an_unpublished_practice(
    mail_client, mailbox, db, people
):
    """A message written while the outsider could see the practice (published) is checked
    again when sent: archived since, it is not sent to them."""
    (practice_id,) = add_practices(db, record(title="Harbour outreach"))
    sync(mail_client.app)
    with db.read() as session:
        outsider = session.get(User, people["outsider"])
    saved = save_search(db, outsider, "q=harbour", "daily")
    with db.write() as session:
        session.get(SavedSearch, saved.id).checked_at = utcnow() - timedelta(days=2)
        session.get(Practice, practice_id).published_at = utcnow() - timedelta(hours=1)
    assert digests.run_due(db, mail_client.app.state.index, mail_client.app.state.settings) == 1
    with db.write() as session:
        curator = session.get(User, people["curator"])
        workflow.transition(
            session, curator, session.get(Practice, practice_id), "archive", note="Ended."
        )
    done = send(mail_client)
    assert done.dropped and mailbox.to("zoe@other.example") == []


def test_a_saved_search_sends_a_digest_of_new_matches_with_unsubscribe(
    mail_client, mailbox, db, people
):
    with db.read() as session:
        outsider = session.get(User, people["outsider"])
    sign_in(mail_client, "zoe@other.example")
    saved_page = post_form(
        mail_client,
        "/account/email",
        "/account/email",
        {"action": "save_search", "query": "q=harbour", "frequency": "weekly"},
    )
    assert saved_page.status_code == 303
    with db.read() as session:
        saved = session.scalars(select(SavedSearch)).one()
        assert saved.frequency == "weekly" and saved.user_id == outsider.id
    app = mail_client.app
    # Nothing new: no digest, and the search is not due again for a week.
    assert digests.run_due(db, app.state.index, app.state.settings) == 0
    (practice_id,) = add_practices(db, record(title="Harbour outreach"))
    add_practices(db, record(title="Unrelated hotline", summary="Calls."))
    sync(app)
    with db.write() as session:
        session.get(SavedSearch, saved.id).checked_at = utcnow() - timedelta(days=8)
        for practice in session.scalars(select(Practice)):
            practice.published_at = utcnow() - timedelta(days=1)
    assert digests.run_due(db, app.state.index, app.state.settings) == 1
    send(mail_client)
    (message,) = mailbox.to("zoe@other.example")
    plain, html = texts(message)
    assert "1 new practice matches your saved search “harbour”" in plain
    assert f"{BASE_URL}/practices/{practice_id}" in plain and "Harbour outreach" in html
    assert "Unrelated hotline" not in plain
    assert message["List-Unsubscribe"]
    # Due again only a week later; the same practice is not sent twice.
    assert digests.run_due(db, app.state.index, app.state.settings) == 0
    later = utcnow() + timedelta(days=8)
    assert digests.run_due(db, app.state.index, app.state.settings, now=later) == 0
    # Its unsubscribe link deletes the saved search.
    path = message["List-Unsubscribe"].strip("<>").removeprefix(BASE_URL)
    mail_client.cookies.clear()
    assert mail_client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with db.read() as session:
        assert session.scalars(select(SavedSearch)).all() == []


def test_a_digest_comes_in_the_accounts_language_with_the_titles_in_it(
    mail_client, mailbox, db, people
):
    with db.write() as session:
        session.get(User, people["outsider"]).language = "es"
    sign_in(mail_client, "zoe@other.example")
    post_form(
        mail_client,
        "/account/email",
        "/account/email",
        {"action": "save_search", "query": "q=harbour", "frequency": "weekly"},
    )
    translated = {"es": {"title": "Acogida en el puerto", "summary": "Un servicio de acogida."}}
    add_practices(db, record(title="Harbour outreach", translations=translated))
    sync(mail_client.app)
    with db.write() as session:
        session.scalars(select(SavedSearch)).one().checked_at = utcnow() - timedelta(days=8)
        for practice in session.scalars(select(Practice)):
            practice.published_at = utcnow() - timedelta(days=1)
    app = mail_client.app
    # In the background, outside any request: English would be the default.
    assert digests.run_due(db, app.state.index, app.state.settings) == 1
    send(mail_client)
    (message,) = mailbox.to("zoe@other.example")
    assert message["Subject"] == "Practice Hub: 1 nuevas para «harbour»"
    plain, html = texts(message)
    assert "Acogida en el puerto" in plain and "Harbour outreach" not in plain
    assert '<html lang="es" dir="ltr">' in html


@pytest.fixture
def authority(tmp_path, monkeypatch):
    """A certificate authority the sender trusts (as a deployment's system store would), and a
    certificate from it for the test server's address."""
    ca = trustme.CA()
    trusted = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(trusted))
    monkeypatch.setenv("SSL_CERT_FILE", str(trusted))  # read by ssl.create_default_context
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    return server


def tls_server(box: Mailbox, context: ssl.SSLContext, implicit: bool) -> AnyPortController:
    """An SMTP server that speaks TLS from the first byte (implicit) or after STARTTLS, and
    requires it (no command but EHLO, STARTTLS and QUIT before it; no login without it)."""
    if implicit:
        # The whole connection is TLS: aiosmtpd's own check is for STARTTLS only.
        options = {"ssl_context": context, "auth_require_tls": False}
    else:
        options = {"tls_context": context, "require_starttls": True}
    controller = AnyPortController(
        box, hostname="127.0.0.1", port=0, authenticator=box.authenticate, **options
    )
    controller.start()
    box.port = controller.port
    return controller


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_mail_goes_over_tls_and_signs_in_only_inside_it(mode, settings, db, people, authority):
    box = Mailbox()
    controller = tls_server(box, authority, implicit=mode == "ssl")
    try:
        tls = sending(settings, box, mode, smtp_user="hub", smtp_password="mail-secret")
        app = create_app(tls, database=db)
        submitted_practice(db, people)
        done = app.state.mail_sender.run_once()
        assert done.sent and box.messages and all(box.encrypted)
        assert box.logins == [("hub", "mail-secret")]
    finally:
        controller.stop()


def test_a_certificate_nobody_vouches_for_is_refused_and_the_mail_waits(
    settings, db, people, authority, monkeypatch
):
    """Not sent to a server whose certificate no trusted authority signed (someone in the
    middle), nor in clear text instead: kept for a later attempt."""
    box = Mailbox()
    controller = tls_server(box, authority, implicit=False)
    monkeypatch.delenv("SSL_CERT_FILE")  # the system's authorities do not know this one
    try:
        app = create_app(sending(settings, box, "starttls"), database=db)
        submitted_practice(db, people)
        done = app.state.mail_sender.run_once()
        assert not done.sent and box.messages == []
        with db.read() as session:
            rows = session.scalars(select(EmailOutbox)).all()
        assert rows and all(r.sent_at is None and r.failed_at is None for r in rows)
        assert all("CERTIFICATE_VERIFY_FAILED" in r.last_error for r in rows)
    finally:
        controller.stop()


def test_a_server_that_cannot_speak_tls_is_never_sent_mail_in_clear(
    mail_settings, db, mailbox, people
):
    app = create_app(replace(mail_settings, smtp_tls="starttls"), database=db)
    submitted_practice(db, people)
    done = app.state.mail_sender.run_once()
    assert not done.sent and mailbox.messages == []
    with db.read() as session:
        rows = session.scalars(select(EmailOutbox)).all()
    assert rows and all("STARTTLS" in r.last_error and r.sent_at is None for r in rows)


def test_the_demo_and_a_server_without_smtp_say_that_e_mail_is_off(settings):
    line = settings.mail_status()
    assert line.startswith("E-mail: off (PRACTICES_SMTP_HOST is not set)")
    on = replace(
        settings,
        smtp_host="smtp.example",
        smtp_port=465,
        smtp_tls="ssl",
        mail_from="hub@practices.example",
        base_url=BASE_URL,
    )
    assert on.mail_status() == (
        f"E-mail: sent through smtp.example:465 (TLS) from hub@practices.example, links to "
        f"{BASE_URL}."
    )
