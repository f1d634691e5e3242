"""Every page the app has, loaded in Chromium and checked with axe-core (WCAG 2.1 A and AA).

When a feature adds a page, add its path to PAGES.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

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


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_has_no_serious_accessibility_violation(page, path):
    page.goto(path)
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations(page)
        if v["impact"] in ("serious", "critical")
    ]
    assert found == []


@pytest.mark.parametrize("path", ["/", "/practices", "/practices/1"])
def test_page_fits_a_phone_without_sideways_scrolling(chromium, live_server, path):
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0


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
    page.get_by_role("button", name="Apply filters").press("Enter")
    page.wait_for_url("**pillar=protection**")
    assert page.locator("#f-pillar-protection").is_checked()
    assert page.locator(".result-count").inner_text() != before
    context.close()


def test_ticking_a_filter_applies_it_at_once_with_javascript(page):
    page.goto("/search?q=trafficking")
    page.check("#f-pillar-prevention")
    page.wait_for_url("**pillar=prevention**")
    assert page.locator(".chip").count() == 1
