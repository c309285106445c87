"""Requests the site must refuse cleanly: a Host it does not serve is a 400 (not a server error), and any
method on an unknown /api/ path is a JSON 404 (not Django's HTML CSRF page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/api/v1/publications", "/admin/login/", "/static/x.css"])
def test_it_answers_400_to_an_unknown_host(path: str) -> None:
    response = Client(raise_request_exception=False).get(path, HTTP_HOST="evil.invalid")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", ["/api/nothing", "/api/v1/nothing/here", "/api/"])
def test_it_answers_json_404_on_unknown_api_paths(method: str, path: str) -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)(path, **body)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": "未找到。"}


@pytest.mark.django_db
def test_it_answers_json_404_to_a_signed_in_post(django_user_model: Any) -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(django_user_model.objects.create_user("someone"))
    response = client.post("/api/v1/no-such-route", data="{}", content_type="application/json")
    assert (response.status_code, response.json()) == (404, {"error": "未找到。"})
