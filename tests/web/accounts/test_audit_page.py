"""Leadership reads the audit trail on the site's own page (/audit/): the admin is closed to it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.registry.models import Staff

from .conftest import client_as

pytestmark = pytest.mark.django_db


def test_it_lists_filters_and_exports_the_trail_for_leadership(world: dict[str, Any]) -> None:
    Staff.objects.create(institution=world["c1"], name="=HYPERLINK(1)", hired_on="2021-01-01")
    c = client_as(world["users"]["leadership"])
    page = c.get(reverse("accounts:audit"), {"model": "staff", "action": "create"}).content.decode()
    assert "张三（示例）" in page and "李四（示例）" in page
    assert "示例县计量所1（示例）" not in page  # an institution's row is not a staff row
    body = c.get(reverse("accounts:audit_csv"), {"model": "staff", "q": "HYPERLINK"}).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2 and rows[1][rows[0].index("object_repr")].startswith("'=HYPERLINK(1)")  # defused
    export = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).get()
    assert export.actor == "director" and export.after == {"model": ["staff"], "q": ["HYPERLINK"]}


def test_it_names_a_date_it_does_not_understand(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["admin"])
    response = c.get(reverse("accounts:audit"), {"since": "2025-13-01"})
    assert response.status_code == 200
    assert "“since”须为日期（YYYY-MM-DD），收到 2025-13-01。" in response.content.decode()


def test_it_finds_events_of_an_address(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["admin"])
    c.post(reverse("admin:registry_staff_change", args=[world["s1"].pk]), {})  # a request from 127.0.0.1
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, actor="someone", ip="10.0.0.9")
    page = c.get(reverse("accounts:audit"), {"q": "10.0.0.9"}).content.decode()
    assert "someone" in page and "张三" not in page


@pytest.mark.parametrize("role", ["reviewer", "reporter"])
def test_it_is_closed_to_roles_without_the_trail(world: dict[str, Any], role: str) -> None:
    c = client_as(world["users"][role])
    assert c.get(reverse("accounts:audit")).status_code == 403
    assert c.get(reverse("accounts:audit_csv")).status_code == 403


def test_the_menu_shows_each_role_its_own_back_office(world: dict[str, Any]) -> None:
    pages = {
        role: client_as(world["users"][role]).get("/").content.decode() for role in ("admin", "leadership")
    }
    pages["reporter"] = client_as(world["users"]["reporter"]).get("/").content.decode()
    assert reverse("accounts:audit") in pages["leadership"] and 'href="/admin/"' not in pages["leadership"]
    assert reverse("accounts:audit") not in pages["reporter"] and 'href="/admin/"' not in pages["reporter"]
    assert 'href="/admin/"' in pages["admin"]
