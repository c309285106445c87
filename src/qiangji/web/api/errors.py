"""One error shape for every API failure: ``{"error": "..."}``, from one helper.

Every handler below returns it, so a client never has to parse Django's HTML error pages or ninja's
``{"detail": ...}``. Unexpected exceptions are logged with their traceback and answered with a generic
message (no internals leak to the client).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

log = logging.getLogger("qiangji.api")


class ErrorOut(Schema):
    error: str


class Conflict(Exception):
    """The record changed since the client read it (optimistic locking) → 409."""


ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)}


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _field_errors(exc: NinjaValidationError) -> str:
    parts = []
    for item in exc.errors[:10]:
        loc = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "payload"))
        parts.append(f"{loc}: {item.get('msg', 'invalid')}" if loc else str(item.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def django_validation_text(exc: DjangoValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api`` (4xx with their message, 5xx generic)."""

    def handle(exc_class: type[Exception], status: int, text: Any) -> None:
        def handler(request: HttpRequest, exc: Any) -> HttpResponse:
            return error(text(exc), status)

        api.add_exception_handler(exc_class, handler)

    handle(NinjaValidationError, 422, _field_errors)
    handle(
        AuthenticationError, 401, lambda e: "authentication required: send `Authorization: Bearer <token>`"
    )
    handle(PermissionDenied, 403, lambda e: str(e) or "permission denied")
    handle(Http404, 404, lambda e: str(e) or "not found")
    handle(Conflict, 409, str)
    handle(DjangoValidationError, 400, django_validation_text)
    handle(RequestDataTooBig, 413, lambda e: "request body too large")

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(str(exc), getattr(exc, "status_code", 400))

    def unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path)
        return error("internal server error", 500)

    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Exception, unexpected)


def json_not_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap an API view so a 405 answers ``{"error": ...}`` naming the allowed methods (``Allow`` kept)."""

    @functools.wraps(view)  # keeps ninja's csrf_exempt marker
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        out = error(f"method {request.method} not allowed here; allowed: {allowed}", 405)
        out["Allow"] = allowed
        return out

    return wrapped


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Fallback for any method on any unknown path under /api/ (instead of Django's HTML 404 page, or
    for a POST its HTML CSRF page: there is nothing here a forged request could change)."""
    return error("not found", 404)
