"""API rate limits (OWASP ASVS 4.0.3 13.2.6/11.1.4 anti-automation; 等级保护 2.0 入侵防范): per token user
and, for the anonymous public, per client address (REMOTE_ADDR: a forged X-Forwarded-For buys nothing);
the refusal is a 429 in the one error shape with ``Retry-After``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.web.api.conftest import Caller


@pytest.fixture
def low_rates(settings: Any) -> None:
    settings.QIANGJI_SECURITY = {**settings.QIANGJI_SECURITY, "API_RATE_USER": "3/m", "API_RATE_ANON": "2/m"}


def test_it_refuses_a_token_user_over_the_rate(world: dict[str, Any], low_rates: None) -> None:
    reviewer = world["reviewer"]
    assert [reviewer.get("/institutions")[0] for _ in range(3)] == [200, 200, 200]
    response = reviewer.client.get(
        "/api/v1/institutions", headers={"Authorization": f"Bearer {reviewer.token}"}
    )
    assert response.status_code == 429
    assert set(response.json()) == {"error"} and int(response["Retry-After"]) >= 1
    assert world["admin"].get("/institutions")[0] == 200  # another user keeps its own allowance


def test_it_counts_the_public_per_address_whatever_it_forwards(
    world: dict[str, Any], low_rates: None
) -> None:
    c = Client()

    def get(ip: str, forwarded: str) -> int:
        return c.get("/api/v1/publications", REMOTE_ADDR=ip, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [get("10.9.9.9", f"192.0.2.{i}") for i in range(3)] == [200, 200, 429]
    assert get("10.9.9.10", "192.0.2.1") == 200


def test_it_documents_the_429(world: dict[str, Any]) -> None:
    schema = Caller(None, None, Client()).client.get("/api/v1/openapi.json").json()
    assert "429" in schema["paths"]["/api/v1/institutions"]["get"]["responses"]
