"""The delegate's toolkit: the brief, downloads, feeds, country and coverage pages, the API.
None of them ever shows anything unpublished."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from repository.practices.interchange import import_lines
from tests.conftest import add_practices, csrf_from, make_user, record, sample_seed_lines, sync

HIDDEN = "Quokkaville unpublished practice"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world(client, db):
    import_lines(db, sample_seed_lines())
    hidden = add_practices(
        db,
        *[
            record(
                title=f"{HIDDEN} {status}",
                status=status,
                countries=["KIR"],
                pillars=["prosecution"],
            )
            for status in ("draft", "submitted", "rejected", "archived", "changes_requested")
        ],
    )
    sync(client.app)
    return hidden


def add_to_brief(client, practice_id):
    token = csrf_from(client.get("/practices/1").text)
    return client.post(
        "/brief/add",
        data={"csrf_token": token, "practice_id": str(practice_id)},
        follow_redirects=False,
    )


def brief_json(client):
    return client.get("/api/brief").json()


def test_the_brief_adds_reorders_removes_without_javascript(client, world):
    for practice_id in (3, 10, 33):
        assert add_to_brief(client, practice_id).status_code == 303
    assert [i["id"] for i in brief_json(client)["items"]] == [3, 10, 33]
    token = csrf_from(client.get("/practices/1").text)
    client.post("/brief/change", data={"csrf_token": token, "practice_id": "33", "action": "up"})
    assert [i["id"] for i in brief_json(client)["items"]] == [3, 33, 10]
    client.post("/brief/change", data={"csrf_token": token, "practice_id": "3", "action": "remove"})
    assert [i["id"] for i in brief_json(client)["items"]] == [33, 10]
    assert add_to_brief(client, world[0]).status_code == 404  # unpublished: never in a brief


def test_word_count_and_speaking_time_are_right(client, world):
    for practice_id in (3, 10):
        add_to_brief(client, practice_id)
    data = brief_json(client)
    words = sum(len(i["spoken"].split()) for i in data["items"])
    assert data["word_count"] == words
    assert data["seconds"] == round(words * 60 / 130)
    assert not data["over_limit"]
    html = client.get("/brief").text
    assert f"{words} words" in html and 'class="over-note" hidden' in html


def test_a_brief_over_three_minutes_is_flagged(client, world):
    for practice_id in range(1, 21):
        add_to_brief(client, practice_id)
    data = brief_json(client)
    assert data["word_count"] > 400 and data["over_limit"]
    html = client.get("/brief").text
    assert "Longer than 3 minutes" in html and 'class="over-note" hidden' not in html


def test_pdf_and_text_hold_the_practices_and_citations(client, world):
    for practice_id in (3, 10):
        add_to_brief(client, practice_id)
    data = brief_json(client)
    pdf = client.get("/brief.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    for item in data["items"]:
        assert " ".join(item["title"].split()[:4]) in flat
        assert item["permalink"] in flat.replace(" ", "") or item["url"] in flat.replace(" ", "")
    plain = client.get("/brief.txt").text
    assert all(i["citation"] in plain and i["spoken"] in plain for i in data["items"])


def test_balance_suggestions_fill_a_missing_pillar_or_group(client, world):
    add_to_brief(client, 3)  # a partnership practice in Austria
    data = brief_json(client)
    missing = data["balance"]["missing"]
    assert missing["pillar"] and missing["un_group"]
    for suggestion in data["suggestions"]:
        practice = client.get(f"/api/practices/{suggestion['id']}").json()
        key = {"pillar": "pillars", "un_group": "un_groups", "actor_type": "actor_types"}[
            suggestion["fills"]
        ]
        assert suggestion["value"] in practice[key]
        assert suggestion["value"] in missing[suggestion["fills"]]
    assert {s["fills"] for s in data["suggestions"]} >= {"pillar"}


def test_exports_equal_the_union_of_the_pages(client, world):
    query = "pillar=protection&pillar=prevention&sort=title"
    ids, page = [], 1
    while True:
        body = client.get(f"/api/search?{query}&per_page=7&page={page}").json()
        ids += [r["id"] for r in body["results"]]
        if page >= body["pages"]:
            break
        page += 1
    rows = list(csv.DictReader(io.StringIO(client.get(f"/search.csv?{query}").text)))
    assert [int(r["id"]) for r in rows] == ids
    exported = json.loads(client.get(f"/search.json?{query}").text)
    assert [r["id"] for r in exported["results"]] == ids and exported["total"] == len(ids)


def test_csv_cells_cannot_become_spreadsheet_formulas(client, db):
    add_practices(db, record(title='=HYPERLINK("http://evil.example")'))
    sync(client.app)
    row = next(csv.DictReader(io.StringIO(client.get("/search.csv").text)))
    assert row["title"].startswith("'=")


def test_feeds_are_newest_first_and_published_only(client, world):
    for url in ("/feeds/new.atom", "/search.atom?pillar=prosecution", "/search.atom?q=quokkaville"):
        root = ET.fromstring(client.get(url).content)
        entries = root.findall(f"{ATOM}entry")
        dates = [e.find(f"{ATOM}published").text for e in entries]
        assert dates == sorted(dates, reverse=True)
        assert HIDDEN not in client.get(url).text
    assert ET.fromstring(client.get("/feeds/new.atom").content).findall(f"{ATOM}entry")


def test_country_pages_and_coverage(client, world):
    page = client.get("/countries/NGA").text
    assert "Nigeria" in page and "African Group" in page and "Sub-Saharan Africa" in page
    assert client.get("/countries/KIR").status_code == 200
    assert HIDDEN not in client.get("/countries/KIR").text
    assert client.get("/countries/ZZZ").status_code == 404
    coverage = client.get("/coverage").text
    assert "<svg" in coverage and "<title>" in coverage and "Pillar by region" in coverage
    assert HIDDEN not in coverage
    # Kiribati has only unpublished practices: it is listed among the countries with none.
    without = coverage.split("have no practice", 1)[1].split("</details>", 1)[0]
    assert '<a href="/countries/KIR">Kiribati</a>' in without
    assert re.search(r"<title>Brazil: [1-9]\d*</title>", coverage)


def test_zero_result_searches_are_listed_for_curators_only(client, world, db):
    client.get("/search?q=zzyzx+xylophonics")
    assert "zzyzx xylophonics" not in client.get("/coverage").text
    make_user(db, "cur@un.example", role="curator")
    from tests.conftest import sign_in

    sign_in(client, "cur@un.example")
    assert "zzyzx xylophonics" in client.get("/coverage").text


def test_the_api_shows_nothing_unpublished(client, world):
    for path in (
        "/api/practices?per_page=100",
        "/api/search?per_page=100&country=KIR",
        "/api/facets",
        "/api/brief",
    ):
        assert HIDDEN not in client.get(path).text, path
    for practice_id in world:
        assert client.get(f"/api/practices/{practice_id}").status_code == 404
    body = client.get("/api/practices?per_page=5&page=2").json()
    assert body["links"]["prev"].startswith("/api/practices?") and body["total"] >= 48


def test_partners_submit_drafts_with_an_api_token(client, db):
    from tests.conftest import post_form, sign_in

    make_user(db, "sys@org.example", organisation="Systems Org")
    sign_in(client, "sys@org.example")
    created = post_form(
        client, "/account/tokens", "/account/tokens", {"action": "create", "name": "CI"}
    )
    token = re.search(r'<code class="token">(ph_[^<]+)</code>', created.text).group(1)
    assert created.headers["cache-control"] == "no-store"
    assert token not in client.get("/account/tokens").text  # shown once
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/submissions", json=record()).status_code == 401
    bad = client.post(
        "/api/submissions", json=record(pillars=["nope"], start_year="x"), headers=headers
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["error"]["errors"]} == {"pillars", "start_year"}
    created = client.post(
        "/api/submissions", json={**record(), "status": "published"}, headers=headers
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    practice_id = created.json()["id"]
    assert (
        client.get(f"/api/submissions/{practice_id}", headers=headers).json()["status"] == "draft"
    )
    assert client.get(f"/api/practices/{practice_id}").status_code == 404
    sign_in(client, "sys@org.example")
    revoke_page = client.get("/account/tokens").text
    token_id = re.search(r'name="token_id" value="(\d+)"', revoke_page).group(1)
    post_form(
        client, "/account/tokens", "/account/tokens", {"action": "revoke", "token_id": token_id}
    )
    client.cookies.clear()
    assert client.post("/api/submissions", json=record(), headers=headers).status_code == 401
