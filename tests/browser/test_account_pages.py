"""The account pages that issue 10 changed, in Chromium: axe-core finds nothing serious, and
nothing scrolls sideways on a phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from repository.accounts.registration import JOIN, Registration, register
from repository.models import User
from tests.browser.test_accessibility import AXE_OPTIONS
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


@pytest.fixture
def people(db):
    make_user(db, "pat@ngo.example", organisation="Helping Hands")
    make_user(db, "sam@ngo.example", organisation="Helping Hands")
    make_user(db, "curator@un.example", role="curator")
    register(
        db,
        "192.0.2.1",
        Registration(
            email="kim.newcomer@ngo.example",
            name="Kim Newcomer",
            organisation="Helping Hands",
            choice=JOIN,
            organisation_type="ngo",
            organisation_country=None,
        ),
        PASSWORD,
    )
    with db.read() as session:
        assert session.scalar(select(User).where(User.email == "kim.newcomer@ngo.example"))


def sign_in(page, email):
    page.goto("/signin")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():  # curators land on their queue, partners on the home page
        page.click("main button[type=submit]")


def check(page, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    serious = [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], path
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (path, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_curator_sees_who_a_newcomer_would_join(chromium, live_server, people, width):
    page = chromium.new_context(base_url=live_server.url).new_page()
    sign_in(page, "curator@un.example")
    check(page, "/admin/users", width)
    text = page.inner_text("main")
    assert "Asks to join Helping Hands" in text and "pat@ngo.example" in text
    assert page.get_by_role("button", name="Approve Kim Newcomer into Helping Hands").is_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_member_decides_and_manages_sessions_and_tokens(chromium, live_server, people, width):
    page = chromium.new_context(base_url=live_server.url).new_page()
    sign_in(page, "pat@ngo.example")
    check(page, "/account/organisation", width)
    assert page.get_by_role("button", name="Let Kim Newcomer join").is_visible()
    check(page, "/account/password", width)
    assert page.get_by_role("button", name="Sign out everywhere").is_visible()
    check(page, "/account/tokens", width)
    page.click("text=Create a token")
    assert page.inner_text("code.token").startswith("ph_")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the new token makes the page scroll sideways"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_registration_form_asks_about_the_organisation(chromium, live_server, width):
    page = chromium.new_context(base_url=live_server.url).new_page()
    check(page, "/register", width)
    assert page.is_checked("#organisation_choice-new")
