"""/api/v1/ answers a JSON index of the endpoints read from the OpenAPI schema; /api/v1/docs is the Swagger
UI from django-ninja's own files (no CDN, CSP script-src 'self'); errors in the request's language."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

DOCS = "/api/v1/docs"


def test_it_answers_the_api_root_with_an_index_of_every_endpoint(db: Any) -> None:
    response = Client().get("/api/v1/")
    body = response.json()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert body["openapi"] == "/api/v1/openapi.json" and body["docs"] == DOCS
    schema = Client().get("/api/v1/openapi.json").json()
    expected = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    assert {(e["method"], e["path"]) for e in body["endpoints"]} == expected
    public = {e["path"] for e in body["endpoints"] if e["token"] == "optional"}
    assert "/api/v1/publications" in public and "/api/v1/institutions" not in public


def test_the_index_refuses_other_methods_with_the_error_shape(db: Any) -> None:
    response = Client(enforce_csrf_checks=True).post("/api/v1/")
    assert response.status_code == 405 and set(response.json()) == {"error"} and response["Allow"] == "GET"


def test_it_serves_the_docs_from_this_origin_only(db: Any) -> None:
    response = Client().get(DOCS)
    html = response.content.decode()
    assert response.status_code == 200 and "swagger-ui" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from a CDN
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js"]
    for path in scripts:
        assert Client().get(path).status_code == 200
    assert not re.search(r"<script(?![^>]*(?:src=|application/json))[^>]*>", html)  # no inline script


def test_it_answers_errors_in_chinese_by_default_and_english_on_request(db: Any) -> None:
    assert Client().get("/api/v1/institutions").json()["error"].startswith("需要身份认证")
    english = Client().get("/api/v1/institutions", HTTP_ACCEPT_LANGUAGE="en").json()["error"]
    assert english == "authentication required: send `Authorization: Bearer <token>`"
    c = Client()
    c.cookies["django_language"] = "en"
    assert c.get("/api/v1/no-such-route").json() == {"error": "not found"}
    assert Client().get("/api/v1/publications/2099Q4").json() == {
        "error": "考核期次 2099Q4 没有已发布的排行榜。"
    }


def test_it_translates_validation_errors_naming_the_field(db: Any) -> None:
    zh = Client().get("/api/v1/publications/2099Q9").json()["error"]
    en = Client().get("/api/v1/publications/2099Q9", HTTP_ACCEPT_LANGUAGE="en").json()["error"]
    assert zh == "path.period: 格式不正确（应符合 ^[0-9]{4}(Q[1-4])?$）"
    assert en == "path.period: must match ^[0-9]{4}(Q[1-4])?$"
