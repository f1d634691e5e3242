"""The API against its own OpenAPI document, in-process, with schemathesis and every check:
no 5xx, every response documented and matching its schema, every schema-valid request taken
and every schema-violating one refused (POST /api/submissions with a partner's token). A fixed
seed keeps CI repeatable; benchmarks/api_conformance.py runs the same over HTTP with more
examples (.ci/run).

Driven through hypothesis directly: schemathesis's pytest plugin does not load under pytest 9.
"""

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import seed as fixed_seed
from hypothesis import settings as hypothesis_settings

from repository.api import tokens
from repository.api.openapi import document as openapi_document
from repository.app import create_app
from repository.models import User
from repository.practices.interchange import import_lines
from tests.conftest import make_user, sample_seed_lines

EXAMPLES = 25


def test_the_api_keeps_its_documented_promises(settings, db):
    import_lines(db, sample_seed_lines())
    app = create_app(settings, database=db)
    app.state.index_sync.repair()
    user_id = make_user(db, "system@partner.example", organisation="Partner Systems")
    with db.read() as session:
        token = tokens.create(db, session.get(User, user_id), "schemathesis")
    headers = {"host": "testserver", "Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @fixed_seed(20261129)
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers)

        check()
        checked.append(operation.label)
    documented = sum(len(methods) for methods in openapi_document()["paths"].values())
    assert len(checked) == documented == 9, checked
