"""``GET /api/v1/``: a JSON index of the API's endpoints, read from the OpenAPI schema (never a hand-kept
list, so a new route appears here as soon as it is mounted)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

METHODS = ("get", "post", "put", "patch", "delete")


def endpoints(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per operation: method, path, summary, whether the public may call it without a token."""
    out = []
    for path, operations in schema["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            security = operation.get("security", [])
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "token": "optional" if {} in security else "required" if security else "none",
                }
            )
    return out


def index(request: HttpRequest, api: NinjaAPI) -> JsonResponse:
    ns = api.urls_namespace
    schema = api.get_openapi_schema()
    body = {
        "title": schema["info"]["title"],
        "version": schema["info"]["version"],
        "description": _(
            "强基平台接口：机构登记、指标填报、考核期次、排行榜发布与比对结果。"
            '发送请求头 `Authorization: Bearer <令牌>`；错误一律为 {"error": "..."}，'
            "语言随 Accept-Language。"
        ),
        "openapi": reverse(f"{ns}:openapi-json"),
        "docs": reverse(f"{ns}:openapi-view"),
        "endpoints": endpoints(schema),
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
