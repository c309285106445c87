"""API tokens in the audit trail: creation and revocation are recorded (in the model and from the admin's
revoke action), and neither the secret nor its stored digest ever appears in the recorded values."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.accounts.context import acting_as
from qiangji.web.accounts.models import AuditEvent, Profile, Role
from qiangji.web.api.models import ApiToken


def token_events(token: ApiToken) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(app_label="api", object_id=str(token.pk)).order_by("id"))


def test_it_audits_creation_and_revocation_without_the_secret(db: Any) -> None:
    owner, admin = (
        get_user_model().objects.create_user("t_owner"),
        get_user_model().objects.create_user("t_admin"),
    )
    with acting_as(admin, source="test"):
        token, secret = ApiToken.issue(owner, "统计接口")
        token.revoke()
    create, revoke = token_events(token)
    assert (create.action, revoke.action, create.actor, revoke.actor) == (
        "create",
        "update",
        "t_admin",
        "t_admin",
    )
    assert create.after["name"] == "统计接口" and create.after["user_id"] == owner.pk
    assert revoke.changed == ["revoked_at"] and revoke.before["revoked_at"] is None
    recorded = json.dumps([create.before, create.after, revoke.before, revoke.after])
    assert secret not in recorded and secret[8:] not in recorded
    assert token.digest not in recorded
    assert create.after["digest"].startswith("***") and create.after["digest"] == revoke.after["digest"]


def test_it_audits_the_admins_revoke_action(db: Any) -> None:
    admin = get_user_model().objects.create_superuser("t_super", "s@example.invalid")
    Profile.objects.create(user=admin, role=Role.ADMIN)
    tokens = [ApiToken.issue(admin, f"t{i}")[0] for i in range(2)]
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [t.pk for t in tokens]},
    )
    assert response.status_code == 302
    for token in tokens:
        events = token_events(token)
        assert [e.action for e in events] == ["create", "update"]
        assert events[-1].changed == ["revoked_at"] and events[-1].actor == "t_super"
    assert ApiToken.objects.usable().count() == 0
