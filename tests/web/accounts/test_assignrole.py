"""The assignrole command."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from qiangji.web.accounts import policy
from qiangji.web.accounts.models import AuditEvent


def test_it_binds_a_reporter_to_an_institution(world: dict[str, Any]) -> None:
    out = StringIO()
    call_command("assignrole", "staff_without_role", "reporter", "--institution", "C2", stdout=out)
    user = world["users"]["no_role"]
    user.refresh_from_db()
    assert policy.role_of(user) == "reporter" and policy.institution_id_of(user) == world["c2"].pk
    assert AuditEvent.objects.filter(model="profile", action="create", source="cli").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "reviewer"], "existing user"),
        (["staff_without_role", "reporter"], "必须绑定一个机构"),
        (["staff_without_role", "reporter", "--institution", "XX"], "institution code"),
    ],
)
def test_it_refuses_bad_arguments(world: dict[str, Any], args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("assignrole", *args)
