"""Each rule of the tagging check, on records written to break it."""

from repository.practices.tagcheck import check
from tests.conftest import record


def rules(records):
    return sorted({f.rule for f in check(records)})


def fine(n: int, **overrides):
    base = record(
        title=f"Practice {n}",
        summary="A labour inspection programme.",
        description="Inspectors visit farms to find forced labour.",
        exploitation_forms=["forced_labour"],
        pillars=["prevention"],
        actor_types=["government" if n % 2 else "ngo"],
        target_groups=[],
        instruments=[],
        practice_type=["law", "policy", "training"][n % 3],
        countries=["BRA"],
        scope="national",
        scope_area=None,
    )
    return {**base, **overrides}


def test_a_balanced_collection_passes():
    assert rules([fine(n) for n in range(10)]) == ["too-common"]  # forced labour on all ten
    varied = [fine(n, exploitation_forms=[] if n % 2 else ["forced_labour"]) for n in range(10)]
    assert rules(varied) == []


def test_a_tag_on_more_than_sixty_percent_is_flagged():
    records = [fine(n, exploitation_forms=[]) for n in range(10)]
    for r in records[:7]:
        r["target_groups"] = ["children"]
    found = [str(f) for f in check(records)]
    assert found == [
        "[too-common] target_groups 'children' is on 7 of 10 practices (70%): "
        "as a filter it narrows nothing"
    ]


def test_every_pillar_unmentioned_form_and_missing_scope_are_flagged():
    records = [fine(n, exploitation_forms=[]) for n in range(10)]
    records[0]["pillars"] = ["prevention", "protection", "prosecution", "partnership"]
    records[1]["exploitation_forms"] = ["organ_removal"]  # the text speaks of farms only
    records[2]["scope"], records[2]["countries"] = "regional", []
    records[3]["countries"] = []
    found = {(f.rule, f.practice) for f in check(records)}
    assert found == {
        ("every-pillar", "Practice 0"),
        ("unmentioned-form", "Practice 1"),
        ("no-scope", "Practice 2"),
        ("no-scope", "Practice 3"),
    }


def test_a_form_named_in_another_un_language_counts():
    records = [fine(n, exploitation_forms=[]) for n in range(10)]
    records[0].update(
        language="ru",
        description="Программа против принудительного труда на фермах.",
        exploitation_forms=["forced_labour"],
    )
    records[1].update(language="ar", description="مكافحة العمل الجبري", exploitation_forms=[])
    records[2].update(
        language="zh",
        description="打击以性剥削为目的的拐卖",
        exploitation_forms=["sexual_exploitation"],
    )
    assert rules(records) == []
