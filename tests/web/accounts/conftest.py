"""A city institute, two county institutions with registry rows, and one user for every role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.accounts.roles import assign_role
from qiangji.web.registry.models import Institution, Staff

ROLES = ["admin", "reviewer", "reporter", "other_reporter", "leadership", "no_role", "anonymous"]


def make_user(name: str, role: str | None = None, inst: Institution | None = None) -> Any:
    user = get_user_model().objects.create_user(name, is_staff=role is None)  # force_login: no password
    if role is not None:
        assign_role(user, role, inst)
    return user


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    c1 = Institution.objects.create(code="C1", name="示例县计量所1（示例）", level=Institution.Level.COUNTY)
    c2 = Institution.objects.create(code="C2", name="示例县计量所2（示例）", level=Institution.Level.COUNTY)
    users = {
        "admin": make_user("office", "admin", city),
        "reviewer": make_user("inspector", "reviewer", city),
        "reporter": make_user("county1", "reporter", c1),
        "other_reporter": make_user("county2", "reporter", c2),
        "leadership": make_user("director", "leadership"),
        "no_role": make_user("staff_without_role"),  # is_staff but no role: nothing
        "anonymous": None,
    }
    return {
        "city": city,
        "c1": c1,
        "c2": c2,
        "s1": Staff.objects.create(institution=c1, name="张三（示例）", hired_on="2020-01-01"),
        "s2": Staff.objects.create(institution=c2, name="李四（示例）", hired_on="2020-01-01"),
        "users": users,
    }


def client_as(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def admin_form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """The POST body an admin change page would send back unchanged (inlines included), plus ``changes``."""
    ctx = response.context
    data: dict[str, Any] = {}
    forms = [ctx["adminform"].form]
    for inline in ctx["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            else:
                data[form.add_prefix(name)] = value.isoformat() if hasattr(value, "isoformat") else value
    data.update(changes)
    return data
