from __future__ import annotations

from typing import Any

import pytest


def codes(body: dict[str, Any]) -> list[str]:
    return [row["code"] for row in body["items"]]


@pytest.mark.parametrize("role", ["admin", "reviewer", "leader"])
def test_it_lists_every_institution_to_city_roles(world: dict[str, Any], role: str) -> None:
    status, body = world[role].get("/institutions")
    assert status == 200 and codes(body) == ["CA", "CB"] and body["count"] == 2


def test_it_scopes_a_reporter_to_its_own_institution(world: dict[str, Any]) -> None:
    rep = world["reporter_a"]
    assert codes(rep.get("/institutions")[1]) == ["CA"]
    assert rep.get("/institutions/CA/staff")[1]["items"][0]["name"] == "甲某（示例）"
    for path in ("/institutions/CB", "/institutions/CB/staff", "/institutions/CB/standards"):
        status, body = rep.get(path)
        assert status == 404 and set(body) == {"error"}  # not 403: no hint that CB exists


def test_it_shows_nothing_to_a_user_without_a_role(world: dict[str, Any]) -> None:
    status, body = world["norole"].get("/institutions")
    assert status == 200 and body["count"] == 0


def test_it_pages_with_bounds(world: dict[str, Any]) -> None:
    admin = world["admin"]
    status, body = admin.get("/institutions?limit=1&offset=1")
    assert status == 200 and codes(body) == ["CB"] and body["count"] == 2
    for bad in ("limit=0", "limit=1000", "offset=-1", "limit=abc"):
        status, body = admin.get(f"/institutions?{bad}")
        assert (
            status == 422
            and set(body) == {"error"}
            and ("limit" in body["error"] or "offset" in body["error"])
        )


def test_it_lists_standards_with_their_certificate(world: dict[str, Any]) -> None:
    status, body = world["reviewer"].get("/institutions/CA/standards")
    assert status == 200 and body["count"] == 1
    assert body["items"][0]["assessment_expires_on"] == "2024-12-31"


def test_it_answers_unknown_paths_with_the_error_shape(world: dict[str, Any]) -> None:
    response = world["admin"].client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json() == {"error": "未找到。"}
