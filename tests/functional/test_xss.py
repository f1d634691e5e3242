"""Markdown and HTML payloads in every text field stay inert on every page that shows them."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from repository.models import Practice, User
from repository.practices import workflow
from tests.conftest import make_user, record, sign_in, sync

PAYLOADS = [
    "<script>alert('XSS')</script>",
    "<img src=x onerror=alert('XSS')>",
    "[click me](javascript:alert('XSS'))",
    "<a href=\"javascript:alert('XSS')\">x</a>",
    "<svg onload=alert('XSS')>",
    "\"><script>alert('XSS')</script>",
    '<iframe src="data:text/html,XSS"></iframe>',
    "**bold** <style>body{display:none}</style> XSS",
]
PAYLOAD = " ".join(PAYLOADS)


class Active(HTMLParser):
    """Anything in parsed HTML that could run the payload."""

    def __init__(self):
        super().__init__()
        self.found, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.in_script = True
            if any("XSS" in (v or "") for _, v in attrs):
                self.found.append(tag)
        if tag in ("iframe", "svg", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src") and value.strip().lower().startswith(
                ("javascript:", "data:")
            ):
                self.found.append(f"{tag}[{name}={value[:30]}]")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "XSS" in data:
            self.found.append("inline script with the payload")


def active(html: str) -> list[str]:
    parser = Active()
    parser.feed(html)
    return parser.found


def test_the_checker_sees_an_unescaped_payload():
    assert active(PAYLOAD)


@pytest.fixture
def hostile(client, db):
    make_user(db, "a@a.example", organisation="Org A")
    make_user(db, "c@un.example", role="curator")
    data = record(
        title=f"Hostile {PAYLOADS[0]}"[:200],
        summary="Payload <script>alert('XSS')</script>",
        description=PAYLOAD,
        results=PAYLOAD,
        lessons_learned=PAYLOAD,
        organisation="Org <img src=x onerror=alert('XSS')>",
        partner_organisations=["<svg onload=alert('XSS')>"],
        sources=[{"title": "<script>alert('XSS')</script>", "url": "https://example.org/x"}],
    )
    with db.write() as session:
        partner = session.scalar(select(User).where(User.email == "a@a.example"))
        curator = session.scalar(select(User).where(User.email == "c@un.example"))
        practice = workflow.create_draft(session, partner, data)
        workflow.transition(session, partner, practice, "submit", confirmed_no_personal_data=True)
        workflow.transition(session, curator, practice, "request_changes", note=PAYLOAD)
        workflow.transition(session, partner, practice, "submit", confirmed_no_personal_data=True)
        workflow.transition(session, curator, practice, "publish", note=PAYLOAD)
        practice_id = practice.id
        update = workflow.propose_update(session, partner, session.get(Practice, practice_id))
        update_id = update.id
    sync(client.app)
    return practice_id, update_id


def test_every_page_showing_user_text_renders_it_inert(client, hostile):
    practice_id, update_id = hostile
    public = [
        "/",
        "/practices",
        f"/practices/{practice_id}",
        "/search?q=hostile",
        "/search?q=payload",
        "/api/search?q=hostile",
    ]
    partner = [
        "/submissions",
        f"/submissions/{practice_id}",
        f"/submissions/updates/{update_id}",
        f"/submissions/updates/{update_id}/edit",
        f"/submissions/updates/{update_id}/submit",
        "/account/notifications",
    ]
    curator = [
        "/review?status=all",
        f"/review/practices/{practice_id}",
        f"/review/updates/{update_id}",
        f"/practices/{practice_id}/revisions?a=1&b=2",
    ]
    pages = [("anonymous", public), ("a@a.example", partner), ("c@un.example", curator)]
    checked = 0
    for who, paths in pages:
        client.cookies.clear()
        if who != "anonymous":
            sign_in(client, who)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            if path.startswith("/api/"):
                assert response.headers["content-type"].startswith("application/json")
                continue
            assert active(response.text) == [], path
            assert "XSS" in response.text, f"{path} does not show the text at all"
            checked += 1
    assert checked == 15
