"""Session lifetime: an idle timeout and an absolute lifetime, enforced on the server.

等级保护 2.0 level 2 (身份鉴别: 登录连接超时自动退出) and OWASP ASVS 4.0.3 3.3.2 ask that a signed-in
session ends after a period of inactivity and after a maximum lifetime, whatever the browser does.
Django's ``SESSION_COOKIE_AGE`` alone gives neither: the stored expiry slides with every save and the
cookie is under the client's control. The middleware keeps two clocks in the session (``STARTED`` at
login, ``LAST_SEEN`` at the latest request, refreshed at most once a minute to spare the database) and,
when one runs out, deletes the session on the server, records the logout with its reason and sends the
browser to the login page. The API authenticates tokens, not sessions, and is left alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

STARTED = "qiangji_session_started"
LAST_SEEN = "qiangji_session_last_seen"
#: Seconds between two writes of ``LAST_SEEN`` (the idle timeout is exact to within this).
REFRESH_SECONDS = 60


def limits() -> tuple[float, float]:
    """(idle, absolute) limits in seconds, from ``QIANGJI_SECURITY`` (30 minutes, 8 hours by default)."""
    conf = getattr(settings, "QIANGJI_SECURITY", {})
    return 60.0 * conf.get("SESSION_IDLE_MINUTES", 30), 3600.0 * conf.get("SESSION_MAX_HOURS", 8)


def expired_reason(session: Any, now: float) -> str | None:
    """``"idle"``, ``"lifetime"`` or None (the session may go on)."""
    idle, absolute = limits()
    if now - float(session.get(LAST_SEEN, now)) > idle:
        return "idle"
    if now - float(session.get(STARTED, now)) > absolute:
        return "lifetime"
    return None


def start(sender: Any, request: Any, user: Any, **_: Any) -> None:
    """``user_logged_in`` receiver: both clocks start at login."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[STARTED] = request.session[LAST_SEEN] = now


def end(request: HttpRequest, reason: str) -> None:
    """Delete the session on the server and record the logout (not via ``logout()``: one event, with why)."""
    from qiangji.web.accounts import audit
    from qiangji.web.accounts.models import AuditEvent

    user = request.user
    audit.record(
        AuditEvent.Action.LOGOUT, actor_id=user.pk, actor=user.get_username(), after={"reason": reason}
    )
    request.session.flush()
    request.user = AnonymousUser()


class SessionTimeoutMiddleware:
    """Ends signed-in sessions that were idle too long or have lived too long (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/") or not request.user.is_authenticated:
            return self.get_response(request)
        now, session = time.time(), request.session
        reason = expired_reason(session, now)
        if reason is not None:
            end(request, reason)
            return redirect_to_login(request.get_full_path())
        session.setdefault(STARTED, now)
        if now - float(session.get(LAST_SEEN, 0)) >= REFRESH_SECONDS:
            session[LAST_SEEN] = now
        return self.get_response(request)
