"""Schemathesis against /api/v1/openapi.json: generated requests, valid and not, never get a 5xx, and every
answer fits the document (status, content type, body). One test walks every operation of the document
(Schemathesis's pytest loader does not run under this pytest), each with Hypothesis's examples."""
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from hub.cli.demo import DEMO_API_KEY

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 40


@pytest.fixture
def api_schema(app, demo_data):
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def check(operation):
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        # Schemathesis reads the WSGI answer's bytes as they come: ask for them uncompressed.
        headers = {"Authorization": f"Bearer {DEMO_API_KEY}", "Accept-Encoding": "identity"}
        if case.method != "GET":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_the_api_answers_every_generated_request_within_its_document(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        check(operation)
