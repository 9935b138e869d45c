"""Property-based conformance of the whole API against its own OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid; each response must conform to the
document (status codes, content types, bodies) and no request may cause a server error.
Schemathesis's pytest plugin does not load under pytest 9, so the operations are driven
through its Python API with hypothesis directly.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from qa.service import PolicyService
from tests.api.conftest import make_app, wait_ready


def _run(app: FastAPI, examples: int, headers: dict[str, str] | None = None) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 17
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers)

        conforms()


@pytest.mark.slow
def test_every_operation_conforms_to_the_schema(app: FastAPI) -> None:
    _run(app, int(os.environ.get("POLICY_QA_SCHEMATHESIS_EXAMPLES", "40")))


@pytest.mark.slow
def test_a_keyed_service_conforms_too(service: PolicyService) -> None:
    keyed = make_app(service, api_key="s3cret")
    with TestClient(keyed) as client:
        wait_ready(client)
        assert "APIKeyHeader" in str(client.get("/openapi.json").json()["components"])
    _run(keyed, 10, {"X-API-Key": "s3cret"})
