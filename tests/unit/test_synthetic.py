from collections import Counter

from repository.practices.synthetic import synthetic_records
from repository.practices.validation import validate_record


def test_the_generator_is_deterministic():
    assert synthetic_records(50, seed=7) == synthetic_records(50, seed=7)
    assert synthetic_records(50, seed=7) != synthetic_records(50, seed=8)


def test_every_generated_record_is_valid_and_tags_are_spread():
    records = synthetic_records(500, seed=3)
    for data in records:
        assert validate_record(data)[1] == []
    pillars = Counter(p for r in records for p in r["pillars"])
    assert set(pillars) == {"prevention", "protection", "prosecution", "partnership"}
    assert pillars["prevention"] > pillars["partnership"]  # realistic skew, not uniform
    assert 0.05 < sum(1 for r in records if not r["countries"]) / 500 < 0.35
    statuses = Counter(r["status"] for r in records)
    assert statuses["published"] > 400 and statuses["draft"] + statuses["submitted"] > 0
