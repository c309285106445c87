"""The NinjaAPI instance mounted at ``/api/v1/``: a JSON index of the endpoints at the root, the OpenAPI
schema at ``/api/v1/openapi.json`` and the interactive documentation (Swagger UI) at ``/api/v1/docs``,
drawn with the copy of Swagger UI that django-ninja ships (``ninja`` is an installed app, so its static
files are served from this origin: no CDN, and the content security policy's ``script-src 'self'`` holds)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.urls import URLPattern, URLResolver
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from ninja import NinjaAPI, Swagger

from qiangji.web.api import (
    certificates,
    comparisons,
    errors,
    index,
    periods,
    publications,
    registry,
    reporting,
)
from qiangji.web.api.auth import token_auth
from qiangji.web.api.parser import SafeJSONParser
from qiangji.web.api.throttle import THROTTLES


class QiangjiAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        """As ninja's, but a wrong method gets the one error shape too (ninja's 405 has a bare body), and the
        root answers with the index of endpoints (ninja's root only finds the docs)."""
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                view = pattern.callback
                if pattern.name == "api-root":
                    view = csrf_exempt(partial(index.index, api=self))
                if pattern.name in ("openapi-json", "openapi-view", "api-root"):
                    view = require_GET(view)
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
    "objections, final), publications, comparison results and certificate batches pushed by the "
    "institutions' own systems. "
    'Send `Authorization: Bearer <token>`; every error is `{"error": "..."}`.',
    auth=token_auth,
    urls_namespace="api",
    docs_url="/docs",
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),  # no call to a validator site
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
api.add_router("", certificates.router)
