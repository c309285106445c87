"""The site's own error pages: 400, 403 (and a failed CSRF check), 404 and 500.

Each is in the site's layout and the request's language and says what the visitor can do next (sign in,
go to their home page, contact the programme office). Under ``/api/`` the answer is the API's one JSON
shape instead. The 500 page is a template of its own that needs no database (the failure may be the
database) and no request context. Denials still reach the audit trail: ``DeniedAccessAuditMiddleware``
sees every 403 these views return.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from qiangji.web.accounts import denials, policy
from qiangji.web.api.errors import error as api_error


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def contact() -> str:
    """How to reach the programme office (``QIANGJI_CONTACT``), or ``""``."""
    return str(getattr(settings, "QIANGJI", {}).get("CONTACT", ""))


def _home(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    signed_in = policy.role_of(user) != policy.PUBLIC
    return reverse("inbox:home") if signed_in else reverse("publication:leaderboard")


def _page(request: HttpRequest, template: str, status: int, **extra: Any) -> HttpResponse:
    user = getattr(request, "user", None)
    context = {
        "status": status,
        "home_url": _home(request),
        "signed_in": bool(user is not None and user.is_authenticated),
        "login_url": redirect_to_login(request.get_full_path())["Location"],
        "contact": contact(),
        **extra,
    }
    return render(request, template, context, status=status)


@requires_csrf_token  # the page's language form needs a token, also when the failure came before the view
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error(_("请求无效。"), 400)
    return _page(request, "errors/400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error(_("无权执行此操作。"), 403)
    return _page(request, "errors/403.html", 403, role=policy.role_of(getattr(request, "user", None)))


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error(_("未找到。"), 404)
    return _page(request, "errors/404.html", 404, path=request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request context: no database, no session, no user (any of them may be what
    failed). The language is still the request's (LocaleMiddleware activated it before the view ran)."""
    if _is_api(request):
        return api_error(_("服务器内部错误，请稍后再试。"), 500)
    html = loader.get_template("errors/500.html").render({"contact": contact()})
    return HttpResponseServerError(html)


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the form was stale or cookies are off; say so, and how to go on."""
    setattr(request, denials.REASON, f"CSRF verification failed: {reason}"[:500])
    if _is_api(request):
        return api_error(_("安全校验失败（CSRF），请求未执行。"), 403)
    no_cookie = "cookie" in reason.lower()
    return _page(request, "errors/csrf.html", 403, no_cookie=no_cookie)
