"""One error shape for every API failure: ``{"error": "..."}``, from one helper.

Every handler below returns it, so a client never has to parse Django's HTML error pages or ninja's
``{"detail": ...}``. Unexpected exceptions are logged with their traceback and answered with a generic
message (no internals leak to the client). Messages are in the request's language (``Accept-Language`` or
the language cookie, activated by ``LocaleMiddleware``; Chinese by default), including the common
validation errors of the request body and query (:data:`FIELD_PROBLEMS`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

log = logging.getLogger("qiangji.api")


class ErrorOut(Schema):
    error: str


class Conflict(Exception):
    """The record changed since the client read it (optimistic locking) → 409."""


ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429)}


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


#: Pydantic's error types a client meets most, in the request's language (others keep pydantic's text).
FIELD_PROBLEMS: dict[str, Any] = {
    "missing": gettext_lazy("必填"),
    "extra_forbidden": gettext_lazy("不允许此字段"),
    "json_invalid": gettext_lazy("不是有效的 JSON"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_type": gettext_lazy("应为整数"),
    "float_parsing": gettext_lazy("应为数值"),
    "float_type": gettext_lazy("应为数值"),
    "decimal_parsing": gettext_lazy("应为数值"),
    "bool_parsing": gettext_lazy("应为 true 或 false"),
    "string_type": gettext_lazy("应为字符串"),
    "date_from_datetime_parsing": gettext_lazy("应为日期（YYYY-MM-DD）"),
    "date_parsing": gettext_lazy("应为日期（YYYY-MM-DD）"),
    "datetime_parsing": gettext_lazy("应为日期时间（ISO 8601）"),
    "greater_than": gettext_lazy("应大于 %(gt)s"),
    "greater_than_equal": gettext_lazy("应不小于 %(ge)s"),
    "less_than": gettext_lazy("应小于 %(lt)s"),
    "less_than_equal": gettext_lazy("应不大于 %(le)s"),
    "string_too_short": gettext_lazy("至少 %(min_length)s 个字符"),
    "string_too_long": gettext_lazy("至多 %(max_length)s 个字符"),
    "too_short": gettext_lazy("至少 %(min_length)s 项"),
    "too_long": gettext_lazy("至多 %(max_length)s 项"),
    "string_pattern_mismatch": gettext_lazy("格式不正确（应符合 %(pattern)s）"),
    "enum": gettext_lazy("应为以下之一：%(expected)s"),
    "literal_error": gettext_lazy("应为以下之一：%(expected)s"),
}


def _problem(item: dict[str, Any]) -> str:
    text = FIELD_PROBLEMS.get(str(item.get("type", "")))
    if text is None:
        return str(item.get("msg", _("无效")))
    try:
        return str(text) % dict(item.get("ctx") or {})
    except (KeyError, TypeError, ValueError):  # a context without the named value: pydantic's own text
        return str(item.get("msg", _("无效")))


def _field_errors(exc: NinjaValidationError) -> str:
    parts = []
    for item in exc.errors[:10]:
        loc = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "payload"))
        parts.append(f"{loc}: {_problem(item)}" if loc else _problem(item))
    return "; ".join(parts) or _("请求内容无效。")


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
        AuthenticationError, 401, lambda e: _("需要身份认证：请发送请求头 `Authorization: Bearer <令牌>`。")
    )
    handle(PermissionDenied, 403, lambda e: str(e) or _("无权执行此操作。"))
    handle(Http404, 404, lambda e: str(e) or _("未找到。"))
    handle(Conflict, 409, str)
    handle(DjangoValidationError, 400, django_validation_text)
    handle(RequestDataTooBig, 413, lambda e: _("请求内容过大。"))
    handle(Throttled, 429, lambda e: _("请求过于频繁，请稍后再试。"))

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return error(str(exc), getattr(exc, "status_code", 400))

    def unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path)
        return error(_("服务器内部错误，请稍后再试。"), 500)

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
        text = _("此地址不接受 %(method)s 请求；可用的方法：%(allowed)s。")
        out = error(text % {"method": request.method, "allowed": allowed}, 405)
        out["Allow"] = allowed
        return out

    return wrapped


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Fallback for any method on any unknown path under /api/ (instead of Django's HTML 404 page, or
    for a POST its HTML CSRF page: there is nothing here a forged request could change)."""
    return error(_("未找到。"), 404)
