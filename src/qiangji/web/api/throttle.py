"""Request rate limits on the API (OWASP ASVS 4.0.3 11.1.4, 13.2.6; 等级保护 2.0 level 2 入侵防范).

A token's user gets ``API_RATE_USER`` requests, the anonymous public ``API_RATE_ANON`` per client
address (``QIANGJI_SECURITY``, "N/s|m|h|d"; read on every request, so a changed setting applies at once).
Over the limit: 429 ``{"error": ...}`` with ``Retry-After`` (ninja's ``Throttled``, answered by
:mod:`qiangji.web.api.errors`). The address is ``REMOTE_ADDR`` only, as for the login throttle
(:func:`qiangji.web.accounts.context.client_ip`): ninja's default would believe a client's
X-Forwarded-For. Counts live in Django's default cache, i.e. per process with the local-memory cache;
configure a shared cache (``CACHES``) when several workers serve the API.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from qiangji.web.accounts.context import client_ip

DEFAULT_RATES = {"API_RATE_USER": "600/m", "API_RATE_ANON": "60/m"}


def rate(name: str) -> str:
    return str(getattr(settings, "QIANGJI_SECURITY", {}).get(name) or DEFAULT_RATES[name])


class _SettingsRateThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self) -> None:
        super().__init__(rate(self.setting))

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = rate(self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str | None:
        return client_ip(request)


class UserRateThrottle(_SettingsRateThrottle):
    """Requests per token user (an authenticated request only)."""

    scope, setting = "qiangji_api_user", "API_RATE_USER"

    def get_cache_key(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class AnonRateThrottle(_SettingsRateThrottle):
    """Requests per client address of the anonymous public."""

    scope, setting = "qiangji_api_anon", "API_RATE_ANON"

    def get_cache_key(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


THROTTLES: list[BaseThrottle] = [UserRateThrottle(), AnonRateThrottle()]
