"""Load mix for benchmarks/load_drill.py: 70% searches, 20% practice pages, 10% submissions.

Submissions go through the API with a partner's token (PRACTICES_DRILL_TOKEN); every accepted
one is written to PRACTICES_DRILL_ACCEPTED, so the drill can check none was lost.
"""

import json
import os
import random
import string

from locust import HttpUser, between, task

WORDS = [
    "trafficking",
    "referral",
    "hotline",
    "labour",
    "children",
    "shelter",
    "campaign",
    "NGO",
    "TIP",
    "police",
    "prosecution",
    "women",
    "migrant workers",
    "supply chain",
]
FILTERS = [
    "pillar=prevention",
    "pillar=protection",
    "region=europe",
    "region=africa",
    "un_group=grulac",
    "actor_type=government",
    "actor_type=ngo",
    "evidence=self_assessed",
]
PRACTICE_IDS = [int(i) for i in os.environ.get("PRACTICES_DRILL_IDS", "1").split(",")]
TOKEN = os.environ.get("PRACTICES_DRILL_TOKEN", "")
ACCEPTED = os.environ.get("PRACTICES_DRILL_ACCEPTED", "accepted.jsonl")


class Delegate(HttpUser):
    wait_time = between(0.1, 0.5)

    @task(70)
    def search(self):
        params = f"q={random.choice(WORDS)}"
        if random.random() < 0.6:
            params += "&" + random.choice(FILTERS)
        path = random.choice(["/search", "/api/search"])
        self.client.get(f"{path}?{params}", name="search")

    @task(20)
    def practice_page(self):
        self.client.get(f"/practices/{random.choice(PRACTICE_IDS)}", name="practice page")

    @task(10)
    def submission(self):
        name = "".join(random.choices(string.ascii_lowercase, k=8))  # a number reads as a phone
        record = {
            "title": f"Load drill submission {name}",
            "summary": "Submitted under load.",
            "organisation": "Drill NGO",
            "actor_types": ["ngo"],
            "countries": [],
            "pillars": ["protection"],
            "practice_type": "victim_services",
            "evidence": "not_evaluated",
            "start_year": 2012,
            "language": "en",
        }
        with self.client.post(
            "/api/submissions",
            json=record,
            name="submission",
            headers={"Authorization": f"Bearer {TOKEN}"},
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                with open(ACCEPTED, "a") as handle:
                    handle.write(
                        json.dumps({"id": response.json()["id"], "title": record["title"]}) + "\n"
                    )
                response.success()
            else:
                response.failure(f"status {response.status_code}")
