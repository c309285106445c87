"""Security headers on the static files WhiteNoise serves (``WHITENOISE_ADD_HEADERS_FUNCTION``).

WhiteNoise answers ``/static/`` right after Django's SecurityMiddleware (nosniff, Referrer-Policy, COOP,
HSTS), before the site's own SecurityHeadersMiddleware runs, so the CSP, Permissions-Policy, CORP and framing
headers are added here: a static SVG or HTML file opened directly gets the same policy as a page.
"""

from __future__ import annotations

from wsgiref.headers import Headers

from django.conf import settings


def add_security_headers(headers: Headers, path: str, url: str) -> None:
    """Add the site's CSP and isolation headers to one static file's response headers."""
    # Imported here: settings name this function before the apps (and the accounts middleware) are loaded.
    from qiangji.web.accounts.middleware import DEFAULT_CSP, DEFAULT_PERMISSIONS

    headers.setdefault("Content-Security-Policy", getattr(settings, "QIANGJI_CSP", DEFAULT_CSP))
    headers.setdefault("Permissions-Policy", DEFAULT_PERMISSIONS)
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
