"""The site in the six UN languages, as readers meet it: the first visit in the browser's
language, a switcher whose choice is kept, links that carry a language, Arabic right to left,
practices in the reader's language where they have a translation, and an API that answers in
the language asked for."""

import json
import re

import pytest
from sqlalchemy import select

from repository.models import User
from tests.conftest import add_practices, csrf_from, make_user, record, sign_in, sync


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def choose(client, language: str, next_path: str = "/"):
    token = csrf_from(client.get("/").text)
    return client.post(
        "/language",
        data={"csrf_token": token, "language": language, "next": next_path},
        follow_redirects=False,
    )


def test_the_first_visit_follows_the_browsers_languages(client):
    arabic = client.get("/", headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert html_tag(arabic.text) == '<html lang="ar" dir="rtl">'
    assert "ممارسات" in arabic.text or "الممارسات" in arabic.text
    assert arabic.headers["content-language"] == "ar"
    assert "Accept-Language" in arabic.headers["vary"]
    # German is not a UN language: the next one the browser names is used.
    french = client.get("/", headers={"Accept-Language": "de-CH, fr;q=0.8, en;q=0.7"})
    assert html_tag(french.text) == '<html lang="fr" dir="ltr">'
    assert html_tag(client.get("/").text) == '<html lang="en" dir="ltr">'


def test_the_switcher_keeps_the_choice_over_the_browsers(client):
    response = choose(client, "zh", "/coverage?pillar=prevention")
    assert response.status_code == 303
    assert response.headers["location"] == "/coverage?pillar=prevention"
    assert "practices_lang=zh" in response.headers["set-cookie"]
    page = client.get("/coverage", headers={"Accept-Language": "fr"})
    assert html_tag(page.text) == '<html lang="zh" dir="ltr">'
    assert "预防" in page.text  # the pillar "Prevention"
    # Every page offers the six languages, each named in itself.
    for name in ("العربية", "中文", "English", "Français", "Русский", "Español"):
        assert f">{name}</button>" in page.text


def test_an_unknown_language_is_refused_and_the_switcher_goes_nowhere_else(client):
    assert choose(client, "de").status_code == 400
    assert choose(client, "fr", "https://evil.example/").headers["location"] == "/"


def test_a_link_carries_its_language_and_pages_name_their_alternates(client):
    choose(client, "zh")
    page = client.get("/practices?lang=ru")
    assert html_tag(page.text) == '<html lang="ru" dir="ltr">'
    alternates = re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)">', page.text)
    assert [code for code, _ in alternates] == ["ar", "zh", "en", "fr", "ru", "es"]
    assert ("es", "https://testserver/practices?lang=es") in alternates
    # The link's language is for that address; the visitor's own choice stays.
    assert html_tag(client.get("/practices").text) == '<html lang="zh" dir="ltr">'


def test_an_account_keeps_its_language_on_any_device(client, app, db):
    make_user(db, "delegate@mission.example", role="partner", organisation="Mission")
    sign_in(client, "delegate@mission.example")
    choose(client, "es")
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == "delegate@mission.example"))
        assert user.language == "es"
    from starlette.testclient import TestClient

    with TestClient(app, base_url="https://testserver") as elsewhere:
        sign_in(elsewhere, "delegate@mission.example")
        page = elsewhere.get("/", headers={"Accept-Language": "ru"})
        assert html_tag(page.text) == '<html lang="es" dir="ltr">'


@pytest.fixture
def french_practice(client, db):
    (practice_id,) = add_practices(
        db,
        record(
            title="Plan national de lutte contre la traite des êtres humains",
            summary="Un plan qui coordonne les ministères et les associations.",
            language="fr",
            translations={
                "en": {
                    "title": "National action plan against trafficking in human beings",
                    "summary": "A plan that coordinates ministries and associations.",
                }
            },
        ),
    )
    sync(client.app)
    return practice_id


def test_a_practice_is_shown_in_the_readers_language_with_the_original_one_click_away(
    client, french_practice
):
    page = client.get(f"/practices/{french_practice}").text
    assert "<h1>National action plan against trafficking" in page  # the page's own language
    assert "Title and summary translated from French." in page
    assert f'href="/practices/{french_practice}?original=1"' in page
    original = client.get(f"/practices/{french_practice}?original=1").text
    assert '<h1 lang="fr" dir="ltr">Plan national de lutte' in original
    assert "Shown in the original language (French)." in original
    # The description is never translated: it says which language it is in.
    assert '<div class="practice-text" lang="fr" dir="ltr">' in original


def test_without_a_translation_the_original_is_marked_with_its_language(client, french_practice):
    page = client.get(f"/practices/{french_practice}", headers={"Accept-Language": "ar"}).text
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert '<h1 lang="fr" dir="ltr">Plan national de lutte' in page
    results = client.get("/search?q=plan", headers={"Accept-Language": "ar"}).text
    assert '<h3 class="card-title" lang="fr" dir="ltr">' in results
    english = client.get("/search?q=plan").text
    assert '<h3 class="card-title"><a href="/practices/' in english
    assert "National action plan against trafficking" in english


