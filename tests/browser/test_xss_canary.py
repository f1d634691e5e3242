"""Pages showing practices whose every field holds script payloads, in Chromium with the CSP
on: none of the payloads ever runs."""

import pytest
from sqlalchemy import select

from repository.models import User
from repository.practices import workflow
from tests.conftest import make_user, record, sync

pytestmark = pytest.mark.browser

CANARY = "window.__pwned = (window.__pwned || 0) + 1"
PAYLOADS = (
    f"<script>{CANARY}</script> "
    f'<img src=x onerror="{CANARY}"> '
    f'<svg onload="{CANARY}"></svg> '
    f"[link](javascript:{CANARY}) "
    f'"><script>{CANARY}</script>'
)


@pytest.fixture
def hostile(live_server, db):
    make_user(db, "a@a.example", organisation="Org <script>window.__pwned=1</script>")
    make_user(db, "c@c.example", role="curator")
    data = record(
        title=("Canary " + PAYLOADS)[:200],
        summary="Canary <script>window.__pwned=1</script>",
        description=PAYLOADS,
        results=PAYLOADS,
        lessons_learned=PAYLOADS,
        organisation='Canary org <img src=x onerror="window.__pwned=1">',
        partner_organisations=['<svg onload="window.__pwned=1">'],
        sources=[{"title": PAYLOADS[:250], "url": "https://example.org/canary"}],
    )
    with db.write() as session:
        partner = session.scalar(select(User).where(User.email == "a@a.example"))
        curator = session.scalar(select(User).where(User.email == "c@c.example"))
        practice = workflow.create_draft(session, partner, data)
        workflow.transition(session, partner, practice, "submit", confirmed_no_personal_data=True)
        workflow.transition(session, curator, practice, "publish", note=PAYLOADS)
        practice_id = practice.id
    sync(live_server.server.config.app)
    return practice_id


def test_no_payload_ever_runs(chromium, live_server, hostile):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    paths = [
        f"/practices/{hostile}",
        "/search?q=canary",
        "/",
        "/practices",
        "/coverage",
        "/countries/PHL",
        f"/practices/{hostile}?x=<script>{CANARY}</script>",
    ]
    for path in paths:
        page.goto(path)
        assert page.evaluate("window.__pwned") is None, path
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    page.request.post("/brief/add", form={"csrf_token": token, "practice_id": str(hostile)})
    page.goto("/brief")
    assert "Canary" in page.content()
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    context.close()
