"""The API against its own OpenAPI document, in-process, with schemathesis: no 5xx, every
response documented and matching its schema. A fixed seed keeps CI repeatable.

Driven through hypothesis directly: schemathesis's pytest plugin does not load under pytest 9.
"""

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import seed as fixed_seed
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from repository.api.openapi import document as openapi_document
from repository.app import create_app
from repository.practices.interchange import import_lines
from tests.conftest import sample_seed_lines

EXAMPLES = 25


def test_the_api_keeps_its_documented_promises(settings, db):
    import_lines(db, sample_seed_lines())
    app = create_app(settings, database=db)
    app.state.index_sync.repair()
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
            # "Page past the end" is a 400 that depends on the data, not on the schema, so the
            # check that every schema-valid request succeeds does not apply.
            case.call_and_validate(
                headers={"host": "testserver"}, excluded_checks=[positive_data_acceptance]
            )

        check()
        checked.append(operation.label)
    documented = sum(len(methods) for methods in openapi_document()["paths"].values())
    assert len(checked) == documented == 9, checked
