"""A city institute, a county institution and one user of every role, for the site's own
pages: login, logout, password change, error pages, navigation and the API's index and docs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.accounts.roles import assign_role
from qiangji.web.registry.models import Institution

PASSWORD = "Tz-metrology-2o24-lab"
ROLES = ("admin", "reviewer", "reporter", "leadership")


def make_user(name: str, role: str | None = None, inst: Institution | None = None) -> Any:
    user = get_user_model().objects.create_user(name)  # force_login; with_password() where a test signs in
    if role is not None:
        assign_role(user, role, inst)
    return user


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    c1 = Institution.objects.create(code="C1", name="示例县计量所1（示例）", level=Institution.Level.COUNTY)
    return {
        "city": city,
        "c1": c1,
        "admin": make_user("office", "admin", city),
        "reviewer": make_user("inspector", "reviewer", city),
        "reporter": make_user("county1", "reporter", c1),
        "leadership": make_user("director", "leadership"),
        "no_role": make_user("nobody"),
    }


def with_password(user: Any) -> Any:
    user.set_password(PASSWORD)
    user.save()
    return user


def signed_in(user: Any, **kw: Any) -> Client:
    c = Client(**kw)
    c.force_login(user)
    return c


def header(html: str) -> str:
    return html[html.index("<header>") : html.index("</header>")]


def main(html: str) -> str:
    return html[html.index("<main>") : html.index("</main>")]


def links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', html)


CJK = re.compile(r"[\u4e00-\u9fff]")
