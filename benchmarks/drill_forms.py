"""What the drills' partners type into the submission form (benchmarks/cluster_load.py), kept
apart from locust so that tests/functional/test_cluster_drill.py can check, in every CI run,
that the application still takes it: a form the app has come to refuse (a required field, the
privacy check) would make the drill fail for the wrong reason."""

import random
import string

MARKER = "Clusterdrill"


def practice_name(rng: random.Random = random) -> str:
    # Letters, not digits: the privacy check asks about a long number (a phone number?) before
    # a practice is submitted, and held every submission of the drill when titles had one.
    return "".join(rng.choices(string.ascii_lowercase, k=8))


def submission_form(name: str) -> dict:
    return {
        "title": f"{MARKER} practice {name}",
        "summary": "A practice submitted during the cluster drill.",
        "organisation": "Drill NGO",
        "actor_types": ["ngo"],
        "scope": "global",
        "pillars": ["prevention"],
        "practice_type": "training",
        "evidence": "not_evaluated",
        "start_year": "2010",
        "language": "en",
        "intent": "submit",
        "sources-0-title": "Drill source",
        "sources-0-url": "https://example.org/drill",
    }


SUBMIT = {"action": "submit", "confirm": "yes"}  # the submit page's confirmation
