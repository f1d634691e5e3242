"""Searching through the app: the page, the JSON API, and what they must never show."""

import json
import re

import pytest

from search.thesaurus import default as default_thesaurus
from tests.conftest import record, sample_seed_lines, shared_client

HIDDEN = "Zanzibarian secret draft"


@pytest.fixture(scope="module")
def seeded_app(migrated_db, tmp_path_factory):
    """The seed sample and five unpublished practices, indexed once for these read-only tests."""
    hidden = [
        json.dumps(
            record(
                title=f"{HIDDEN} {status}",
                status=status,
                summary="Unpublished words: quokkaville mechanism",
                pillars=["prosecution"],
                countries=["KIR"],
            )
        )
        for status in ("draft", "submitted", "changes_requested", "rejected", "archived")
    ]
    lines = sample_seed_lines() + hidden
    with shared_client(migrated_db, tmp_path_factory.mktemp("search"), lines) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_cookies(seeded_app):
    seeded_app.cookies.clear()


def test_api_search_shape(seeded_app):
    body = seeded_app.get("/api/search?q=referral&per_page=5").json()
    assert set(body) >= {"query", "total", "page", "per_page", "results", "facets", "suggestion"}
    assert body["total"] >= 2 and body["page"] == 1 and body["per_page"] == 5
    first = body["results"][0]
    assert set(first) >= {
        "id",
        "title",
        "summary",
        "url",
        "organisation",
        "countries",
        "pillars",
        "actor_types",
        "start_year",
        "snippet",
    }
    assert first["url"] == f"/practices/{first['id']}"
    assert "<mark>" in first["snippet"].lower()
    pillar = body["facets"]["pillar"][0]
    assert set(pillar) >= {"value", "label", "count", "selected"}


