"""The facet registry is the one place a facet is defined; every consumer agrees with it."""

from repository import facets
from repository.api.openapi import document
from repository.discovery.params import PARAMETERS
from search import FACETS


def test_the_registry_and_the_index_name_the_same_facets():
    assert {f.name: f.key for f in facets.FACET_LIST} == FACETS


def test_each_label_is_written_once():
    assert facets.facet("instrument").title() == "Instruments referred to"
    labels = [f.label for f in facets.FACET_LIST]
    assert len(labels) == len(set(labels))


def test_values_and_labels():
    pillar = facets.facet("pillar")
    assert pillar.values == ("prevention", "protection", "prosecution", "partnership")
    assert pillar.label_of("prosecution") == "Prosecution"
    assert facets.facet("un_group").label_of("grulac") == (
        "Latin American and Caribbean Group (GRULAC)"
    )
    assert facets.facet("country").label_of("NGA") == "Nigeria"
    assert facets.facet("language").valid("ar") and not facets.facet("language").valid("xx")
    assert facets.label("pillars", "unknown") == "unknown"


def test_places_filter_by_the_countries_they_hold():
    region = facets.facet("region")
    assert region.matches({"countries": ["NGA"]}, ["africa"])
    assert not region.matches({"countries": ["FRA"]}, ["africa"])
    assert facets.facet("pillar").matches({"pillars": ["protection"]}, ["protection", "x"])
    assert facets.facet("evidence").matches({"evidence": "self_assessed"}, ["self_assessed"])


def test_the_api_document_is_generated_from_the_declarations():
    parameters = {p["name"]: p for p in document()["paths"]["/api/search"]["get"]["parameters"]}
    # The search parameters, and the language of the answer (every operation takes it).
    assert set(parameters) == {*PARAMETERS, "lang", "Accept-Language"}
    assert parameters["language"]["schema"]["items"]["enum"] == list(
        facets.facet("language").values
    )
    assert parameters["per_page"]["schema"]["maximum"] == PARAMETERS["per_page"].maximum
    assert parameters["q"]["schema"]["maxLength"] == PARAMETERS["q"].maximum
    body = document()["paths"]["/api/submissions"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema["properties"]["pillars"]["items"]["enum"] == list(facets.facet("pillar").values)
