"""The delegate's desk in Chromium, by keyboard where the behaviour is about the keyboard:
the search page keeps its place, adding to the brief answers where the eyes are, the brief is
edited with counts that follow, emptying asks first, the header fits."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shared_live_server
from tests.browser.test_keyboard_flows import tab_to
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(migrated_db, tmp_path_factory):
    """One server for the module: the accounts and briefs a test saves are its own."""
    with shared_live_server(migrated_db, tmp_path_factory.mktemp("desk")) as server:
        yield server


def context_at(chromium, live_server, width=1280, height=900, **options):
    return chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}, **options
    )


def focused(page, selector: str) -> bool:
    return page.locator(selector).first.evaluate("e => e === document.activeElement")


def test_filters_come_before_the_results_and_a_skip_link_jumps_to_them(chromium, live_server):
    context = context_at(chromium, live_server)
    page = context.new_page()
    page.goto("/search?q=supply+chains")
    page.focus("#q")
    order = []
    for _ in range(60):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
        if page.evaluate("document.activeElement.closest('ol.results') !== null"):
            break
    first_filter = next(n for n, name in enumerate(order) if name.startswith("f-"))
    assert first_filter < len(order) - 1  # a filter is reached before any result
    # The skip link, a few Tabs from the search box, goes straight to the results.
    page.focus("#q")
    tab_to(page, "a.skip-to-results")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('ol.results') !== null")
    context.close()


def test_on_a_phone_the_filters_fold_into_one_stop_before_the_results(chromium, live_server):
    context = context_at(chromium, live_server, 390, 844, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto("/search?q=supply+chains")
    assert not page.locator("#f-pillar-prevention").is_visible()
    summary = page.locator("details.filter-panel > summary")
    assert summary.is_visible()
    page.focus("#q")
    tab_to(page, "details.filter-panel > summary")
    page.keyboard.press("Enter")
    assert page.locator("#f-pillar-prevention").is_visible()
    context.close()


def test_adding_to_the_brief_happens_in_place_by_keyboard(chromium, live_server):
    context = context_at(chromium, live_server)
    page = context.new_page()
    page.goto("/search?q=supply+chains")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    card = page.locator("ol.results li.card").nth(1)
    tab_to(page, "ol.results li.card:nth-of-type(2) .add-to-brief button")
    page.keyboard.press("Enter")
    card.locator(".in-brief").wait_for()
    assert navigations == []  # no reload, no jump
    assert focused(page, "ol.results li.card:nth-of-type(2) .add-to-brief button")
    button = card.locator(".add-to-brief button")
    assert button.inner_text().startswith("Remove from brief")
    assert "Added to your brief: 1 practice" in card.locator(".brief-notice").inner_text()
    assert page.locator(".nav [data-brief-count]").inner_text() == "1"
    # Pressing it again takes it out, in place too.
    expect(card.locator(".add-to-brief")).not_to_have_attribute("aria-busy", "true")
    page.keyboard.press("Enter")
    expect(card.locator(".brief-notice")).to_have_text("Removed from your brief.")
    expect(page.locator(".nav [data-brief-count]")).to_have_text("")
    assert button.inner_text().startswith("Add to brief")
    context.close()


def test_the_message_beside_the_card_is_in_the_page_language(chromium, live_server):
    """A page opened in Arabic by a link (?lang=ar) answers the in-place add in Arabic, not
    in the browser's English."""
    context = context_at(chromium, live_server, 390, 844)
    page = context.new_page()
    page.goto("/search?q=supply+chains&lang=ar")
    card = page.locator("ol.results li.card").first
    tab_to(page, "ol.results li.card:nth-of-type(1) .add-to-brief button")
    page.keyboard.press("Enter")
    card.locator(".in-brief").wait_for()
    expect(card.locator(".brief-notice")).to_contain_text("موجزك")
    assert "Added" not in card.locator(".brief-notice").inner_text()
    context.close()


