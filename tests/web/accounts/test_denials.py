"""Refused access enters the audit trail (等级保护 2.0 level 2 安全审计: 重要的安全事件; OWASP ASVS 7.1.3,
7.2.2): a 403 on a page, in the admin, on a leadership write, a CSRF failure, and an API 403, and an API
401 for a token that was sent but is wrong. Who, from where, which path, why."""

from __future__ import annotations

from typing import Any

from django.test import Client

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.api.models import ApiToken
from qiangji.web.registry.models import Staff
from tests.web.accounts.conftest import client_as


def denials() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).order_by("id"))


def test_it_records_a_reporter_refused_another_institutions_page(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reporter"])
    assert c.get("/programme/institutions/C2/", REMOTE_ADDR="10.1.2.3").status_code == 403
    [event] = denials()
    assert (event.actor, event.source, event.ip) == ("county1", "web", "10.1.2.3")
    assert event.after["path"] == "/programme/institutions/C2/" and event.after["status"] == 403
    assert event.after["method"] == "GET" and "another institution" in event.after["reason"]


def test_it_records_a_refused_admin_object(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reporter"])
    staff: Staff = world["s2"]
    response = c.get(f"/admin/registry/staff/{staff.pk}/change/")
    assert response.status_code in (302, 403, 404)
    if response.status_code == 403:
        assert denials()[-1].after["path"].endswith(f"/{staff.pk}/change/")


def test_it_records_a_leadership_write(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["leadership"])
    assert c.post("/programme/training/2025/plan/", {}).status_code == 403
    [event] = denials()
    assert event.actor == "director" and event.after["method"] == "POST"


def test_it_records_a_csrf_failure(world: dict[str, Any]) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(world["users"]["reviewer"])
    assert c.post("/programme/training/2025/plan/", {}).status_code == 403
    [event] = denials()
    assert event.actor == "inspector" and "CSRF" in event.after["reason"]


def test_it_records_api_refusals_and_wrong_tokens(world: dict[str, Any]) -> None:
    _row, secret = ApiToken.issue(world["users"]["reporter"], "test")
    c = Client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert c.get("/api/v1/institutions/C2", headers=auth).status_code in (403, 404)
    assert c.get("/api/v1/institutions", headers={"Authorization": "Bearer qj_wrong"}).status_code == 401
    events = denials()
    assert events[-1].source == "api" and events[-1].after["status"] == 401
    assert events[-1].after["path"] == "/api/v1/institutions"
    assert (
        "Authorization: Bearer" in events[-1].after["reason"]
    )  # the message sent, in the request's language


def test_it_leaves_ordinary_answers_alone(world: dict[str, Any]) -> None:
    client_as(world["users"]["reviewer"]).get("/programme/")
    client_as(None).get("/programme/")  # anonymous: sent to the login page, not refused
    Client().get("/api/v1/institutions")  # no token at all: a 401 but no attempt to authenticate
    assert denials() == []
