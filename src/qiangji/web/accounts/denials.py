"""Refused requests enter the audit trail (等级保护 2.0 level 2 安全审计; OWASP ASVS 7.1.3, 7.2.2).

Every 403 answer (a page's object check, the admin, the leadership read-only guard, a CSRF failure, the
API) and every API 401 to a request that *did* send credentials (a wrong, expired or revoked token: the
API's failed login) becomes one :attr:`AuditEvent.Action.DENIED` event with the actor, IP, method, path
and, where the refusal raised :class:`PermissionDenied` in a view, its message. The middleware sits
inside :class:`~qiangji.web.accounts.middleware.AuditContextMiddleware`, so the actor is the request's
(the token's user for the API, set during the view).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

REASON = "_qiangji_denied_reason"


def _reason(request: HttpRequest, response: HttpResponse) -> str:
    reason = getattr(request, REASON, "")
    if not reason and response.get("Content-Type", "").startswith("application/json"):
        try:  # the API's one error shape
            reason = json.loads(response.content).get("error", "")
        except (ValueError, AttributeError):
            reason = ""
    if not reason and response.status_code == 403 and b"CSRF" in getattr(response, "content", b"")[:4000]:
        reason = "CSRF verification failed"
    return str(reason)[:500]


def is_denial(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code == 403:
        return True
    sent_credentials = "Authorization" in request.headers
    return response.status_code == 401 and request.path_info.startswith("/api/") and sent_credentials


def record(request: HttpRequest, response: HttpResponse) -> None:
    from qiangji.web.accounts import audit
    from qiangji.web.accounts.models import AuditEvent

    path = request.path_info[:1000]
    audit.record(
        AuditEvent.Action.DENIED,
        object_repr=path[:200],
        after={
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "reason": _reason(request, response),
        },
    )


class DeniedAccessAuditMiddleware:
    """Writes a ``denied`` audit event for every refused request (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_denial(request, response):
            record(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Keep a view's refusal message for the event (Django then answers the 403 as usual)."""
        if isinstance(exception, PermissionDenied):
            setattr(request, REASON, str(exception))
