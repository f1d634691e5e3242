import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repository.practices.validation import FIELDS, validate_record
from tests.conftest import record


def fields_of(errors):
    return {field for field, _ in errors}


def test_a_good_record_is_clean_and_normalised():
    clean, errors = validate_record(
        record(pillars=["partnership", "prevention"], countries=["SGP", "PHL"])
    )
    assert errors == []
    assert clean["pillars"] == ["prevention", "partnership"]
    assert clean["countries"] == ["PHL", "SGP"]
    assert list(clean) == list(FIELDS)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"title": 42}, "title"),
        ({"summary": "word " * 61}, "summary"),
        ({"pillars": []}, "pillars"),
        ({"pillars": ["persecution"]}, "pillars"),
        ({"pillars": "prevention"}, "pillars"),
        ({"actor_types": ["government", 3]}, "actor_types"),
        ({"countries": ["FRA", "ZZZ"]}, "countries"),
        ({"countries": ["fr"]}, "countries"),
        ({"practice_type": "lawsuit"}, "practice_type"),
        ({"evidence": None}, "evidence"),
        ({"start_year": "2001"}, "start_year"),
        ({"start_year": True}, "start_year"),
        ({"start_year": 1066}, "start_year"),
        ({"end_year": 2001, "start_year": 2005}, "end_year"),
        ({"language": "english"}, "language"),
        ({"language": "qq"}, "language"),
        ({"sources": [{"title": "x", "url": "javascript:alert(1)"}]}, "sources[1].url"),
        ({"sources": [{"title": "", "url": "https://a.org"}]}, "sources[1].title"),
        ({"sources": [{"title": "x", "url": "https://a.org", "extra": 1}]}, "sources[1]"),
        ({"status": "live"}, "status"),
        ({"id": -3}, "id"),
        ({"id": "7"}, "id"),
        ({"last_verified": "yesterday"}, "last_verified"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_each_bad_field_is_named(changes, field):
    _clean, errors = validate_record(record(**changes))
    assert field in fields_of(errors), errors


def test_missing_status_defaults_to_draft_so_nothing_is_published_by_accident():
    data = record()
    del data["status"]
    clean, errors = validate_record(data)
    assert errors == [] and clean["status"] == "draft"


def test_not_an_object():
    assert validate_record(["a"])[1] == [("(line)", "must be a JSON object")]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=len(FIELDS)))
def test_any_json_object_gives_errors_never_an_exception(data):
    merged = {**record(), **data}
    clean, errors = validate_record(json.loads(json.dumps(merged)))
    assert isinstance(errors, list)
    if not errors:
        assert clean["title"] and clean["pillars"]
