"""Every page the app has, loaded in Chromium and checked with axe-core (WCAG 2.1 A and AA).

When a feature adds a page, add its path to PAGES.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "list": "/practices",
    "list filtered": "/practices?pillar=protection",
    "list page 2": "/practices?page=2",
    "practice": "/practices/1",
    "not found": "/practices/999999",
    "bad request": "/practices?pillar=nonsense",
    "search": "/search",
    "search with filters": "/search?q=trafficking&pillar=protection&region=europe&sort=newest",
    "search, no results": "/search?q=traficking+zzyzx&pillar=prosecution",
    "search, bad parameter": "/search?per_page=1000",
    "sign in": "/signin",
    "register": "/register",
    "brief, empty": "/brief",
    "coverage": "/coverage",
    "countries": "/countries",
    "country": "/countries/BRA",
    "API documentation": "/api/docs",
}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page) -> list[dict]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.response["violations"]


WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def serious(page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations(page)
        if v["impact"] in ("serious", "critical")
    ]


def fill_a_brief(page, db) -> dict:
    """A signed-in delegate with a brief of two practices, one line edited, shared by a link:
    the brief's pages as people see them."""
    make_user(db, "axe@mission.example")
    page.goto("/signin")
    page.fill("#email", "axe@mission.example")
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for practice_id in (5, 8):
        page.request.post(
            "/brief/add",
            form={"csrf_token": token, "practice_id": str(practice_id), "topic": "supply chains"},
        )
    page.request.post("/briefs", form={"csrf_token": token, "action": "share"})
    page.goto("/brief")
    link = page.locator("#share a").first.get_attribute("href")
    return {
        "brief with practices": "/brief",
        "brief, empty it?": "/brief/empty",
        "brief, shared link": link,
        "practice in the brief": "/practices/5",
        "search, cards in the brief": "/search?q=supply+chains",
        "search, years the wrong way round": "/search?q=labour&year_from=2020&year_to=2010",
    }


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS.keys())
def test_every_page_passes_axe_and_fits_the_width(chromium, live_server, db, width):
    """axe-core (WCAG 2.1 A and AA) finds nothing serious on any page, and no page is wider
    than the window: at 390 px nothing scrolls sideways."""
    w, h = WIDTHS[width]
    context = chromium.new_context(base_url=live_server.url, viewport={"width": w, "height": h})
    page = context.new_page()
    failures = []
    pages = dict(PAGES)
    pages.update(fill_a_brief(page, db))
    for name, path in pages.items():
        page.goto(path)
        failures += [f"{name}: {found}" for found in serious(page)]
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            failures.append(f"{name}: {overflow} px wider than the window")
    context.close()
    assert failures == []


def test_skip_link_is_first_and_moves_focus_to_main(page):
    page.goto("/practices")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_print_hides_navigation_and_shows_source_addresses(page):
    page.goto("/practices/1")
    page.emulate_media(media="print")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "none"
    )
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.sources .url')).display") != "none"
    )
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")


def test_search_filters_work_by_keyboard_and_without_javascript(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/search?q=trafficking")
    before = page.locator(".result-count").inner_text()
    page.focus("#f-pillar-protection")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Apply filters").first.press("Enter")
    page.wait_for_url("**pillar=protection**")
    assert page.locator("#f-pillar-protection").is_checked()
    assert page.locator(".result-count").inner_text() != before
    context.close()


def test_ticking_a_filter_or_arrowing_through_sort_reloads_nothing(page):
    """WCAG 3.2.2 On Input: changing a control never submits; the Apply button does."""
    page.goto("/search?q=trafficking")
    url = page.url
    page.focus("#f-pillar-prevention")
    page.keyboard.press("Space")
    page.focus("#sort")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    assert page.url == url and page.evaluate("document.activeElement.id") == "sort"
    assert page.locator("#f-pillar-prevention").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").first.press("Enter")
    assert "pillar=prevention" in page.url and "sort=newest" in page.url
