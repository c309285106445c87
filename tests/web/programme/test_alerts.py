"""Alerts as of a date: kinds, lead times, sorting, the command and email delivery (off by default)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from qiangji.web.programme.alerts import alerts_on, print_alerts, send_alerts
from qiangji.web.registry.models import RMRegistration

D = dt.date


def kinds(day: dt.date, inst: str | None = None) -> list[tuple[str, str, dt.date]]:
    return [(a.kind, a.institution, a.due_on) for a in alerts_on(day, inst)]


def test_it_finds_each_kind_on_its_date(world: dict[str, Any]) -> None:
    # 2025-12-15: XJ's standard expires 2026-05-31 (within six months), no re-examination applied, the
    # application was due 2025-11-30; its instrument certificate ends 2026-01-09 (within 60 days);
    # JJ's finding was due 2025-11-30 and is still open.
    got = kinds(D(2025, 12, 15))
    assert ("reexam_not_applied", "XJ", D(2025, 11, 30)) in got
    assert ("finding_overdue", "JJ", D(2025, 11, 30)) in got
    assert ("instrument_expiring", "XJ", D(2026, 1, 9)) in got
    assert got == sorted(got, key=lambda k: k[2])  # by due date
    # registrations of the fixture end 2026-12-31: due within six months only from 2026-07-01 on
    assert not any(k[0] == "registration_expiring" for k in got)
    assert sum(k[0] == "registration_expiring" for k in kinds(D(2026, 7, 1))) == 12


def test_it_stops_alerting_once_handled(world: dict[str, Any]) -> None:
    std = world["standard"]
    std.reexam_applied_on = D(2025, 11, 1)
    std.save()
    got = kinds(D(2025, 12, 15), "XJ")
    assert ("standard_expiring", "XJ", D(2026, 5, 31)) in got
    assert not any(k[0] == "reexam_not_applied" for k in got)
    person = world["xj_staff"][0]
    RMRegistration.objects.create(staff=person, level=2, qualification_cert_no="Q", registration_no="XJ-R0b",
                                  valid_from=D(2027, 1, 1), valid_to=D(2031, 12, 31))  # fmt: skip
    assert sum(k[0] == "registration_expiring" for k in kinds(D(2026, 7, 1), "XJ")) == 2  # 3 − 1 renewed


def test_the_lead_time_is_configurable(world: dict[str, Any], settings: Any) -> None:
    settings.QIANGJI = {**settings.QIANGJI, "ALERT_LEAD_MONTHS": 3}
    assert not any(k[0] == "reexam_not_applied" for k in kinds(D(2025, 12, 15)))
    assert any(k[0] == "reexam_not_applied" for k in kinds(D(2026, 3, 1)))


def test_the_command_prints_in_chinese(world: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert print_alerts(D(2025, 12, 15), "JJ") == 0
    out = capsys.readouterr().out
    assert "预警提醒（基准日 2025-12-15，共 1 条）" in out and "整改事项逾期" in out and "椒江所" in out
    assert print_alerts(D(2025, 12, 15), "NOPE") == 2


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_email_is_off_by_default_and_sent_when_enabled(world: dict[str, Any], settings: Any) -> None:
    found = alerts_on(D(2025, 12, 15))
    assert send_alerts(found, D(2025, 12, 15)) == 0 and not mail.outbox
    settings.QIANGJI = {
        **settings.QIANGJI,
        "ALERT_EMAIL_ENABLED": True,
        "ALERT_EMAIL_TO": ["office@example.invalid"],
    }
    assert send_alerts(found, D(2025, 12, 15)) == 1
    assert mail.outbox[0].to == ["office@example.invalid"] and "整改事项逾期" in mail.outbox[0].body
