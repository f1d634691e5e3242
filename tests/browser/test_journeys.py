"""The partner's and the curator's journeys of issue 13 in Chromium, at 1280 and 390 px: a draft
typed by keyboard (countries chosen one after another through the filter), an evidence file
attached and told private, the privacy check explained, changes asked and made beside the
curator's note, publication with the file kept internal. axe-core runs on every page on the
way, and no page scrolls sideways; a scrolling region is reachable by keyboard and named."""

import re

import pytest
from sqlalchemy import select

from repository.models import Attachment
from tests.browser.test_keyboard_flows import activate, assert_accessible, tab_to
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def accounts(db):
    make_user(db, "partner@org.example", organisation="Keyboard Org")
    make_user(db, "curator@un.example", role="curator")


def fits(page) -> None:
    """axe finds nothing serious; nothing wider than the window; every region that scrolls is
    reached with Tab, itself (then with a name) or through the controls inside it."""
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url}: {overflow} px wider than the window"
    unreachable = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(el => {
             const style = getComputedStyle(el);
             const scrolls = /(auto|scroll)/.test(style.overflowX + style.overflowY)
               && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
             if (!scrolls || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return false;
             const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
             // Reached by Tab itself (then named), or through the controls it holds.
             const inside = el.querySelector('a[href], button, input, select, textarea');
             return el.tabIndex >= 0 ? !named : !inside;
           }).map(el => el.className || el.tagName)"""
    )
    assert unreachable == [], f"{page.url}: scrolling regions without Tab or name: {unreachable}"


def sign_in(page, email: str) -> None:
    page.goto("/signin")
    fits(page)
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    activate(page)


def sign_out(page) -> None:
    tab_to(page, ".site-header button.link-button")
    activate(page)


def choose_country(page, name: str) -> None:
    """Filter the list, tab to the one country left and tick it with Space."""
    tab_to(page, "#country-filter")
    page.keyboard.press("Control+A")
    page.keyboard.type(name)
    tab_to(page, f"[data-country='{name}'] input")
    page.keyboard.press("Space")


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS.keys())
def test_partner_and_curator_from_draft_to_publication(
    chromium, live_server, accounts, db, width, tmp_path
):
    w, h = WIDTHS[width]
    context = chromium.new_context(base_url=live_server.url, viewport={"width": w, "height": h})
    page = context.new_page()

    # The partner drafts by keyboard.
    sign_in(page, "partner@org.example")
    page.goto("/submissions/new")
    fits(page)
    assert not page.locator("#scope-2").is_checked()  # "Global" only when chosen
    tab_to(page, "#title")
    page.keyboard.type("Harbour referral desk")
    tab_to(page, "#summary")
    page.keyboard.type("Port chaplains refer fishers who were deceived to shelters and lawyers.")
    tab_to(page, "#results")
    page.keyboard.type("Mary K. of the fishers' network chaired the first meetings.")
    # The organisation's type from registration (NGO) is ticked already (issue 13).
    assert page.locator("#actor_types-2").is_checked()
    tab_to(page, "#scope-0")
    page.keyboard.press("Space")  # national
    # Ghana, then Togo through the filter: both stay chosen (issue 13).
    choose_country(page, "Ghana")
    choose_country(page, "Togo")
    assert page.locator("[data-country='Ghana'] input").is_checked()
    assert page.locator("[data-country='Togo'] input").is_checked()
    chosen = page.locator("[data-chosen-list] li")
    assert [t.replace("✕", "").strip() for t in chosen.all_inner_texts()] == ["Ghana", "Togo"]
    # Removed by keyboard from the chosen list, and added again: Ghana stays throughout.
    tab_to(page, "[data-chosen-list] button[aria-label='Remove Togo']")
    page.keyboard.press("Enter")
    assert not page.locator("[data-country='Togo'] input").is_checked()
    assert page.locator("[data-country='Ghana'] input").is_checked()
    choose_country(page, "Togo")
    assert page.locator("[data-country='Togo'] input").is_checked()
    tab_to(page, "#pillars-1")
    page.keyboard.press("Space")
    tab_to(page, "#practice_type-0")
    page.keyboard.press("Space")
    tab_to(page, "#evidence-0")
    page.keyboard.press("Space")
    tab_to(page, "#start_year")
    page.keyboard.type("2019")
    tab_to(page, "button[value=save]")
    activate(page)
    page.wait_for_url(re.compile(r".*/submissions/\d+/edit.*"))
    practice_id = int(re.search(r"/submissions/(\d+)/edit", page.url).group(1))
    fits(page)

    # Evidence: told private at upload (a file is chosen with the system dialog, not typed).
    notice = page.locator("#attachments .privacy-default").inner_text()
    assert "Files stay private by default." in notice
    evidence = tmp_path / "case-notes.pdf"
    evidence.write_bytes(PDF)
    page.set_input_files("#file", str(evidence))
    tab_to(page, "#attachments button[type=submit]:has-text('Attach')")
    activate(page)
    assert "case-notes.pdf" in page.locator("#attachments .files").inner_text()
    assert "internal" in page.locator("#attachments .files").inner_text()
    fits(page)

    # Submitting: the privacy check's finding is explained, then confirmed.
    tab_to(page, "button[value=submit]")
    activate(page)
    page.wait_for_url("**/submit")
    fits(page)
    assert "Mary K." in page.locator(".privacy-check").inner_text()
    tab_to(page, ".privacy-check textarea")
    page.keyboard.type("Mary K. chairs the network in public and asked to be named.")
    tab_to(page, "#confirm")
    page.keyboard.press("Space")
    tab_to(page, "form:has(#confirm) button[type=submit]")
    activate(page)
    assert "Submitted" in page.locator("main").inner_text()
    fits(page)
    sign_out(page)

    # The curator lands on the queue, opens the submission, sees the file, asks for changes.
    sign_in(page, "curator@un.example")
    page.wait_for_url("**/review")
    fits(page)
    tab_to(page, f"main a[href='/review/practices/{practice_id}']")
    activate(page)
    fits(page)
    main = page.locator("main").inner_text()
    assert "case-notes.pdf" in main and "The partner explains:" in main
    assert "Ghana" in main and "Togo" in main and "GHA" not in main
    tab_to(page, "#action")
    options = page.locator("#action option").all_inner_texts()
    for _ in range(options.index("Ask for changes")):
        page.keyboard.press("ArrowDown")
    tab_to(page, "#decision-note")
    page.keyboard.type("Please say how many fishers were referred.")
    tab_to(page, "form:has(#action) button[type=submit]")
    activate(page)
    fits(page)
    sign_out(page)

    # The partner edits beside the curator's note and submits again.
    sign_in(page, "partner@org.example")
    page.goto(f"/submissions/{practice_id}/edit")
    fits(page)
    note = page.locator(".curator-note").inner_text()
    assert "Please say how many fishers were referred." in note
    tab_to(page, "#results")
    page.keyboard.press("End")
    page.keyboard.type(" 212 fishers were referred in 2023.")
    tab_to(page, "button[value=submit]")
    activate(page)
    tab_to(page, "#confirm")
    page.keyboard.press("Space")
    tab_to(page, "form:has(#confirm) button[type=submit]")
    activate(page)
    assert "Submitted" in page.locator("main").inner_text()
    sign_out(page)

    # The curator publishes, keeping the file internal.
    sign_in(page, "curator@un.example")
    page.goto(f"/review/practices/{practice_id}")
    fits(page)
    with db.read() as session:
        (file_id,) = session.scalars(
            select(Attachment.id).where(Attachment.practice_id == practice_id)
        )
    assert page.locator(f"#pub-{file_id}-internal").is_checked()
    tab_to(page, "#action")
    options = page.locator("#action option").all_inner_texts()
    for _ in range(options.index("Publish")):
        page.keyboard.press("ArrowDown")
    tab_to(page, "form:has(#action) button[type=submit]")
    activate(page)
    assert "Published" in page.locator("main").inner_text()
    fits(page)
    page.goto("/admin/users")
    fits(page)
    sign_out(page)

    # The public page: verified, no internal file; the file itself is not found.
    page.goto(f"/practices/{practice_id}")
    fits(page)
    public = page.locator("main").inner_text()
    assert "Harbour referral desk" in public and "case-notes.pdf" not in public
    assert "not yet verified" not in public
    assert page.request.get(f"/attachments/{file_id}").status == 404
    context.close()
