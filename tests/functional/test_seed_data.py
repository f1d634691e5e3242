"""The real seed data: enough practices, correctly tagged, covering the repository's facets."""

import json
from collections import Counter

from repository import geography
from repository.practices.validation import validate_record
from tests.conftest import seed_lines


def seed_records():
    return [json.loads(line) for line in seed_lines() if line.strip()]


def test_seed_has_at_least_45_valid_published_practices_with_sources():
    records = seed_records()
    assert len(records) >= 45
    for data in records:
        clean, errors = validate_record(data)
        assert errors == [], (data["title"], errors)
        assert clean["status"] == "published"
        assert clean["sources"], data["title"]
    assert len({r["title"] for r in records}) == len(records)


def test_seed_covers_pillars_actor_types_regions_and_groups():
    records = seed_records()
    pillars = Counter(p for r in records for p in r["pillars"])
    actors = Counter(a for r in records for a in r["actor_types"])
    places = [geography.country(code) for r in records for code in r["countries"]]
    assert set(pillars) == {"prevention", "protection", "prosecution", "partnership"}
    assert len(actors) >= 6
    assert {"government", "private_sector", "ngo", "media"} <= set(actors)
    assert {c.region for c in places} == {"africa", "americas", "asia", "europe", "oceania"}
    assert {c.un_group for c in places} >= {
        "african",
        "asia_pacific",
        "eastern_european",
        "grulac",
        "weog",
    }
    years = [r["start_year"] for r in records]
    assert sum(1995 <= y <= 2012 for y in years) >= 45
