"""Issuing API tokens: always with an expiry (default 90 days, at most 365), in the admin only for oneself
(a token for someone else would let its creator act as them in the audit trail), for service accounts
from the command line, audited with the creator; revoking anyone's token stays with the admin."""

from __future__ import annotations

import datetime as dt
import getpass
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.api.models import ApiToken, digest

ADD = reverse("admin:api_apitoken_add")


def _signed_in(world: dict[str, Any], who: str) -> Client:
    c = Client()
    c.force_login(world[who].user)
    return c


def _post(c: Client, when: dt.datetime | None, **extra: Any) -> Any:
    data: dict[str, Any] = {"name": "nightly export", **extra}
    if when is not None:
        local = timezone.localtime(when)
        data |= {"expires_at_0": local.date().isoformat(), "expires_at_1": local.strftime("%H:%M:%S")}
    return c.post(ADD, data)


def _tokens() -> set[tuple[str, str]]:
    return set(ApiToken.objects.values_list("user__username", "name"))


def test_the_admin_form_proposes_90_days_and_has_no_user_choice(world: dict[str, Any]) -> None:
    page = _signed_in(world, "admin").get(ADD)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "user" not in form.fields and form.fields["expires_at"].required
    proposed = form["expires_at"].value()
    assert abs(proposed - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=5)


@pytest.mark.parametrize(
    ("when", "words"),
    [
        (None, "失效时间"),
        (dt.timedelta(days=366), "365"),
        (dt.timedelta(days=-1), "失效时间"),
    ],
)
def test_the_admin_refuses_a_missing_or_out_of_range_expiry(
    world: dict[str, Any], when: dt.timedelta | None, words: str
) -> None:
    before = _tokens()
    response = _post(_signed_in(world, "admin"), timezone.now() + when if when is not None else None)
    assert response.status_code == 200  # the form again, with the error at the field
    errors = response.context["adminform"].form.errors
    assert (
        list(errors) == ["expires_at"]
        and words in errors["expires_at"][0]
        and "失效时间" in errors["expires_at"][0]
    )
    assert _tokens() == before


def test_the_admin_creates_a_token_only_for_the_signed_in_user(world: dict[str, Any]) -> None:
    target = world["reporter_a"].user
    c = _signed_in(world, "admin")
    response = _post(c, timezone.now() + dt.timedelta(days=30), user=str(target.pk))  # a forged choice
    assert response.status_code == 302
    row = ApiToken.objects.get(name="nightly export")
    assert row.user == world["admin"].user and not ApiToken.objects.filter(user=target, name="nightly export")
    event = AuditEvent.objects.filter(model="apitoken", object_id=str(row.pk), action="create").get()
    assert (event.actor, event.after["user_id"]) == ("admin1", world["admin"].user.pk)


def test_a_reviewer_gets_its_own_token_too(world: dict[str, Any]) -> None:
    response = _post(_signed_in(world, "reviewer"), timezone.now() + dt.timedelta(days=365))
    assert response.status_code == 302
    assert ApiToken.objects.get(name="nightly export").user == world["reviewer"].user


def test_the_admin_still_revokes_someone_elses_token(world: dict[str, Any]) -> None:
    row = ApiToken.objects.get(user=world["reporter_a"].user)
    c = _signed_in(world, "admin")
    changelist = reverse("admin:api_apitoken_changelist")
    response = c.post(changelist, {"action": "revoke", "_selected_action": [str(row.pk)]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert ApiToken.authenticate(world["reporter_a"].token) is None


def _cli(*args: str) -> str:
    out = StringIO()
    call_command("createapitoken", "reviewer1", "--name", "service", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_line_defaults_to_90_days_and_records_its_operator(world: dict[str, Any]) -> None:
    row = ApiToken.objects.get(digest=digest(_cli()))
    assert row.user == world["reviewer"].user
    assert row.expires_at is not None
    assert abs(row.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=5)
    event = AuditEvent.objects.filter(model="apitoken", object_id=str(row.pk), action="create").get()
    assert (event.actor, event.source, event.after["user_id"]) == (getpass.getuser(), "cli", row.user_id)
    longest = ApiToken.objects.get(digest=digest(_cli("--days", "365")))
    assert longest.expires_at is not None and longest.expires_at > timezone.now() + dt.timedelta(days=364)


@pytest.mark.parametrize("days", ["0", "366", "-1"])
def test_the_command_line_refuses_no_expiry_or_more_than_365_days(world: dict[str, Any], days: str) -> None:
    before = _tokens()
    with pytest.raises(CommandError, match="--days must be between 1 and 365"):
        _cli("--days", days)
    assert _tokens() == before
