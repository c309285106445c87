"""The NinjaAPI instance mounted at ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``, no docs page:
the Swagger UI would load scripts from a CDN, which the content security policy forbids)."""

from __future__ import annotations

from ninja import NinjaAPI

from qiangji.web.api import comparisons, errors, publications, registry, reporting
from qiangji.web.api.auth import token_auth

api = NinjaAPI(
    title="qiangji API",
    version="1",
    description="强基 platform: registry, indicator reporting, publications and comparison results. "
    'Send `Authorization: Bearer <token>`; every error is `{"error": "..."}`.',
    auth=token_auth,
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", registry.router)
api.add_router("", reporting.router)
api.add_router("", publications.router)
api.add_router("", comparisons.router)
