"""Every page the app has, loaded in Chromium and checked with axe-core (WCAG 2.1 A and AA),
at 1280 and 390 px: as a visitor, as a partner with drafts, evidence and a named brief, and as
a curator with a queue. A page no loop visits fails test_every_page_is_in_a_loop.

When a feature adds a page, add its path to PAGES (visitors), partner_pages or curator_pages.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from starlette.routing import Match, Route

from repository.app import routes
from repository.models import Practice, User
from repository.practices import workflow
from repository.submissions.attachments import Upload, add
from tests.conftest import PASSWORD, make_user, record

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
    "unsubscribe, link no longer valid": "/email/unsubscribe/not-a-token",
}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Only violations are read: passes and the rest are not gathered in full, nor sent back.
    "resultTypes": ["violations"],
}


def violations(page) -> list[dict]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.response["violations"]


WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def found_by_axe(page) -> list[str]:
    """Every WCAG 2.1 A/AA violation, whatever its impact: the issue 14 bar is none at all."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations(page)
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
        "brief, delete it?": page.locator("#share a[href$='/delete']").first.get_attribute("href"),
    }


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS.keys())
def test_every_page_passes_axe_and_fits_the_width(chromium, live_server, db, width):
    """axe-core (WCAG 2.1 A and AA) finds nothing on any page, and no page is wider
    than the window: at 390 px nothing scrolls sideways."""
    w, h = WIDTHS[width]
    context = chromium.new_context(base_url=live_server.url, viewport={"width": w, "height": h})
    page = context.new_page()
    failures = []
    pages = dict(PAGES)
    pages.update(fill_a_brief(page, db))
    for name, path in pages.items():
        page.goto(path)
        failures += problems_of(page, name)
    context.close()
    assert failures == []


def problems_of(page, name: str) -> list[str]:
    """What axe finds on the page, and how far it is wider than the window."""
    found = [f"{name}: {problem}" for problem in found_by_axe(page)]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{name}: {overflow} px wider than the window")
    return found


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def work(db, settings, live_server) -> dict:
    """Org A's partner with a draft holding an evidence file, a submitted practice and a
    submitted update of a published one; a curator to review them."""
    make_user(db, "partner@org-a.example", organisation="Org A")
    make_user(db, "curator@un.example", role="curator")
    with db.write() as session:
        partner = session.scalar(select(User).where(User.email == "partner@org-a.example"))
        draft = workflow.create_draft(
            session, partner, {**record(title="Shelter desk"), "scope": "national"}
        )
        add(session, settings.upload_dir, draft.id, partner, Upload("case.pdf", PDF))
        submitted = workflow.create_draft(
            session, partner, {**record(title="Labour hotline"), "scope": "national"}
        )
        add(session, settings.upload_dir, submitted.id, partner, Upload("evidence.pdf", PDF))
        workflow.transition(session, partner, submitted, "submit", confirmed_no_personal_data=True)
        published, other = session.scalars(
            select(Practice).where(Practice.status == "published").order_by(Practice.id).limit(2)
        )
        update = workflow.propose_update(session, partner, published)
        workflow.transition(session, partner, update, "submit", confirmed_no_personal_data=True)
        draft_update = workflow.propose_update(session, partner, other)
        return {
            "draft": draft.id,
            "submitted": submitted.id,
            "published": published.id,
            "update": update.id,
            "draft_update": draft_update.id,
        }


