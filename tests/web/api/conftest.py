"""API test world: two county institutions, a user of every role with a token, a one-line request helper."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.accounts.models import Profile, Role
from qiangji.web.api.models import ApiToken
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.assessment.reporting import is_percentage, reportable_nodes
from qiangji.web.registry.models import Institution
from tests.web.assessment.helpers import reporting_period
from tests.web.registry import factories as f


@dataclass
class Caller:
    """A role's user and token, with ``get``/``put``/``post`` returning (status, parsed JSON)."""

    user: Any
    token: str | None
    client: Client

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = json.dumps(body) if body is not None else None
        response = getattr(self.client, method)(
            f"/api/v1{path}", data=data, content_type="application/json", headers=headers
        )
        return response.status_code, response.json()

    def get(self, path: str) -> tuple[int, Any]:
        return self.call("get", path)

    def put(self, path: str, body: Any) -> tuple[int, Any]:
        return self.call("put", path, body)

    def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        return self.call("post", path, body if body is not None else {})


def make_user(name: str, role: str | None, inst: Institution | None = None) -> Any:
    user = get_user_model().objects.create_user(name, is_staff=role is not None)  # no password: fast
    if role is not None:
        Profile.objects.create(user=user, role=role, institution=inst)
    return user


def caller(user: Any) -> Caller:
    token = ApiToken.issue(user, "test")[1] if user is not None else None
    return Caller(user, token, Client())


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    ensure_default_framework(FrameworkVersion)
    a, b = f.institution("CA"), f.institution("CB")
    f.staff(a, name="甲某（示例）")
    f.staff(b, name="乙某（示例）")
    f.standard(a)
    return {
        "a": a,
        "b": b,
        "period": reporting_period("2025Q1"),
        "admin": caller(make_user("admin1", Role.ADMIN)),
        "reviewer": caller(make_user("reviewer1", Role.REVIEWER)),
        "reviewer2": caller(make_user("reviewer2", Role.REVIEWER)),
        "leader": caller(make_user("leader1", Role.LEADERSHIP)),
        "reporter_a": caller(make_user("rep_a", Role.REPORTER, a)),
        "reporter_b": caller(make_user("rep_b", Role.REPORTER, b)),
        "norole": caller(make_user("nobody", None)),
        "public": caller(None),
    }


def indicators() -> tuple[str, str]:
    """A plain (non-percentage) and a percentage indicator that institutions report."""
    fw = FrameworkVersion.objects.order_by("-created_at", "-pk").first()
    assert fw is not None
    nodes = reportable_nodes(fw.framework())
    plain = next(n.code for n in nodes if not is_percentage(n))
    pct = next(n.code for n in nodes if is_percentage(n))
    return plain, pct
