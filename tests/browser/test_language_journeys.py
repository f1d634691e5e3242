"""The three journeys in Arabic and in Chinese, in Chromium at 1280 and 390 px: a delegate
searches, reads a practice and builds a brief; a partner drafts a practice; a curator opens the
review queue. On every page: the page's language and direction, axe-core (WCAG 2.1 A and AA)
finds nothing, and nothing scrolls sideways."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import AXE_OPTIONS
from tests.conftest import (
    PASSWORD,
    add_practices,
    make_user,
    record,
    sample_seed_lines,
    seed_lines,
)

pytestmark = pytest.mark.browser

# The language, a search in its own words, a practice written in it (its id: seed lines 175 and
# 193 come after the 48 of the sample, see browser_seed), the direction of its pages.
LANGUAGES = {
    "ar": ("الاتجار بالبشر", 49, "rtl"),
    "zh": ("拐卖 妇女", 50, "ltr"),
}
WIDTHS = (1280, 390)


@pytest.fixture
def browser_seed() -> list[str]:
    """The sample and a practice written in Arabic and one in Chinese (beyond the sample)."""
    lines = seed_lines()
    return [*sample_seed_lines(), lines[174], lines[192]]


@pytest.fixture
def people(db):
    make_user(db, "partner@ngo.example", organisation="Helping Hands")
    make_user(db, "curator@un.example", role="curator")
    add_practices(db, record(title="A hotline waiting for review", status="submitted"))


def at(chromium, live_server, language: str, width: int):
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 900},
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    return context, context.new_page()


def problems(page, language: str, direction: str) -> list[str]:
    found = [
        f"{page.url}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]
    ]
    html = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    if html != [language, direction]:
        found.append(f"{page.url}: <html lang dir> is {html}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{page.url}: {overflow} px wider than the window")
    return found


def sign_in(page, email: str) -> None:
    page.goto("/signin")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    # Partners land on the home page, curators on their queue.
    page.wait_for_url(lambda url: not url.split("?")[0].endswith("/signin"))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_three_journeys_in_arabic_and_chinese(chromium, live_server, people, language, width):
    query, practice_id, direction = LANGUAGES[language]
    context, page = at(chromium, live_server, language, width)
    found = []

    # The delegate: home, a search in their words, a practice, the brief (added by keyboard).
    page.goto("/")
    found += problems(page, language, direction)
    page.goto(f"/search?q={query}")
    found += problems(page, language, direction)
    button = page.locator("ol.results li.card:nth-of-type(1) .add-to-brief button")
    button.focus()
    page.keyboard.press("Enter")
    page.locator("ol.results li.card:nth-of-type(1) .in-brief").wait_for()
    page.goto(f"/practices/{practice_id}")
    found += problems(page, language, direction)
    # Written in the reader's language: no translation note, no lang of its own.
    assert page.locator(".language-note").count() == 0
    # Written in English, with its title and summary in the reader's language: shown
    # translated, the original one link away and marked as English inside the page.
    page.goto("/practices/5")
    assert page.locator("h1").get_attribute("lang") is None  # the page's own language
    assert page.locator(".language-note a[hreflang=en]").count() == 1
    page.locator(".language-note a[hreflang=en]").click()
    page.wait_for_url("**/practices/5?original=1")
    assert page.locator("h1").get_attribute("lang") == "en"
    assert page.locator("h1").get_attribute("dir") == "ltr"
    assert page.locator(".practice-text").get_attribute("lang") == "en"
    page.goto("/brief")
    found += problems(page, language, direction)
    page.goto("/coverage")
    found += problems(page, language, direction)

    # The partner: their submissions and the form, then a draft saved with a title only.
    sign_in(page, "partner@ngo.example")
    page.goto("/submissions/new")
    found += problems(page, language, direction)
    # The country filter speaks the page's language: what it lists, what Enter ticked.
    egypt = {"ar": "مصر", "zh": "埃及"}[language]
    page.fill("#country-filter", egypt)
    announce = page.locator("[data-country-announce]")
    assert (
        announce.inner_text() == {"ar": "عدد البلدان المعروضة: 1", "zh": "列出的国家：1"}[language]
    )
    page.locator("#country-filter").press("Enter")
    assert announce.inner_text() == {"ar": "أُضيف البلد مصر.", "zh": "已添加埃及。"}[language]
    remove = page.locator("[data-chosen-list] button")
    assert remove.get_attribute("aria-label") == {"ar": "إزالة مصر", "zh": "移除埃及"}[language]
    page.fill("#title", "خط ساخن" if language == "ar" else "热线")
    page.locator("button[name=intent][value=save]").click()
    page.wait_for_load_state()
    found += problems(page, language, direction)
    page.goto("/submissions")
    found += problems(page, language, direction)
    context.close()

    # The curator: the queue and the practice waiting there.
    context, page = at(chromium, live_server, language, width)
    sign_in(page, "curator@un.example")
    page.goto("/review")
    found += problems(page, language, direction)
    page.locator("table a").first.click()
    page.wait_for_url("**/review/practices/*")
    found += problems(page, language, direction)
    context.close()
    assert found == [], "\n".join(found)


def test_the_switcher_works_by_keyboard_without_javascript(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/coverage")
    button = page.locator(".language-switcher button[value=ar]")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/coverage")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    assert page.locator(".language-switcher button[aria-current=true]").inner_text() == "العربية"
    context.close()
