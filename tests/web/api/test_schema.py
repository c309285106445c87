"""The OpenAPI document, and schemathesis against it in-process (WSGI, no network).

Every operation is fuzzed as a city reviewer (who may read and write everything) and as a county reporter
(who is scoped): no response may be a 5xx, and every response must match the schema, error shape
included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.web.api.conftest import indicators

WSGI = get_wsgi_application()


@contextmanager
def keeping_the_test_connection() -> Iterator[None]:
    """schemathesis calls the WSGI handler directly, whose request signals close "old" database connections;
    on PostgreSQL that closes the test's own connection (inside its transaction) and every later query fails.
    Django's test client disconnects the same handlers around its own requests (and reconnects them after),
    so this must wrap the schemathesis calls themselves."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_it_serves_the_openapi_document(world: dict[str, Any]) -> None:
    response = world["public"].client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert {"/api/v1/institutions", "/api/v1/reports", "/api/v1/publications"} <= set(doc["paths"])
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            declared = set(op["responses"])
            assert {"400", "401", "403", "404", "409", "422"} <= declared, (method, path)
    assert doc["components"]["schemas"]["ErrorOut"]["required"] == ["error"]


FUZZ = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


#: Business rules that no schema can express (bounds of an indicator, numerator ≤ denominator, evidence
#: before submission) refuse some schema-valid requests with 400/409 by design, so schemathesis's
#: "schema-valid data must be accepted" check is left out; every other check runs (no 5xx, status codes,
#: content types, headers and bodies conforming to the schema, invalid data rejected).
EXCLUDED = [positive_data_acceptance]


def fuzz_every_operation(world: dict[str, Any], role: str) -> int:
    """Generate cases for every operation; ``call_and_validate`` fails on a 5xx or a schema violation."""
    plain, _pct = indicators()
    world["reporter_a"].put(f"/reports/2025Q1/CA/{plain}", {"value": "3"})
    # identity: schemathesis's WSGI transport does not undo the gzip the site applies to text answers
    headers = {"Authorization": f"Bearer {world[role].token}", "Accept-Encoding": "identity"}
    with keeping_the_test_connection():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGI)
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:

            @FUZZ
            @given(case=operation.as_strategy())
            def check(case: Any) -> None:
                case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

            check()
    return len(operations)


def test_it_survives_schemathesis_as_a_city_reviewer(world: dict[str, Any]) -> None:
    assert fuzz_every_operation(world, "reviewer") == 28  # operations, the period lifecycle included


def test_it_survives_schemathesis_as_a_county_reporter(world: dict[str, Any]) -> None:
    assert fuzz_every_operation(world, "reporter_a") == 28  # operations, the period lifecycle included
