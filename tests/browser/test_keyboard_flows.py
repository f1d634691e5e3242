"""The partner and curator flows done with the keyboard alone (Tab, typing, Space, Enter,
arrows), with axe run on every page on the way."""

import pytest

from tests.browser.test_accessibility import violations
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


# How many Tabs surely lie between the focus and the target: the visible, enabled controls
# after the focused one up to the target, a radio group counting once. It never counts more stops
# than the browser makes (positive tabindex, or a target not ahead, gives 1), so pressing that
# many at once cannot pass the target; the last steps are checked one by one.
_TABS_AHEAD = """(target) => {
  if (document.querySelector('[tabindex]:not([tabindex="0"]):not([tabindex^="-"])')) return 1;
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]')];
  const stops = [];
  const groups = new Set();
  for (const el of controls) {
    if (el.disabled || el.tabIndex < 0 || el.closest('[inert]')) continue;
    // checkVisibility: also hidden inside a closed <details>, whose contents keep their boxes.
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if (el.type === 'radio' && el.name) {
      if (groups.has(el.form + el.name)) continue;
      groups.add(el.form + el.name);
    }
    stops.push(el);
  }
  const from = stops.indexOf(document.activeElement);
  const to = stops.indexOf(target);
  return from >= 0 && to > from ? to - from : 1;
}"""


def tab_to(page, selector: str, limit: int = 400) -> None:
    """Press Tab until the element matching selector has focus, as a keyboard user would."""
    target = page.locator(selector).first
    pressed = 0
    while pressed < limit:
        if target.evaluate("element => element === document.activeElement"):
            return
        # Far from the target, press several Tabs before looking again (a long form took
        # seconds one Tab at a time); the focus still moves only by Tab.
        burst = max(1, min(target.evaluate(_TABS_AHEAD) - 2, limit - pressed))
        for _ in range(burst):
            page.keyboard.press("Tab")
        pressed += burst
    raise AssertionError(f"{selector} never received focus by Tab")


def activate(page) -> None:
    """Press Enter on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def assert_accessible(page) -> None:
    found = [
        f"{v['id']}: {v['help']}"
        for v in violations(page)
        if v["impact"] in ("serious", "critical")
    ]
    assert found == [], page.url


def sign_in_by_keyboard(page, email: str) -> None:
    page.goto("/signin")
    assert_accessible(page)
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    activate(page)


@pytest.fixture
def accounts(db):
    make_user(db, "partner@org.example", organisation="Keyboard Org")
    make_user(db, "curator@un.example", role="curator")


def test_partner_submits_and_curator_publishes_by_keyboard(chromium, live_server, accounts):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()

    sign_in_by_keyboard(page, "partner@org.example")
    tab_to(page, "a[href='/submissions']")
    activate(page)
    page.wait_for_url("**/submissions")
    assert_accessible(page)
    tab_to(page, "a[href='/submissions/new']")
    activate(page)
    page.wait_for_url("**/submissions/new")
    assert_accessible(page)

    tab_to(page, "#title")
    page.keyboard.type("Keyboard-only hotline")
    tab_to(page, "#summary")
    page.keyboard.type("A hotline described entirely with the keyboard.")
    assert "words" in page.locator("#summary-count").inner_text()
    # The organisation's type from registration (NGO) is ticked already (issue 13).
    assert page.locator("#actor_types-2").is_checked()
    # Where it applies: a radio group with nothing chosen ("Global" only when chosen).
    tab_to(page, "#scope-0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#scope-2").is_checked()  # global
    # The countries fold away by region: from the filter, five Tabs pass all 246 of them (it
    # took a Tab each); typing in the filter opens the region of each country it finds.
    tab_to(page, "#country-filter")
    for _ in range(5):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Oceania"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#countries') === null")
    tab_to(page, "#pillars-1")
    page.keyboard.press("Space")
    # Radio groups take one Tab stop; arrows move (and select) within them.
    tab_to(page, "#practice_type-0")
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    assert page.locator("#practice_type-5").is_checked()
    tab_to(page, "#evidence-0")
    page.keyboard.press("Space")
    tab_to(page, "#start_year")
    page.keyboard.type("2008")
    tab_to(page, "button[value=submit]")
    activate(page)
    page.wait_for_url("**/submit")
    assert_accessible(page)
    tab_to(page, "#confirm")
    page.keyboard.press("Space")
    tab_to(page, "form:has(#confirm) button[type=submit]")
    activate(page)
    assert "Submitted" in page.locator("main").inner_text()
    assert_accessible(page)
    tab_to(page, ".site-header button.link-button")  # Sign out
    activate(page)

    sign_in_by_keyboard(page, "curator@un.example")
    tab_to(page, "a[href='/review']")
    activate(page)
    page.wait_for_url("**/review")
    assert_accessible(page)
    tab_to(page, "table a")
    activate(page)
    page.wait_for_url("**/review/practices/*")
    assert_accessible(page)
    tab_to(page, "#rubric_relevance")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#action")
    options = page.locator("#action option").all_inner_texts()
    for _ in range(options.index("Publish")):
        page.keyboard.press("ArrowDown")
    tab_to(page, "form:has(#action) button[type=submit]")
    activate(page)
    assert "Published" in page.locator("main").inner_text()
    assert_accessible(page)
    context.close()


def test_a_delegate_builds_and_reorders_a_brief_by_keyboard(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/search?q=referral")
    for n in (1, 2):
        tab_to(page, f"li.card:nth-of-type({n}) .add-to-brief button")
        page.keyboard.press("Enter")  # in place: no new page
        page.locator(f"li.card:nth-of-type({n}) .in-brief").wait_for()
    tab_to(page, "a[href='/brief']")
    activate(page)
    page.wait_for_url("**/brief")
    assert_accessible(page)
    titles = page.locator("ol.brief h2").all_inner_texts()
    assert len(titles) == 2
    tab_to(page, "ol.brief li:nth-of-type(2) button:has-text('Move up')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("ol.brief h2").all_inner_texts() == list(reversed(titles))
    tab_to(page, "ol.brief li:nth-of-type(1) button:has-text('Remove')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("ol.brief h2").all_inner_texts() == [titles[0]]
    assert "words, about" in page.locator(".brief-time").first.inner_text()
    page.emulate_media(media="print")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('#brief-form')).display") == "none"
    )
    assert page.locator(".print-only .brief-lines h2").all_inner_texts() == [titles[0]]
    context.close()
