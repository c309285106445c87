"""A wrong HTTP method is refused with 405, the ``Allow`` header and the one error shape."""

from __future__ import annotations

from typing import Any

import pytest

CASES = [
    ("delete", "/institutions", "GET"),
    ("post", "/institutions/CA", "GET"),
    ("get", "/reports/2025Q1/CA/D1.3", "PUT"),
    ("patch", "/publications", "GET"),
    ("put", "/comparisons/rounds", "GET"),
    ("get", "/reports/1/submit", "POST"),
    ("post", "/openapi.json", "GET"),
]


@pytest.mark.parametrize(("method", "path", "allowed"), CASES)
def test_it_refuses_a_wrong_method_with_the_error_shape(
    world: dict[str, Any], method: str, path: str, allowed: str
) -> None:
    token = world["admin"].token
    response = getattr(world["admin"].client, method)(
        f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 405
    assert allowed in response["Allow"]
    body = response.json()
    assert set(body) == {"error"} and method.upper() in body["error"] and allowed in body["error"]