def test_a_count_always_equals_what_the_click_gives(seeded_app):
    body = seeded_app.get("/api/search?q=trafficking&pillar=protection").json()
    for facet, entries in body["facets"].items():
        for entry in entries:
            if entry["selected"] or facet == "pillar":
                continue
            clicked = seeded_app.get(
                f"/api/search?q=trafficking&pillar=protection&{facet}={entry['value']}"
            )
            assert clicked.json()["total"] == entry["count"], (facet, entry)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("pillar=persecution", "pillar"),
        ("country=XYZ", "country"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=-1", "page"),
        ("page=10001", "page"),
        ("sort=random", "sort"),
        ("year_from=abc", "year_from"),
        ("year_from=1899", "year_from"),
        ("q=" + "x" * 201, "q"),
        ("q=" + "+".join(["word"] * 17), "q"),
        ("q=a&q=b", "q"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_parameter(seeded_app, query, parameter):
    response = seeded_app.get(f"/api/search?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == parameter and parameter in error["message"]
    page = seeded_app.get(f"/search?{query}")
    assert page.status_code == 400 and parameter in page.text


def test_a_page_past_the_end_is_empty_not_an_error(seeded_app):
    """The API document allows any page up to 10,000; it once answered 400 past the last page
    (issue 10, item 16). Now: no results, and `prev` leads to the last page."""
    body = seeded_app.get("/api/search?q=trafficking&page=500").json()
    assert body["results"] == [] and body["page"] == 500 and body["pages"] >= 1
    assert body["links"]["prev"].endswith(f"page={body['pages']}") or body["pages"] == 1
    page = seeded_app.get("/search?q=trafficking&page=500")
    assert page.status_code == 200 and "There is no page 500" in page.text


def test_a_reversed_year_range_is_read_the_right_way_round(seeded_app):
    reversed_ = seeded_app.get("/api/search?year_from=2010&year_to=2000").json()
    ordered = seeded_app.get("/api/search?year_from=2000&year_to=2010").json()
    assert reversed_["total"] == ordered["total"] > 0
    assert reversed_["results"] == ordered["results"]


def test_unpublished_practices_never_appear_in_results_counts_or_suggestions(seeded_app):
    everything = seeded_app.get("/api/search?per_page=100").json()
    assert HIDDEN not in str(everything)
    assert all(e["value"] != "KIR" for e in everything["facets"]["country"])
    for q in ("Zanzibarian", "quokkaville", "quokkavile", "secret draft"):
        body = seeded_app.get(f"/api/search?q={q}").json()
        # Only words of unpublished practices: nothing. ("draft" is in published texts too.)
        assert body["total"] == 0 or q == "secret draft", q
        assert not body["suggestion"] or "quokka" not in body["suggestion"]
        assert not body["searched"] or "quokka" not in body["searched"]
        assert HIDDEN not in str(body) and "quokka" not in str(body["related_terms"])
    assert seeded_app.get("/api/search?country=KIR").json()["total"] == 0


def test_api_practice_returns_published_only(seeded_app):
    body = seeded_app.get("/api/search?per_page=1").json()
    practice_id = body["results"][0]["id"]
    one = seeded_app.get(f"/api/practices/{practice_id}")
    assert one.status_code == 200 and one.json()["id"] == practice_id
    hidden = seeded_app.get("/api/search?per_page=100").json()["total"] + 1  # ids after the seed
    for practice_id in range(hidden, hidden + 5):
        response = seeded_app.get(f"/api/practices/{practice_id}")
        assert response.status_code == 404 and "error" in response.json()


def test_search_page_has_facets_chips_and_state_in_the_url(seeded_app):
    html = seeded_app.get("/search?q=trafficking&pillar=protection&region=europe&sort=newest").text
    assert html.count("<fieldset") >= 10 and html.count("<legend>") >= 10
    assert 'name="pillar" value="protection" checked' in html
    assert "Clear all filters" in html
    chips = re.findall(r'class="chip" href="([^"]+)"', html)
    assert len(chips) == 2
    assert all("q=trafficking" in chip.replace("&amp;", "&") for chip in chips)
    assert '<option value="newest" selected>' in html


def test_a_misspelt_search_shows_the_results_for_the_correction(seeded_app):
    # One word, misspelt: the correction is searched, and the page says so, as web search does.
    body = seeded_app.get("/api/search?q=traficking").json()
    assert body["searched"] == "trafficking" and body["total"] > 0
    corrected = seeded_app.get("/api/search?q=trafficking").json()
    assert [r["id"] for r in body["results"]] == [r["id"] for r in corrected["results"]]
    html = seeded_app.get("/search?q=traficking").text
    assert "Showing results for <strong>trafficking</strong>" in html
    assert re.search(r'<a href="/search\?q=traficking&amp;as_typed=1">Search instead for', html)
    # Asked for as typed: the misspelt word is searched (no word matches it; at most a close
    # meaning does).
    as_typed = seeded_app.get("/api/search?q=traficking&as_typed=1").json()
    assert as_typed["searched"] is None and as_typed["total"] < body["total"]
    assert "Showing results for" not in seeded_app.get("/search?q=traficking&as_typed=1").text


def test_a_strict_query_with_a_typo_is_offered_the_correction_not_changed(seeded_app):
    body = seeded_app.get('/api/search?q="traficking"+OR+hotline').json()
    assert body["searched"] is None
    html = seeded_app.get("/search?q=traficking+AND+victims").text
    assert "Did you mean" in html and "traficking" not in html.split("Did you mean")[1][:200]


def test_a_place_named_in_the_words_becomes_a_removable_filter(seeded_app):
    africa = seeded_app.get("/api/search?region=africa&per_page=100").json()
    body = seeded_app.get("/api/search?q=Africa&per_page=100").json()
    # "Africa" typed as a word finds every practice of the region, not only those saying it.
    assert {r["id"] for r in body["results"]} == {r["id"] for r in africa["results"]}
    assert [u["value"] for u in body["understood"]] == ["africa"]
    assert body["facets"]["region"][0]["selected"]
    html = seeded_app.get("/search?q=Africa").text
    assert "Understood from your words:" in html and "Region (UN M49): Africa" in html
    # The chip leads back to the words as typed, where no filter is applied.
    as_typed = seeded_app.get(body["as_typed_url"].replace("/search", "/api/search")).json()
    assert as_typed["understood"] == [] and as_typed["query"]["q"] == "Africa"
    # In other languages too, and inflected: Spanish, Russian (locative), Arabic, Chinese.
    for q in ("África", "в Африке", "أفريقيا", "非洲"):
        found = seeded_app.get(f"/api/search?q={q}&per_page=100").json()
        assert [u["value"] for u in found["understood"]] == ["africa"], q


def test_a_place_typed_without_its_accents_or_misspelled_is_still_the_place(seeded_app):
    brazil = seeded_app.get("/api/search?country=BRA&per_page=100").json()
    in_brazil = {r["id"] for r in brazil["results"]}
    # The French "Brésil" as typed without its accent.
    body = seeded_app.get("/api/search?q=Bresil&per_page=100").json()
    assert [u["value"] for u in body["understood"]] == ["BRA"]
    assert {r["id"] for r in body["results"]} == in_brazil
    # Misspelled: corrected, then the place applied as if typed right, the page saying both.
    body = seeded_app.get("/api/search?q=slave+labour+in+Brazl&per_page=100").json()
    assert body["searched"] == "slave labour in brazil"
    assert [u["value"] for u in body["understood"]] == ["BRA"]
    assert body["total"] and {r["id"] for r in body["results"]} <= in_brazil
    html = seeded_app.get("/search?q=slave+labour+in+Brazl").text
    assert "Country: Brazil" in html and "slave labour in brazil" in html


def test_a_place_filter_never_narrows_a_search_to_nothing(seeded_app):
    # No practice of the sample is in Oceania: the words are searched as typed and the place is
    # not applied (nor offered, since it would give nothing).
    body = seeded_app.get("/api/search?q=hotline+Oceania").json()
    assert body["understood"] == [] and body["total"] > 0


def test_facet_words_are_suggested_as_filters_with_their_counts(seeded_app):
    body = seeded_app.get("/api/search?q=private+sector+supply+chains").json()
    suggested = {(f["facet"], f["value"]): f for f in body["suggested_filters"]}
    chosen = suggested[("actor_type", "private_sector")]
    narrowed = seeded_app.get(chosen["url"].replace("/search", "/api/search")).json()
    assert narrowed["total"] == chosen["count"] < body["total"]
    assert "Narrow to:" in seeded_app.get("/search?q=private+sector+supply+chains").text


def test_related_terms_come_from_the_thesaurus_in_the_language_typed(seeded_app):
    english = seeded_app.get("/api/search?q=shelter").json()["related_terms"]
    assert english and all(t["url"].startswith("/search?q=") for t in english)
    spanish = seeded_app.get("/api/search?q=refugios").json()["related_terms"]
    labels = {t["label"] for t in spanish}
    assert labels and labels.isdisjoint({t["label"] for t in english})


def test_related_terms_of_a_word_several_languages_share_follow_the_query_then_the_reader(
    seeded_app,
):
    """ "refuges" is English and French: the French small word "pour" makes it French; alone,
    the reader's language decides."""
    thesaurus = default_thesaurus()
    shelter = thesaurus.concepts["shelter"]
    neighbours = [*shelter.broader, *thesaurus.narrower.get("shelter", []), *shelter.related]

    def related(query: str) -> set[str]:
        return {t["label"] for t in seeded_app.get(f"/api/search?{query}").json()["related_terms"]}

    def labels(language: str) -> set[str]:
        return {thesaurus.concepts[c].labels[language]["pref"] for c in neighbours}

    assert labels("fr") != labels("en")
    assert related("q=refuges+pour+victimes&lang=en") <= labels("fr")
    assert related("q=refuges+pour+victimes&lang=en")
    assert related("q=refuges+victimes&lang=fr") <= labels("fr")
    assert related("q=refuges+victimes&lang=en") <= labels("en")
    assert related("q=refuges+victimes&lang=en")


def test_zero_results_offer_to_remove_the_most_restrictive_filter_and_related(seeded_app):
    html = seeded_app.get("/search?q=hotline&pillar=prosecution&region=americas").text
    assert "No practice matches" in html
    body = seeded_app.get("/api/search?q=hotline&pillar=prosecution&region=americas").json()
    remove = body["zero_results"]["remove_filter"]
    assert remove["total"] > 0
    assert (
        seeded_app.get(remove["url"].replace("/search", "/api/search")).json()["total"]
        == remove["total"]
    )
    assert "Remove the" in html and "Related practices" in html
    assert body["zero_results"]["related"]


def test_practice_page_shows_more_like_this(seeded_app):
    body = seeded_app.get("/api/search?q=referral").json()
    html = seeded_app.get(body["results"][0]["url"]).text
    assert "More like this" in html


def test_search_page_weighs_under_100_kb_with_its_css_and_scripts(seeded_app):
    html = seeded_app.get("/search?q=trafficking").content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    total = len(html) + sum(len(seeded_app.get(a.decode()).content) for a in assets)
    assert {a.decode() for a in assets} == {
        "/static/site.css",
        "/static/search.js",
        "/static/brief.js",
        "/static/favicon.svg",
    }
    assert total < 100_000, total


def test_hostile_queries_are_handled(seeded_app):
    for q in ["<script>alert(1)</script>", '"unclosed', "((((", "NOT", "%ff", "a" * 200]:
        response = seeded_app.get("/search", params={"q": q})
        assert response.status_code == 200, q
        assert "<script>alert(1)</script>" not in response.text
    assert seeded_app.get("/search", params={"q": "a\x00b"}).status_code == 400
