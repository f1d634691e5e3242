"""The delegate's brief as a person uses it: lines to read aloud that they can edit, reorder
and take away; briefs that survive signing in and out, kept by name and shared by a link;
emptying that asks first; suggestions on the brief's own topic."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from repository.practices.interchange import import_lines
from tests.conftest import csrf_from, make_user, seed_lines, sign_in, sync

ATHENS, CALIFORNIA, UK_ACT, AUSTRALIA_ACT, EU_DAY, MTV_EXIT = 5, 8, 49, 50, 47, 39
SUPPLY_CHAIN = "labour exploitation in supply chains"


@pytest.fixture
def world(client, db):
    # The first 60 seed practices hold every practice these tests name, and index in a
    # quarter of the whole collection's time.
    import_lines(db, seed_lines()[:60])
    sync(client.app)


@pytest.fixture
def whole_world(client, db):
    """The whole seed: suggestions reach for practices of every regional group."""
    import_lines(db, seed_lines())
    sync(client.app)


def token(client) -> str:
    return csrf_from(client.get("/signin").text)


def add(client, practice_id, topic="", accept_json=False):
    headers = {"Accept": "application/json"} if accept_json else {}
    data = {"csrf_token": token(client), "practice_id": str(practice_id), "topic": topic}
    return client.post("/brief/add", data=data, headers=headers, follow_redirects=False)


def change(client, **fields):
    data = {
        "csrf_token": token(client),
        **{k.replace("_", "-", 1) if k.startswith("line_") else k: v for k, v in fields.items()},
    }
    return client.post("/brief/change", data=data, follow_redirects=False)


def brief(client) -> dict:
    return client.get("/api/brief").json()


def test_each_line_names_the_practice_and_ends_with_a_spoken_citation(client, world):
    add(client, ATHENS)
    line = brief(client)["items"][0]["spoken"]
    assert line.startswith("Adopted by business leaders in Athens on 23 January 2006, the Athens")
    assert "The principles became the basis of the End Human Trafficking Now campaign" in line
    assert line.endswith("Source: Forced Migration Review, 2006.")


def test_edited_lines_opening_and_closing_are_what_counts_prints_and_downloads(client, world):
    add(client, ATHENS, topic=SUPPLY_CHAIN)
    add(client, CALIFORNIA)
    mine = "California makes big retailers publish what they do against slavery. Source: DoS."
    change(
        client,
        action="save",
        opening="Madam President, three things work.",
        closing="We stand ready to share our experience.",
        **{f"line_{CALIFORNIA}": mine},
    )
    data = brief(client)
    athens, california = data["items"]
    assert california["spoken"] == mine and california["edited"] and not athens["edited"]
    words = 5 + 7 + len(athens["spoken"].split()) + len(mine.split())
    assert data["word_count"] == words and data["seconds"] == round(words * 60 / 130)

    text = client.get("/brief.txt").text
    assert text.index("Madam President") < text.index("1. Athens Ethical Principles")
    assert f"2. California Transparency in Supply Chains Act\n{mine}" in text
    assert text.index("We stand ready") < text.index("Sources")
    assert "[2] California Transparency in Supply Chains Act" in text
    assert "http://testserver/practices/8" in text or "https://testserver/practices/8" in text

    docx = client.get("/brief.docx")
    assert docx.headers["content-type"].endswith("wordprocessingml.document")
    xml = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert mine in xml and "Madam President" in xml and "Athens Ethical Principles" in xml
    rels = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/_rels/document.xml.rels").decode()
    assert "testserver/practices/8" in rels  # the permalink is a real link

    pdf = PdfReader(io.BytesIO(client.get("/brief.pdf").content))
    flat = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "California makes big retailers publish" in flat and "Madam President" in flat
    assert "testserver/practices/8" in flat.replace(" ", "")

    # The suggested line comes back on request, and an emptied line means the suggestion.
    change(client, action=f"restore:{CALIFORNIA}")
    assert not brief(client)["items"][1]["edited"]
    change(client, action="save", **{f"line_{ATHENS}": "   "})
    assert brief(client)["items"][0]["spoken"] == athens["spoken"]


def test_moving_and_removing_keep_unsaved_edits(client, world):
    for practice_id in (ATHENS, CALIFORNIA, UK_ACT):
        add(client, practice_id)
    response = change(client, action=f"up:{UK_ACT}", **{f"line_{ATHENS}": "My own words."})
    assert response.headers["location"] == f"/brief#item-{UK_ACT}"
    data = brief(client)
    assert [i["id"] for i in data["items"]] == [ATHENS, UK_ACT, CALIFORNIA]
    assert data["items"][0]["spoken"] == "My own words."
    change(client, action=f"remove:{ATHENS}")
    assert [i["id"] for i in brief(client)["items"]] == [UK_ACT, CALIFORNIA]


def test_emptying_asks_first(client, world):
    add(client, ATHENS)
    page = client.get("/brief/empty")
    assert "Empty your brief?" in page.text and "Athens Ethical Principles" in page.text
    assert len(brief(client)["items"]) == 1  # asking changed nothing
    client.post("/brief/empty", data={"csrf_token": token(client)})
    assert brief(client)["items"] == []
    assert "Your brief is empty" in client.get("/brief").text


def test_adding_answers_in_place_for_the_script_and_beside_the_card_without(client, world):
    answer = add(client, ATHENS, topic=SUPPLY_CHAIN, accept_json=True).json()
    assert answer["in_brief"] and answer["count"] == 1
    assert answer["message"].startswith("Added to your brief: 1 practice, about")
    page = client.get("/search?q=supply+chains")
    assert "data-brief-count>1</span>" in page.text  # the count in the navigation
    # Without the script: back to the card, whose button now says it is in the brief.
    response = client.post(
        "/brief/add",
        data={
            "csrf_token": token(client),
            "practice_id": str(CALIFORNIA),
            "next": f"/search?q=supply+chains#r{CALIFORNIA}",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/search?q=supply+chains#r{CALIFORNIA}"
    page = client.get("/search?q=supply+chains").text
    card = page.split(f'id="r{CALIFORNIA}"', 1)[1].split("</li>", 1)[0]
    assert "Added to your brief: 2 practices" in card and "Remove from brief" in card
    assert "Added to your brief" not in page.split('id="main"', 1)[1].split("<h1>", 1)[0]
    # A card's remove button takes it out again.
    client.post(
        "/brief/change",
        data={
            "csrf_token": token(client),
            "practice_id": str(CALIFORNIA),
            "action": "remove",
            "next": "/search",
        },
    )
    assert [i["id"] for i in brief(client)["items"]] == [ATHENS]


@pytest.mark.slow
def test_suggestions_stay_on_the_brief_topic_and_say_why_in_the_reader_language(
    client, whole_world
):
    """One test for both, as the whole collection takes ten seconds to index: suggestions stay
    on the topic and say why; a reader of the Arabic pages reads why in Arabic, with the
    group's Arabic name in it, not an English sentence around it."""
    for practice_id in (CALIFORNIA, UK_ACT, AUSTRALIA_ACT):
        add(client, practice_id, topic=SUPPLY_CHAIN)
    data = brief(client)
    assert data["topic"] == SUPPLY_CHAIN
    suggested = {s["id"] for s in data["suggestions"]}
    assert suggested and not suggested & {EU_DAY, MTV_EXIT}
    on_topic = {
        r["id"]
        for r in client.get("/api/search", params={"q": SUPPLY_CHAIN, "per_page": 100}).json()[
            "results"
        ]
    }
    assert suggested <= on_topic
    reasons = [s["reason"] for s in data["suggestions"]]
    assert "adds a practice from the African Group on this topic" in reasons, reasons
    html = client.get("/brief").text
    assert "adds a practice from the African Group on this topic" in html

    html = client.get("/brief", params={"lang": "ar"}).text
    assert "تضيف ممارسة في هذا الموضوع من مجموعة الدول الأفريقية" in html
    assert "on this topic" not in html.split('class="suggestions"', 1)[1].split("</ul>", 1)[0]


