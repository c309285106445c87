"""`qiangji remind`: deadline and rectification reminders, each once however often it runs."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from qiangji.cli import main
from qiangji.web.accounts.context import os_user
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.assessment.models import Rectification
from qiangji.web.inbox.models import Notification
from qiangji.web.inbox.remind import remind
from qiangji.web.registry.models import SupervisionFinding

from .conftest import TODAY, open_period, submit_everything

Kind = Notification.Kind
DAY = dt.timedelta(days=1)


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def finding(inst, due: dt.date, **kw) -> SupervisionFinding:
    return SupervisionFinding.objects.create(
        institution=inst, found_on=TODAY - 30 * DAY, sub_dimension="C3", severity="minor",
        description=kw.pop("description", "原始记录不完整（示例）"), due_on=due, **kw,
    )  # fmt: skip


def test_it_reminds_only_institutions_that_have_not_submitted_everything(world, settings):
    settings.QIANGJI = {**settings.QIANGJI, "REMIND_DEADLINE_DAYS": 3}
    period = open_period("2030Q1", days=10)
    submit_everything(period, world["c1"])
    Notification.objects.all().delete()  # the opening's messages
    assert remind(TODAY).deadline == 0  # ten days before: too early
    result = remind(period.deadline - 2 * DAY)
    assert result.deadline == 1 and told(Kind.DEADLINE_NEAR) == ["county2"]
    note = Notification.objects.get(kind=Kind.DEADLINE_NEAR)
    assert "还有 2 天" in note.subject and "已提交 0 项" in note.body and note.link.endswith("/C2/")
    again = remind(period.deadline - DAY)
    assert again.deadline == 0 and told(Kind.DEADLINE_NEAR) == ["county2"]
    assert remind(period.deadline + DAY).deadline == 0  # after the deadline: review, no reminder


def test_it_reminds_of_rectifications_due_soon_or_overdue_but_not_those_awaiting_verification(
    world, settings
):
    settings.QIANGJI = {**settings.QIANGJI, "REMIND_RECTIFICATION_DAYS": 7}
    finding(world["c2"], TODAY + 5 * DAY)
    finding(world["c1"], TODAY + 20 * DAY)  # not yet
    finding(world["c1"], TODAY - 3 * DAY, description="逾期事项（示例）")
    waiting = finding(world["c2"], TODAY - 1 * DAY)
    Rectification.objects.create(
        finding=waiting, measures="已整改（示例）", submitted_on=TODAY, submitted_by=world["rep2"]
    )
    finding(world["c2"], TODAY - 9 * DAY, closed_on=TODAY - DAY)  # closed
    result = remind(TODAY)
    assert result.rectification == 3
    assert told(Kind.RECTIFICATION_DUE) == ["county2"]
    assert told(Kind.RECTIFICATION_OVERDUE) == ["county1", "county1b"]
    assert "逾期 3 天" in Notification.objects.filter(kind=Kind.RECTIFICATION_OVERDUE).first().subject
    assert result.emails == 2 and len(mail.outbox) == 2
    rerun = remind(TODAY + DAY)
    assert (rerun.notifications, rerun.emails) == (0, 0)
    # the one due soon becomes overdue: a new event
    assert remind(TODAY + 6 * DAY).rectification == 1
    assert told(Kind.RECTIFICATION_OVERDUE) == ["county1", "county1b", "county2"]


def test_the_command_prints_one_line_and_is_audited_as_the_os_account(world, capsys):
    finding(world["c1"], TODAY - DAY)
    assert main(["remind", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        f"qiangji remind {TODAY}: 2 notifications (0 deadline, 2 rectification, 0 readiness), 1 emails"
    ]
    events = AuditEvent.objects.filter(app_label="inbox", model="notification", action="create")
    assert events.count() == 2 and set(events.values_list("source", "actor")) == {("cli", os_user())}
    assert main(["remind", "--today", TODAY.isoformat()]) == 0
    assert "0 notifications" in capsys.readouterr().out