def partner_pages(work: dict) -> dict:
    draft = f"/submissions/{work['draft']}"
    update = f"/submissions/updates/{work['draft_update']}"
    return {
        "my submissions": "/submissions",
        "new submission": "/submissions/new",
        "draft": draft,
        "draft, edit": f"{draft}/edit",
        "draft, submit it?": f"{draft}/submit",
        "draft, preview": f"{draft}/preview",
        "draft, delete it?": f"{draft}/delete",
        "draft, make it an update?": f"{draft}/update-of/{work['published']}",
        "proposed update": update,
        "proposed update, edit": f"{update}/edit",
        "proposed update, submit it?": f"{update}/submit",
        "proposed update, preview": f"{update}/preview",
        "proposed update, delete it?": f"{update}/delete",
        "organisation": "/account/organisation",
        "password and sessions": "/account/password",
        "API tokens": "/account/tokens",
        "notifications": "/account/notifications",
        "e-mail settings": "/account/email",
    }


def curator_pages(work: dict) -> dict:
    return {
        "review queue": "/review",
        "review, submitted practice with evidence": f"/review/practices/{work['submitted']}",
        "review, proposed update": f"/review/updates/{work['update']}",
        "revisions": f"/practices/{work['published']}/revisions",
        "revision, purge it?": f"/practices/{work['published']}/revisions/1/purge",
        "users": "/admin/users",
    }


def sign_in(page, email: str) -> None:
    page.goto("/signin")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTHS.keys())
def test_every_signed_in_page_passes_axe_and_fits_the_width(chromium, live_server, work, width):
    """The partner's and the curator's pages, confirmations included: each answers 200 to the
    person it is for, axe finds nothing, nothing scrolls sideways at 390 px."""
    w, h = WIDTHS[width]
    failures = []
    for email, pages in (
        ("partner@org-a.example", partner_pages(work)),
        ("curator@un.example", curator_pages(work)),
    ):
        context = chromium.new_context(base_url=live_server.url, viewport={"width": w, "height": h})
        page = context.new_page()
        sign_in(page, email)
        for name, path in pages.items():
            response = page.goto(path)
            if response.status != 200:
                failures.append(f"{name}: {path} answered {response.status}")
            failures += problems_of(page, name)
        context.close()
    assert failures == []


# Routes that answer a GET with something other than a page: data, files, feeds, probes.
NOT_PAGES = {
    "api_brief",
    "api_countries",
    "api_facets",
    "openapi",
    "api_practices",
    "api_practice",
    "api_search",
    "api_submission",
    "api_vocabularies",
    "attachment",
    "attachment_view",
    "brief_docx",
    "brief_pdf",
    "brief_text",
    "brief_shared_download",
    "favicon",
    "new_atom",
    "search_atom",
    "search_csv",
    "search_json",
    "healthz",
    "readyz",
    "static",
}


def test_axe_as_configured_here_finds_what_it_should(chromium):
    """The checks above pass only if axe, with these options, sees violations at all: a page
    with an unlabelled field, an image without text and faint text fails it."""
    context = chromium.new_context()
    page = context.new_page()
    page.set_content(
        '<html lang="en"><title>Bad</title><body><main><img src="x.png">'
        '<input type="text"><p style="color:#ccc;background:#fff">faint</p></main></body></html>'
    )
    found = {problem.split(" ", 1)[0] for problem in found_by_axe(page)}
    context.close()
    assert {"image-alt", "label", "color-contrast"} <= found, found


def test_every_page_is_in_a_loop():
    """A page added to the app without a place in the loops above fails here."""
    ids = {"draft": 1, "submitted": 2, "published": 3, "update": 4, "draft_update": 5}
    visited = [*PAGES.values(), *partner_pages(ids).values(), *curator_pages(ids).values()]
    visited += ["/brief", "/brief/empty", "/briefs/shared/token", "/briefs/1/delete"]
    reached = set()
    for path in visited:
        scope = {"type": "http", "method": "GET", "path": path.split("?")[0]}
        for route in routes():
            if isinstance(route, Route) and route.matches(scope)[0] == Match.FULL:
                reached.add(route.name)
                break
    pages = {
        route.name
        for route in routes()
        if isinstance(route, Route)
        and "GET" in (route.methods or ())
        and route.name not in NOT_PAGES
    }
    assert sorted(pages - reached) == []


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