def test_a_search_shows_its_words_in_the_readers_language_where_the_practice_has_them(
    client, french_practice
):
    # An English reader of the French practice: the snippet is the English summary, marked
    # where the query's words (or their concept, "coordination") are, with no lang="fr".
    page = client.get("/search?q=coordinates+ministries").text
    snippet = re.search(r'<p class="snippet"[^>]*>.*?</p>', page, re.S).group(0)
    assert snippet.startswith('<p class="snippet">') and "<mark>ministries</mark>" in snippet
    api = client.get("/api/search?q=coordinates+ministries&lang=en").json()["results"][0]
    assert api["snippet_language"] == "en" and "<mark>ministries</mark>" in api["snippet"]
    # A French reader gets the French original, marked, without a lang attribute either.
    french = client.get("/search?q=minist%C3%A8res", headers={"Accept-Language": "fr"}).text
    snippet = re.search(r'<p class="snippet"[^>]*>.*?</p>', french, re.S).group(0)
    assert snippet.startswith('<p class="snippet">') and "<mark>ministères</mark>" in snippet
    # An Arabic reader (no Arabic translation) gets the original, marked as French.
    arabic = client.get("/search?q=minist%C3%A8res", headers={"Accept-Language": "ar"}).text
    assert '<p class="snippet" lang="fr" dir="ltr">' in arabic


def test_the_api_answers_in_the_language_asked_for(client, french_practice):
    pillars = client.get("/api/vocabularies?lang=fr").json()["pillars"]
    assert {"value": "prevention", "label": "Prévention"} in pillars
    chinese = client.get("/api/vocabularies", headers={"Accept-Language": "zh-CN"})
    assert chinese.headers["content-language"] == "zh"
    assert {"value": "prevention", "label": "预防"} in chinese.json()["pillars"]
    countries = client.get("/api/countries?lang=ar").json()
    assert {"code": "FRA", "name": "فرنسا"}.items() <= next(
        c for c in countries if c["code"] == "FRA"
    ).items()
    found = client.get("/api/search?q=plan&lang=en").json()["results"][0]
    assert found["title"].startswith("National action plan") and found["translated"]
    assert found["language"] == "fr" and found["text_language"] == "en"
    document = client.get("/api/openapi.json").json()
    parameters = document["paths"]["/api/search"]["get"]["parameters"]
    assert {"lang", "Accept-Language"} <= {p["name"] for p in parameters}


def test_error_messages_come_in_the_readers_language(client):
    english = client.get("/practices/999999").text
    french = client.get("/practices/999999?lang=fr").text
    assert "There is no published practice or page at this address." in english
    assert "There is no published practice or page at this address." not in french
    assert html_tag(french) == '<html lang="fr" dir="ltr">'


EGYPT_LAW = "القانون رقم 64 لسنة 2010 بشأن مكافحة الاتجار بالبشر – مصر"
CHINA_PLAN = "中国反对拐卖妇女儿童行动计划(2008—2012年)"


@pytest.fixture
def collection(client, db) -> dict[str, int]:
    """Two practices of the seed, in Arabic and in Chinese: their ids by title."""
    from tests.conftest import seed_lines

    wanted = [r for r in map(json.loads, seed_lines()) if r["title"] in (EGYPT_LAW, CHINA_PLAN)]
    ids = add_practices(db, *wanted)
    sync(client.app)
    return {r["title"]: i for r, i in zip(wanted, ids, strict=True)}


def add_to_brief(client, practice_id: int, language: str):
    token = csrf_from(client.get("/brief").text)
    client.post(
        "/brief/add",
        data={"csrf_token": token, "practice_id": str(practice_id)},
        headers={"Accept-Language": language},
        follow_redirects=False,
    )


def pdf_text(client, language: str) -> str:
    import io

    from pypdf import PdfReader

    response = client.get("/brief.pdf", headers={"Accept-Language": language})
    assert response.status_code == 200
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_brief_in_chinese_counts_characters_and_cites_in_chinese(client, collection):
    choose(client, "zh")
    add_to_brief(client, collection[CHINA_PLAN], "zh")
    data = client.get("/api/brief").json()
    assert data["count_unit"] == "characters" and data["rate"] == 220
    spoken = data["items"][0]["spoken"]
    assert data["seconds"] == round(data["word_count"] * 60 / 220)
    assert data["word_count"] > len(spoken.split())  # characters, not space-separated words
    page = client.get("/brief").text
    assert "个字" in page  # "N characters, about M:SS spoken at 220 characters a minute."
    text = pdf_text(client, "zh")
    assert "发言要点" in text  # "Intervention brief"
    assert data["items"][0]["title"][:8] in text


def test_the_brief_in_arabic_reads_right_to_left_in_print(client, collection):
    choose(client, "ar")
    add_to_brief(client, collection[EGYPT_LAW], "ar")
    data = client.get("/api/brief").json()
    assert data["count_unit"] == "words" and data["rate"] == 105
    page = client.get("/brief").text
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    text = pdf_text(client, "ar")
    # Shaped by HarfBuzz and read back as the letters written (not their joined forms).
    assert "المصادر" in text  # "Sources"
    assert "مكافحة" in text


def test_the_api_refuses_a_lang_its_document_rules_out_and_pages_ignore_it(client):
    for wrong in ("x" * 36, "fr\x01"):
        response = client.get("/api/facets", params={"lang": wrong})
        assert response.status_code == 400
        assert response.json()["error"]["parameter"] == "lang"
    assert client.get("/api/facets", params={"lang": "tlh"}).status_code == 200  # ignored
    assert client.get("/coverage", params={"lang": "x" * 36}).status_code == 200
