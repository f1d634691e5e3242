"""The real seed collection: enough practices, recent ones, in the six UN languages, tagged so
that every filter means something, covering every pillar where a delegate will look."""

import json
import re
from collections import Counter

from click.testing import CliRunner

from repository import scopes
from repository.practices.tagcheck import check
from repository.practices.validation import validate_record
from repository.vocabularies import ACTOR_TYPES, PILLARS
from tests.conftest import seed_lines

UN_GROUPS = ("african", "asia_pacific", "eastern_european", "grulac", "weog")
REGIONS = ("africa", "americas", "asia", "europe", "oceania")


def seed_records():
    return [json.loads(line) for line in seed_lines() if line.strip()]


def test_at_least_200_valid_published_practices_each_with_a_checkable_source():
    records = seed_records()
    assert len(records) >= 200
    for data in records:
        clean, errors = validate_record(data)
        assert errors == [], (data["title"], errors)
        assert clean["status"] == "published"
        assert clean["sources"], data["title"]
        assert all(s["url"].startswith(("http://", "https://")) for s in clean["sources"])
        assert any(s["publisher"] and s["year"] for s in clean["sources"]), data["title"]
    assert len({r["title"] for r in records}) == len(records)


def _cells(records, key):
    cells = Counter()
    for r in records:
        places = scopes.places(r["scope"], r["scope_area"], r["countries"])
        for pillar in r["pillars"]:
            for place in places[key]:
                cells[(pillar, place)] += 1
    return cells


def test_every_pillar_by_un_group_cell_has_three_and_by_region_two():
    records = seed_records()
    groups, regions = _cells(records, "un_groups"), _cells(records, "regions")
    for pillar in PILLARS.values:
        for group in UN_GROUPS:
            assert groups[(pillar, group)] >= 3, (pillar, group)
        for region in REGIONS:
            assert regions[(pillar, region)] >= 2, (pillar, region)


def test_every_actor_type_has_five_and_seventy_started_since_2015():
    records = seed_records()
    actors = Counter(a for r in records for a in r["actor_types"])
    for actor in ACTOR_TYPES.values:
        assert actors[actor] >= 5, actor
    assert sum(r["start_year"] >= 2015 for r in records) >= 70


def test_fifteen_in_each_other_un_language_with_an_english_title_and_summary():
    records = seed_records()
    languages = Counter(r["language"] for r in records)
    for language in ("fr", "es", "ru", "ar", "zh"):
        assert languages[language] >= 15, language
    for r in records:
        if r["language"] != "en":
            assert set(r["translations"]["en"]) == {"title", "summary"}, r["title"]


SCRIPTS = {"ar": r"[\u0600-\u06ff]", "ru": r"[\u0400-\u04ff]", "zh": r"[\u4e00-\u9fff]"}


def test_every_practice_reads_in_all_six_languages():
    """A delegate reading in any UN language sees every title and summary in it, and a query
    in that language meets them word for word."""
    for r in seed_records():
        wanted = {"ar", "en", "es", "fr", "ru", "zh"} - {r["language"]}
        assert set(r["translations"]) == wanted, r["title"]
        for language, text in r["translations"].items():
            assert text["title"].strip() and text["summary"].strip(), (r["title"], language)
            assert text["summary"] != r["summary"], (r["title"], language)  # names may stay
            if language in SCRIPTS:
                assert re.search(SCRIPTS[language], text["summary"]), (r["title"], language)


def test_the_seed_passes_the_tagging_check():
    assert [str(f) for f in check(seed_records())] == []


def test_regional_practices_name_their_area_not_every_member_state():
    for r in seed_records():
        if r["scope"] == "regional":
            assert r["scope_area"] in scopes.AREAS, r["title"]
            assert len(r["countries"]) <= 10, r["title"]


def test_check_tags_runs_on_the_live_collection(seeded, database_url, monkeypatch, tmp_path):
    from repository.cli import main

    monkeypatch.setenv("PRACTICES_DATABASE_URL", database_url)
    monkeypatch.setenv("PRACTICES_INDEX_DIR", str(tmp_path / "index"))
    result = CliRunner().invoke(main, ["check-tags"])
    assert result.exit_code == 0, result.output
    assert f"{len(seed_records())} practices checked" in result.output
