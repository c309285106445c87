"""Session lifetime (等级保护 2.0 level 2, 身份鉴别: 登录连接超时自动退出; OWASP ASVS 3.3.1, 3.3.2, 3.2.1):
an idle session ends after ``SESSION_IDLE_MINUTES``, any session after ``SESSION_MAX_HOURS``; the
ended session is deleted on the server (a copied cookie is worthless), logout and a password change too."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from qiangji.web.accounts import sessions
from qiangji.web.accounts.models import AuditEvent
from tests.web.accounts.conftest import client_as

PAGE = "/programme/"


def _stamp(c: Client, **ago: float) -> str:
    """Move the session's clocks ``ago`` seconds into the past; returns the session key."""
    s = c.session
    now = time.time()
    for key, seconds in ago.items():
        s[getattr(sessions, key)] = now - seconds
    s.save()
    return str(s.session_key)


def test_it_keeps_an_active_session(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reviewer"])
    assert c.get(PAGE).status_code == 200
    _stamp(c, LAST_SEEN=29 * 60)
    assert c.get(PAGE).status_code == 200


def test_it_ends_an_idle_session_on_the_server(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reviewer"])
    assert c.get(PAGE).status_code == 200
    key = _stamp(c, LAST_SEEN=31 * 60)
    response = c.get(PAGE)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Session.objects.filter(session_key=key).exists()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT).get()
    assert event.actor == "inspector" and event.after == {"reason": "idle"}


def test_it_ends_a_session_after_its_absolute_lifetime_however_active(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reviewer"])
    assert c.get(PAGE).status_code == 200
    key = _stamp(c, STARTED=8 * 3600 + 1, LAST_SEEN=5)
    assert c.get(PAGE).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_it_reads_the_limits_from_settings(world: dict[str, Any], settings: Any) -> None:
    settings.QIANGJI_SECURITY = {**settings.QIANGJI_SECURITY, "SESSION_IDLE_MINUTES": 5}
    c = client_as(world["users"]["reviewer"])
    assert c.get(PAGE).status_code == 200
    _stamp(c, LAST_SEEN=6 * 60)
    assert c.get(PAGE).status_code == 302


def test_it_rotates_the_session_id_at_login_and_deletes_it_at_logout(world: dict[str, Any]) -> None:
    user = world["users"]["reviewer"]
    user.set_password("a-long-unguessable-passphrase")
    user.save()
    c = Client()
    c.get(reverse("accounts:login"))
    c.session.save()
    before = c.session.session_key
    c.post(reverse("accounts:login"), {"username": "inspector", "password": "a-long-unguessable-passphrase"})
    after = c.session.session_key
    assert after and after != before
    c.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=after).exists()


def test_it_ends_other_sessions_when_the_password_changes(world: dict[str, Any]) -> None:
    user = world["users"]["reviewer"]
    other = client_as(user)
    assert other.get(PAGE).status_code == 200
    user.set_password("another-long-unguessable-passphrase")
    user.save()
    assert other.get(PAGE).status_code == 302
