"""Load for benchmarks/cluster_drill.py, through the balancer: delegates searching, partners
submitting practices through the real forms, curators publishing them from the review page.

Every acknowledged write (the answer the user saw said it was done) is appended as a JSON line
to PRACTICES_DRILL_WRITES, with its kind, practice id and time, so the drill can check that none
was lost. Drill practices carry MARKER in their titles, so they can be searched for.
"""

import json
import os
import random
import re
import time
from collections import deque

from drill_forms import SUBMIT, practice_name, submission_form
from locust import HttpUser, between, task

WRITES = os.environ.get("PRACTICES_DRILL_WRITES", "writes.jsonl")
PASSWORD = os.environ.get("PRACTICES_DRILL_PASSWORD", "")
WORDS = ["trafficking", "referral", "hotline", "labour", "children", "shelter", "supply chain"]
FILTERS = ["pillar=prevention", "pillar=protection", "region=europe", "actor_type=ngo", ""]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SUBMIT_FORM = re.compile(r'action="/submissions/(\d+)/submit"')
# Submitted practices waiting for a curator (one locust process: users share this queue).
waiting: deque[int] = deque()


def acknowledge(kind: str, practice_id: int) -> None:
    with open(WRITES, "a") as handle:
        handle.write(json.dumps({"kind": kind, "id": practice_id, "at": time.time()}) + "\n")


class FormUser(HttpUser):
    abstract = True
    email = ""

    def on_start(self):
        self.post_form("/signin", {"email": self.email, "password": PASSWORD, "next": "/"})

    def post_form(self, path: str, data: dict, page: str | None = None, name: str | None = None):
        """GET the form's page for its CSRF token, then POST it, as a browser does."""
        page_response = self.client.get(page or path, name=f"{name or path} (form)")
        found = TOKEN.search(page_response.text)
        return self.client.post(
            path, data={**data, "csrf_token": found.group(1) if found else ""}, name=name or path
        )


class Delegate(HttpUser):
    weight = 10
    wait_time = between(0.2, 0.8)

    @task
    def search(self):
        params = f"q={random.choice(WORDS)}"
        if extra := random.choice(FILTERS):
            params += "&" + extra
        self.client.get(f"{random.choice(['/search', '/api/search'])}?{params}", name="search")


class Partner(FormUser):
    fixed_count = 2
    wait_time = between(0.5, 1.5)
    email = "partner@drill.example"

    @task
    def submit(self):
        form = submission_form(practice_name())
        created = self.post_form("/submissions/new", form, name="create draft")
        found = SUBMIT_FORM.search(created.text) if created.ok else None
        if not found:
            return
        practice_id = int(found.group(1))
        submitted = self.post_form(
            f"/submissions/{practice_id}/submit",
            SUBMIT,
            name="submit for review",
        )
        if submitted.ok:
            acknowledge("submitted", practice_id)
            waiting.append(practice_id)


class Curator(FormUser):
    fixed_count = 1
    wait_time = between(0.3, 1.0)
    email = "curator@drill.example"

    @task
    def publish(self):
        if not waiting:
            return
        practice_id = waiting.popleft()
        published = self.post_form(
            f"/review/practices/{practice_id}/decision",
            {"action": "publish"},
            page=f"/review/practices/{practice_id}",
            name="publish",
        )
        if published.ok:
            acknowledge("published", practice_id)
