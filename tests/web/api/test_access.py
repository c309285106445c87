"""The API's permission questions follow the one access policy, role by role (accounts.policy)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from qiangji.web.accounts import policy
from qiangji.web.api import access

pytestmark = pytest.mark.django_db

# Written out independently of policy.STEP_ROLES: who may take each workflow step through the API.
STEPS = {
    "open_period": {"admin"},
    "publish": {"admin"},
    "lodge_objection": {"admin", "reporter_a"},
    "review": {"admin", "reviewer"},
    "lock": {"admin", "reviewer"},
    "report": {"admin", "reviewer", "reporter_a"},
    "submit_comparison": {"admin", "reviewer", "reporter_a"},
}
WHO = ("admin", "reviewer", "leader", "reporter_a", "norole", "public", "staff_no_role")


def _users(world: dict[str, Any]) -> dict[str, Any]:
    users = {name: world[name].user for name in WHO if name in world and world[name].user is not None}
    users["public"] = AnonymousUser()
    # A staff account with no role: the API treated it as a city reviewer when it had rules of its own;
    # the policy gives it no role, like the pages.
    users["staff_no_role"] = get_user_model().objects.create_user("staff-only", is_staff=True)
    return users


def test_it_lets_each_role_take_the_steps_of_the_policy(world: dict[str, Any]) -> None:
    users = _users(world)
    for step, allowed in STEPS.items():
        got = {name for name, user in users.items() if access.may(user, step)}
        assert got == allowed, step
        assert got == {name for name, user in users.items() if policy.may(user, step)}, step


def test_it_answers_the_named_questions_by_role(world: dict[str, Any]) -> None:
    users = _users(world)
    a, b = world["a"], world["b"]
    assert {n for n, u in users.items() if access.is_programme_admin(u)} == {"admin"}
    assert {n for n, u in users.items() if access.is_county_reporter(u)} == {"reporter_a"}
    assert {n for n, u in users.items() if access.sees_unpublished(u)} == {"admin", "reviewer", "leader"}
    assert {n for n, u in users.items() if access.can_review(u)} == {"admin", "reviewer"}
    assert {n for n, u in users.items() if access.can_report(u, a)} == {"admin", "reviewer", "reporter_a"}
    assert {n for n, u in users.items() if access.can_report(u, b)} == {"admin", "reviewer"}
    seen = {n: set(access.visible_institutions(u).values_list("code", flat=True)) for n, u in users.items()}
    assert seen["reporter_a"] == {"CA"} and seen["leader"] >= {"CA", "CB"}
    assert seen["norole"] == seen["public"] == seen["staff_no_role"] == set()
    assert access.own_institution(users["reporter_a"]) == a and access.own_institution(users["admin"]) is None
