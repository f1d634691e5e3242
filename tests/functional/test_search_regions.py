"""Places in the words of a search: sub-regions and groupings of countries."""

import json

import pytest

from tests.conftest import record, shared_client


@pytest.fixture(scope="module")
def shelters_app(migrated_db, tmp_path_factory):
    """Shelters in four countries, none of whose texts names a sub-region (read-only tests)."""
    places = {"ZAF": "Cape Town", "KEN": "Nairobi", "SEN": "Dakar", "NER": "Niamey"}
    lines = [
        json.dumps(
            record(
                title=f"Shelter for trafficked women in {city}",
                summary=f"A shelter in {city} housing and counselling freed women.",
                countries=[code],
                language="en",
            )
        )
        for code, city in places.items()
    ]
    with shared_client(migrated_db, tmp_path_factory.mktemp("shelters"), lines) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_cookies(shelters_app):
    shelters_app.cookies.clear()


def _countries(body) -> list[str]:
    return [r["countries"][0] for r in body["results"]]


@pytest.mark.parametrize(
    "q",
    [
        "shelter West Africa",
        "refuges pour victimes en Afrique de l'Ouest",
        "refugios en África Occidental",
        "приюты в Западной Африке",
        "دور الإيواء في غرب أفريقيا",
    ],
)
def test_a_sub_region_ranks_practices_of_its_countries_first(shelters_app, q):
    body = shelters_app.get("/api/search", params={"q": q}).json()
    # West Africa is Senegal and Niger (UN M49): they come first; Kenya and South Africa may
    # follow, within the region applied as a removable chip.
    assert set(_countries(body)[:2]) == {"SEN", "NER"}, q
    assert set(_countries(body)[2:]) <= {"KEN", "ZAF"}
    assert [u["value"] for u in body["understood"]] == ["africa"]
    as_typed = shelters_app.get(body["as_typed_url"].replace("/search", "/api/search")).json()
    assert as_typed["understood"] == [] and as_typed["query"]["q"] == q


def test_a_grouping_people_name_is_its_countries_too(shelters_app):
    # The Sahel is no M49 sub-region: place_words.json lists its countries (Niger, Senegal...).
    body = shelters_app.get("/api/search?q=shelter+Sahel").json()
    assert set(_countries(body)[:2]) == {"SEN", "NER"}
    east = shelters_app.get("/api/search?q=shelter+East+Africa").json()
    assert _countries(east)[0] == "KEN"


def test_a_sub_region_never_narrows_a_search_to_nothing(shelters_app):
    # Nothing in the collection lies in Oceania: the words are searched as typed, unfiltered.
    body = shelters_app.get("/api/search?q=shelter+Melanesia").json()
    assert body["understood"] == [] and body["total"] == 4
