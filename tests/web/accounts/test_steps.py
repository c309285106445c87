"""Who takes each workflow step: the policy, the README's table and the pages, API and admin agree.

:data:`WHO` is the specification, written here (not read from the code): for each step, the roles that
take it. The policy (:data:`policy.STEP_ROLES`, :func:`policy.may`) must say the same for every role, and
so must the README's table "Who takes each step" (its ✓ / "own institution" cells), so the documentation
cannot drift from the code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from qiangji.web.accounts import policy

from .conftest import make_user

ROLES = ("admin", "reviewer", "reporter", "leadership", "public")
CITY = frozenset({"admin", "reviewer"})
WHO: dict[str, frozenset[str]] = {
    "open_period": frozenset({"admin"}),
    "extend": CITY,
    "report": CITY | {"reporter"},
    "review": CITY,
    "lock": CITY,
    "publish": frozenset({"admin"}),  # compute, notice, answer objections, final
    "read_audit": CITY,  # the statistical audit of a computed run (not leadership, not public)
    "lodge_objection": frozenset({"admin", "reporter"}),
    "inspect": CITY,
    "rectify": CITY | {"reporter"},
    "review_rectification": CITY,
    "submit_comparison": CITY | {"reporter"},
    "pilot_comparison": CITY,
    "flag_a_candidate": CITY,
    "name_rm_candidate": CITY | {"reporter"},
    "link_prep_session": CITY,
    "enter_needs": CITY | {"reporter"},
    "import_duty_list": CITY,
    "accept_training_proposal": frozenset({"admin"}),
    "enter_research_application": CITY | {"reporter"},
    "audit_certificates": CITY | {"reporter"},  # own institution's failing certificates (C3/C4)
}
README = Path(__file__).resolve().parents[3] / "README.md"
#: The README table's role columns, in order.
COLUMNS = ("admin", "reviewer", "reporter", "leadership")


def _user(name: str, role: str) -> Any:
    from qiangji.web.registry.models import Institution

    county, _new = Institution.objects.get_or_create(
        code="C1", defaults={"name": "示例县计量所1（示例）", "level": Institution.Level.COUNTY}
    )
    return make_user(name, role, county if role == "reporter" else None)


def test_the_policy_declares_exactly_these_steps() -> None:
    assert set(policy.STEP_ROLES) == set(WHO)


@pytest.mark.django_db
@pytest.mark.parametrize("step", sorted(WHO))
def test_the_policy_lets_exactly_these_roles_take_each_step(step: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    users: dict[str, Any] = {r: _user(f"u-{r}", r) for r in ROLES if r != "public"}
    users["public"] = AnonymousUser()
    users["superuser"] = make_user("root")
    users["superuser"].is_superuser = True
    for role, user in users.items():
        expected = (role if role != "superuser" else "admin") in WHO[step]
        assert policy.may(user, step) is expected, (step, role)


@pytest.mark.django_db
def test_the_named_checks_ask_the_same_table() -> None:
    named = {
        "open_period": policy.can_open_period, "extend": policy.can_extend, "review": policy.can_review,
        "lock": policy.can_lock, "publish": policy.can_publish, "read_audit": policy.can_read_audit,
        "lodge_objection": policy.can_lodge_objection,
        "inspect": policy.can_inspect, "review_rectification": policy.can_review_rectification,
    }  # fmt: skip
    for role in ROLES[:-1]:
        user = _user(f"n-{role}", role)
        for step, check in named.items():
            assert check(user) is (role in WHO[step]), (step, role)


def _readme_rows() -> dict[str, list[frozenset[str]]]:
    """Step → the role sets its README rows give (one row per step, several for ``publish``)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("#### Who takes each step", 1)[1].split("\n#", 1)[0]
    rows: dict[str, list[frozenset[str]]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        found = re.search(r"\(`(\w+)`\)", cells[0]) if len(cells) > len(COLUMNS) else None
        if found is None:
            continue
        roles = frozenset(r for r, cell in zip(COLUMNS, cells[1:], strict=False) if cell)
        rows.setdefault(found.group(1), []).append(roles)
    return rows


def test_the_readme_table_says_the_same() -> None:
    rows = _readme_rows()
    assert set(rows) == set(WHO), "every step has a row in README.md's table, and no other"
    for step, found in rows.items():
        for roles in found:
            assert roles == WHO[step], (step, sorted(roles))
    assert len(rows["publish"]) == 4  # compute, notice, answer, final