def test_without_javascript_adding_returns_to_the_card_with_the_message(chromium, live_server):
    context = context_at(chromium, live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/search?q=supply+chains")
    card_id = page.locator("ol.results li.card").nth(2).get_attribute("id")
    with page.expect_navigation():
        page.locator(f"#{card_id} .add-to-brief button").click()
    assert page.url.endswith(f"#{card_id}")
    card = page.locator(f"#{card_id}")
    assert "Added to your brief" in card.locator(".brief-notice").inner_text()
    assert card.locator(".in-brief").is_visible()
    assert page.locator(".flash").count() == 0  # the message is by the card, not at the top
    assert -5 < card.bounding_box()["y"] < 900  # the page came back to the card, on screen
    context.close()


def _brief_of(page, *ids):
    page.goto("/search?q=supply+chains")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for practice_id in ids:
        page.request.post("/brief/add", form={"csrf_token": token, "practice_id": str(practice_id)})
    page.goto("/brief")


def test_the_brief_is_edited_by_keyboard_and_its_counts_follow(chromium, live_server):
    context = context_at(chromium, live_server)
    page = context.new_page()
    _brief_of(page, 5, 8)
    before = page.locator("[data-brief-words]").inner_text()
    tab_to(page, "#opening")
    page.keyboard.type("Madam President, three practices show what works.")
    tab_to(page, "#line-8")
    page.keyboard.press("Control+A")
    page.keyboard.type("California makes big retailers say what they do. Source: State, 2011.")
    expect(page.locator("[data-brief-words]")).not_to_have_text(before)
    words = page.locator("[data-brief-words]").inner_text()
    assert page.locator("[data-unsaved]").is_visible()
    tab_to(page, ".brief-bar button[value=save]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("[data-brief-words]").inner_text() == words  # the server agrees
    assert page.locator("#line-8").input_value().startswith("California makes big retailers")
    assert "(your words)" in page.locator("#line-8-state").inner_text()
    page.emulate_media(media="print")
    reading = page.locator(".print-only").inner_text()
    assert "Madam President" in reading and "California makes big retailers" in reading
    context.close()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_a_practice_moved_by_keyboard_comes_back_in_view_below_the_bar(
    chromium, live_server, width, height
):
    """Move up keeps the unsaved opening line, and the page returns to the moved practice
    with its title in view, not under the sticky word-count bar; Shift+Tab back up the
    brief never hides the focused control under the bar either."""
    context = context_at(chromium, live_server, width, height)
    page = context.new_page()
    _brief_of(page, 5, 8, 30)
    tab_to(page, "#opening")
    page.keyboard.type("Chair, three practices.")
    moved = page.locator("ol.brief > li").nth(2).get_attribute("id")
    tab_to(page, f"#{moved} button[value^='up:']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("ol.brief > li").nth(1).get_attribute("id") == moved
    assert page.locator("#opening").input_value() == "Chair, three practices."

    def below_the_bar(selector: str) -> bool:
        bar = page.locator(".brief-bar").evaluate("e => e.getBoundingClientRect().bottom")
        top = page.locator(selector).first.evaluate("e => e.getBoundingClientRect().top")
        return top >= bar

    page.wait_for_function("window.scrollY > 0")
    assert below_the_bar(f"#{moved} h2")
    page.focus("#closing")
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        assert below_the_bar(":focus"), page.evaluate("document.activeElement.outerHTML")
    context.close()


def test_the_brief_survives_signing_in_and_out_and_is_shared_read_only_by_keyboard(
    chromium, live_server, migrated_db
):
    """A visitor's brief, with an opening line, goes with them when they sign in and stays
    when they sign out; shared by a link, a colleague's browser shows it read-only."""
    make_user(migrated_db, "delegate@mission.example")
    context = context_at(chromium, live_server, 390, 844)
    page = context.new_page()
    _brief_of(page, 5, 8)
    tab_to(page, "#opening")
    page.keyboard.type("Chair, two practices.")
    tab_to(page, ".brief-bar button[value=save]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto("/signin")
    tab_to(page, "#email")
    page.keyboard.type("delegate@mission.example")
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".nav [data-brief-count]").inner_text() == "2"
    page.goto("/brief")
    assert page.locator("#opening").input_value() == "Chair, two practices."
    tab_to(page, "button[value=share]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    link = page.locator("#share a").first.get_attribute("href")
    tab_to(page, ".site-header button.link-button")  # Sign out
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto("/brief")
    assert page.locator("ol.brief > li").count() == 2
    assert page.locator("#opening").input_value() == "Chair, two practices."

    colleague = context_at(chromium, live_server).new_page()
    colleague.goto(link)
    assert "Chair, two practices." in colleague.locator("main").inner_text()
    assert colleague.locator("main textarea, main button[value=save]").count() == 0
    assert colleague.locator("main .brief-lines > li").count() == 2
    colleague.context.close()
    context.close()


def test_emptying_the_brief_asks_first_by_keyboard(chromium, live_server):
    context = context_at(chromium, live_server)
    page = context.new_page()
    _brief_of(page, 5)
    tab_to(page, "a[href='/brief/empty']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Empty your brief?"
    tab_to(page, "a:has-text('No, keep it')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("ol.brief li").count() == 1
    tab_to(page, "a[href='/brief/empty']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "button:has-text('Yes, empty the brief')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Your brief is empty" in page.locator("main").inner_text()
    context.close()


def test_the_signed_in_header_fits_one_row_and_sign_out_looks_like_a_link(
    chromium, live_server, migrated_db
):
    make_user(migrated_db, "curator@un.example", role="curator")
    context = context_at(chromium, live_server)
    page = context.new_page()
    page.goto("/signin")
    page.fill("#email", "curator@un.example")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto("/practices")
    tops = page.locator(".site-header .brand, .nav li, .header-search").evaluate_all(
        "nodes => nodes.map(n => Math.round(n.getBoundingClientRect().top))"
    )
    assert max(tops) - min(tops) < 20, tops  # one row
    style = (
        "e => { const s = getComputedStyle(e);"
        " return [s.color, s.backgroundColor, s.textDecorationLine, s.fontSize]; }"
    )
    sign_out = page.locator(".site-header .link-button").evaluate(style)
    link = page.locator(".nav a").first.evaluate(style)
    assert sign_out[0] == link[0] and sign_out[2] == link[2] and sign_out[3] == link[3]
    assert sign_out[1] in ("rgba(0, 0, 0, 0)", "transparent")
    context.close()


def test_the_coverage_map_legend_has_small_swatches_and_the_chart_an_axis(page):
    page.goto("/coverage")
    sizes = page.locator(".legend svg").evaluate_all(
        "nodes => nodes.map(n => n.getBoundingClientRect().width)"
    )
    assert sizes and max(sizes) < 40
    assert page.locator(".chart .value-axis text").count() >= 3


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_chart_labels_are_readable_on_a_phone_and_stay_beside_the_axis(
    chromium, live_server, language
):
    """At 390 px the chart is drawn at half size: its labels are still drawn at 9.5 px or more, and
    the value labels end left of the plot in Arabic too (no number drawn over a bar)."""
    context = context_at(chromium, live_server, 390, 844)
    page = context.new_page()
    page.goto(f"/coverage?lang={language}")
    # The size a reader sees: the font size times the chart's scale on screen.
    sizes = page.locator(".chart text").evaluate_all(
        """nodes => nodes.map(n => { const m = n.getScreenCTM();
             return parseFloat(getComputedStyle(n).fontSize) * Math.hypot(m.a, m.b); })"""
    )
    assert sizes and min(sizes) >= 9.5, sizes
    plot_left = page.locator(".chart .value-axis line").first.evaluate(
        "e => e.getBoundingClientRect().left"
    )
    rights = page.locator(".chart .value-axis text:not(.axis-title)").evaluate_all(
        "nodes => nodes.map(n => n.getBoundingClientRect().right)"
    )
    assert max(rights) <= plot_left + 1, (rights, plot_left)
    context.close()
