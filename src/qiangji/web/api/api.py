"""The NinjaAPI instance mounted at ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``, no docs page:
the Swagger UI would load scripts from a CDN, which the content security policy forbids)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver
from django.views.decorators.http import require_GET
from ninja import NinjaAPI

from qiangji.web.api import comparisons, errors, periods, publications, registry, reporting
from qiangji.web.api.auth import token_auth
from qiangji.web.api.parser import SafeJSONParser
from qiangji.web.api.throttle import THROTTLES


class QiangjiAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        """As ninja's, but a wrong method gets the one error shape too (ninja's 405 has a bare body)."""
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                view = require_GET(pattern.callback) if pattern.name == "openapi-json" else pattern.callback
                pattern.callback = errors.json_not_allowed(view)
        return urls

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """As ninja's, but operations open to the public say so: a token is optional (``{}``)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.get("security") == [{"OptionalTokenAuth": []}]:
                    operation["security"] = [{"TokenAuth": []}, {}]
        schema["components"].get("securitySchemes", {}).pop("OptionalTokenAuth", None)
        return schema


api = QiangjiAPI(
    title="qiangji API",
    version="1",
    description="强基 platform: registry, indicator reporting, periods (open, lock, compute, notice, "
    "objections, final), publications and comparison results. "
    'Send `Authorization: Bearer <token>`; every error is `{"error": "..."}`.',
    auth=token_auth,
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    parser=SafeJSONParser(),
    throttle=THROTTLES,
)
errors.install(api)
api.add_router("", registry.router)
api.add_router("", reporting.router)
api.add_router("", periods.router)
api.add_router("", publications.router)
api.add_router("", comparisons.router)
