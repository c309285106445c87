from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from qiangji.web.api.models import ApiToken, digest
from tests.web.api.conftest import Caller


def test_it_requires_a_token(world: dict[str, Any]) -> None:
    status, body = world["public"].get("/institutions")
    assert status == 401
    assert set(body) == {"error"} and "Bearer" in body["error"]


def test_it_refuses_a_wrong_token_even_on_public_endpoints(world: dict[str, Any]) -> None:
    forged = Caller(None, "qj_" + "A" * 43, world["public"].client)
    assert forged.get("/publications")[0] == 401
    assert forged.get("/institutions")[0] == 401


def test_it_refuses_revoked_and_expired_tokens(world: dict[str, Any]) -> None:
    reviewer = world["reviewer"]
    assert reviewer.get("/institutions")[0] == 200
    row = ApiToken.objects.get(digest=digest(reviewer.token))
    row.revoke()
    assert reviewer.get("/institutions")[0] == 401
    _row, secret = ApiToken.issue(reviewer.user, "old", timezone.now() - dt.timedelta(seconds=1))
    assert Caller(reviewer.user, secret, reviewer.client).get("/institutions")[0] == 401


def test_it_refuses_tokens_of_inactive_users(world: dict[str, Any]) -> None:
    reviewer = world["reviewer"]
    reviewer.user.is_active = False
    reviewer.user.save()
    assert reviewer.get("/institutions")[0] == 401


def test_it_stores_only_the_digest(world: dict[str, Any]) -> None:
    secret = world["admin"].token
    row = ApiToken.objects.get(user=world["admin"].user)
    assert row.digest == digest(secret) and secret not in (row.digest, row.hint, row.name)
    assert len(secret) >= 40 and row.hint == secret[:8]


def test_it_creates_a_token_from_the_command_line(world: dict[str, Any]) -> None:
    out = StringIO()
    call_command("createapitoken", "reviewer1", "--name", "nightly export", stdout=out)
    secret = out.getvalue().strip()
    assert ApiToken.authenticate(secret) == world["reviewer"].user
    assert ApiToken.objects.get(digest=digest(secret)).expires_at is not None