def test_the_brief_survives_signing_in_and_out(client, world, db):
    make_user(db, "delegate@mission.example")
    add(client, ATHENS)
    add(client, CALIFORNIA)
    sign_in(client, "delegate@mission.example")
    assert [i["id"] for i in brief(client)["items"]] == [ATHENS, CALIFORNIA]
    change(client, action="save", name="Supply chains, 3 June", opening="Thank you.")
    client.post("/signout", data={"csrf_token": token(client)})
    after = brief(client)
    assert [i["id"] for i in after["items"]] == [ATHENS, CALIFORNIA]
    assert after["opening"] == "Thank you."
    # Signing in again brings the account's brief back, not a second copy of it.
    sign_in(client, "delegate@mission.example")
    page = client.get("/brief").text
    assert page.count("Supply chains, 3 June") >= 1
    assert "Start a new brief" in page and page.count('value="open"') == 0


def test_an_account_keeps_named_briefs_and_shares_one_read_only(client, world, db):
    make_user(db, "delegate@mission.example")
    make_user(db, "other@mission.example")
    sign_in(client, "delegate@mission.example")
    add(client, ATHENS)
    change(client, action="save", name="Business")
    client.post("/briefs", data={"csrf_token": token(client), "action": "new"})
    add(client, UK_ACT)
    change(client, action="save", name="Supply chains")
    page = client.get("/brief").text
    assert "Business" in page and "Supply chains" in page
    assert [i["id"] for i in brief(client)["items"]] == [UK_ACT]

    client.post("/briefs", data={"csrf_token": token(client), "action": "share"})
    link = client.get("/brief").text.split('Read-only link to this brief: <a href="', 1)[1]
    link = link.split('"', 1)[0]
    client.post("/signout", data={"csrf_token": token(client)})
    client.cookies.clear()
    shared = client.get(link)
    assert shared.status_code == 200 and "Transparency in supply chains duty" in shared.text
    assert "<textarea" not in shared.text and "Save changes" not in shared.text
    assert client.get(f"{link}/brief.txt").text.startswith("Supply chains\n")

    sign_in(client, "other@mission.example")
    business = next(
        b for b in _briefs_of(db, "delegate@mission.example") if b["name"] == "Business"
    )
    assert client.get(f"/briefs/{business['id']}/delete").status_code == 404
    client.cookies.clear()

    sign_in(client, "delegate@mission.example")
    confirm = client.get(f"/briefs/{business['id']}/delete")
    assert "Delete the brief “Business”?" in confirm.text
    client.post(f"/briefs/{business['id']}/delete", data={"csrf_token": token(client)})
    assert "Business" not in client.get("/brief").text
    client.post("/briefs", data={"csrf_token": token(client), "action": "unshare"})
    assert client.get(link).status_code == 404


def _briefs_of(db, email):
    from sqlalchemy import select

    from repository.brief import services
    from repository.models import User

    with db.read() as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
    return services.briefs_of(db, services.Holder(None, user_id))


def test_an_empty_brief_offers_no_downloads(client, world):
    page = client.get("/brief").text
    assert "/brief.pdf" not in page and "/brief.docx" not in page
    assert client.get("/brief.txt").status_code == 404
