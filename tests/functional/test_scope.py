"""Geographic scope: a practice counts where its scope is, in search, browse and coverage."""

import pytest

from repository import geography
from tests.conftest import add_practices, record, sync


@pytest.fixture
def places(app, client, db):
    ids = add_practices(
        db,
        record(title="EU directive", scope="regional", scope_area="eu", countries=[]),
        record(title="Council of Europe convention", scope="regional", scope_area="coe"),
        record(title="Global protocol", scope="global", countries=[]),
        record(title="Nigerian agency", scope="national", countries=["NGA"]),
        record(title="Cypriot shelter", scope="national", countries=["CYP"]),
    )
    sync(app)
    return dict(zip(("eu", "coe", "global", "nga", "cyp"), ids, strict=True))


def found(client, query: str) -> set[int]:
    return {r["id"] for r in client.get(f"/api/search?{query}&per_page=100").json()["results"]}


def test_search_counts_a_practice_where_its_scope_is(client, places):
    assert found(client, "region=europe") == {places["eu"], places["coe"]}
    # Cyprus is in Western Asia and the Asia-Pacific Group; the EU, with Cyprus among its
    # members, is in neither.
    assert (geography.country("CYP").region, geography.country("CYP").un_group) == (
        "asia",
        "asia_pacific",
    )
    assert found(client, "region=asia") == {places["cyp"]}
    assert found(client, "un_group=asia_pacific") == {places["cyp"]}
    assert found(client, "un_group=weog") == {places["eu"], places["coe"]}
    assert found(client, "region=global") == {places["global"]}
    assert found(client, "region=africa") == {places["nga"]}


def test_facet_counts_show_global_and_regional_practices(client, places):
    facets = client.get("/api/search").json()["facets"]
    regions = {f["value"]: f["count"] for f in facets["region"]}
    assert regions == {"africa": 1, "asia": 1, "europe": 2, "global": 1}
    groups = {f["value"]: f["count"] for f in facets["un_group"]}
    assert groups["global"] == 1 and groups["eastern_european"] == 2


def test_browse_and_coverage_follow_the_scope(client, places):
    page = client.get("/practices?region=europe").text
    assert "Council of Europe convention" in page and "EU directive" in page
    assert "Nigerian agency" not in page
    coverage = client.get("/coverage").text
    assert "Pillar by UN regional group" in coverage
    api = client.get(f"/api/practices/{places['eu']}").json()
    assert api["regions"] == ["europe"] and api["un_groups"] == ["eastern_european", "weog"]
    assert api["scope"] == "regional" and api["scope_area_name"] == "European Union"


def test_a_regional_practice_needs_its_area(client, db):
    from repository.practices.validation import validate_record

    _clean, errors = validate_record(record(scope="regional", scope_area=None, countries=[]))
    assert ("scope_area", "is required for a regional practice") in errors
    _clean, errors = validate_record(record(scope="global", countries=["NGA"]))
    assert ("countries", "must be empty for a global practice") in errors


def test_a_version_1_line_gets_its_scope_from_its_countries():
    from repository.practices.validation import validate_record

    old = record(countries=[])
    assert "scope" not in old and "scope_area" not in old
    assert validate_record(old)[0]["scope"] == "global"
    old["countries"] = ["FRA"]
    assert validate_record(old)[0]["scope"] == "national"
