"""Request context for the audit trail, security headers, default-deny for anonymous users and a
read-only guard for leadership."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from qiangji.web.accounts import context, policy

Handler = Callable[[HttpRequest], HttpResponse]

#: Scripts only from this origin: no inline script, no event-handler attribute, no eval (charts are drawn by
#: publication's charts.js from JSON, selects auto-submit through forms.js; tests/web/security/test_csp.py).
#: style-src keeps 'unsafe-inline': plotly.js injects <style> elements and sets style attributes while it
#: draws, and the templates carry small style attributes; CSS cannot run script, so this is the usual
#: trade-off (accounts/README.md, Hardening).
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
DEFAULT_PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

#: URL names (namespace:name or name) anonymous visitors may open; everything else needs a login.
PUBLIC_URL_NAMES = frozenset(
    {
        "publication:leaderboard",
        "publication:period",
        "publication:plotly_js",
        "publication:favicon",
        "publication:script",
        "publication:ranking_xlsx",
        "publication:bulletin_pdf",
        "publication:scorecard",
        "publication:profile_pdf",
        "publication:bulletin_docx",
        "publication:methodology",
        "publication:methodology_pdf",
        "registry:home",  # the public directory of institutions and each one's public page
        "registry:institution",
        "set_language",
        "accounts:login",
        "accounts:logout",
        "admin:login",
        "admin:logout",
        "admin:password_reset",
    }
)
#: Non-read requests leadership may still make (signing out, choosing a language, own password, marking
#: its own notifications read).
READ_ONLY_EXEMPT = frozenset(
    {
        "set_language",
        "accounts:login",
        "accounts:logout",
        "accounts:password_change",
        "admin:logout",
        "admin:password_change",
        "admin:login",
        "inbox:read",
        "inbox:read_all",
    }
)


class AuditContextMiddleware:
    """Makes the request (user, IP, a fresh request id) the actor of every change it causes."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with context.for_request(request):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class SecurityHeadersMiddleware:
    """CSP, Permissions-Policy and cross-origin isolation headers (SecurityMiddleware does the rest)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", getattr(settings, "QIANGJI_CSP", DEFAULT_CSP))
        response.headers.setdefault("Permissions-Policy", DEFAULT_PERMISSIONS)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # No `user` when the request was refused before authentication ran (a Host not in ALLOWED_HOSTS
        # fails in CommonMiddleware and is answered 400): such a response carries nobody's data.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


def _url_name(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return str(match.view_name)


class AccessPolicyMiddleware:
    """Default deny: visitors without a role (anonymous, or signed in but given no role) reach only the
    public pages (and the API, which authenticates its own tokens); leadership may only read."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _url_name(request)
        is_api = request.path_info.startswith("/api/")
        static = request.path_info.startswith(settings.STATIC_URL)
        if name is not None and not is_api and not static:
            if policy.role_of(request.user) == policy.PUBLIC and name not in PUBLIC_URL_NAMES:
                return redirect_to_login(request.get_full_path())
            writes = request.method not in ("GET", "HEAD", "OPTIONS")
            if writes and policy.is_read_only(request.user) and name not in READ_ONLY_EXEMPT:
                raise PermissionDenied("leadership accounts are read-only")
        return self.get_response(request)
