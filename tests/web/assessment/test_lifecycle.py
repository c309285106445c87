"""The period lifecycle (assessment.lifecycle): stages at the window's edges, opening, extensions, the one
rule every writer of a reported value asks, and locking — each refusal with its own sentence."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qiangji.web.assessment import lifecycle, workflow
from qiangji.web.assessment.excel import UploadError, import_upload, template
from qiangji.web.assessment.lifecycle import LifecycleError
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue
from qiangji.web.assessment.reporting import Entry, attach_evidence, period_framework, save_entry

from .helpers import user
from .lifecycle_world import days, institutions, locked_period, open_now, report, today

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world() -> dict[str, Any]:
    a, b, c = institutions()
    return {"a": a, "b": b, "c": c, "reporter": user("reporter"), "reviewer": user("reviewer")}


def test_it_derives_the_stage_at_the_window_edges() -> None:
    period = lifecycle.open_period(
        "2026Q1", opens=D(2026, 4, 1), deadline=D(2026, 4, 15), today=D(2026, 3, 1)
    )
    stage = {d: period.stage(d) for d in (D(2026, 3, 31), D(2026, 4, 1), D(2026, 4, 15), D(2026, 4, 16))}
    assert list(stage.values()) == ["not_open", "reporting", "reporting", "review"]
    assert period.stage_label(D(2026, 4, 16)) == "审核中"
    assert Period.for_code("2026Q2").stage() == "not_open"  # never opened


def test_it_opens_a_period_with_its_framework_and_keeps_them_when_re_dated() -> None:
    period = lifecycle.open_period("2026q3", deadline=days(5))
    assert period.code == "2026Q3" and period.opens_on == today() and period.opened_at is not None
    assert period.framework_version == FrameworkVersion.objects.get(version="2025.1")
    newer = FrameworkVersion.objects.get().new_version("2026.0-test")
    again = lifecycle.open_period("2026Q3", deadline=days(9))
    assert (again.opens_on, again.deadline, again.framework_version_id) == (
        today(),
        days(9),
        period.framework_version_id,
    )
    assert (
        lifecycle.open_period("2026Q4", deadline=days(9), framework="2026.0-test").framework_version == newer
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"code": "2026Q5", "deadline": D(2026, 1, 1)},
            "期次代码应为“2026Q1”或“2026”的形式，收到 '2026Q5'。",
        ),
        (
            {"code": "2026Q1", "deadline": D(2026, 1, 1), "opens": D(2026, 2, 1)},
            "填报截止日期 2026-01-01 早于开始日期 2026-02-01。",
        ),
        (
            {"code": "2026Q1", "deadline": D(2026, 1, 1), "opens": D(2026, 1, 1), "framework": "9.9"},
            "指标框架版本 9.9 不存在（已有：2025.1）。",
        ),
    ],
)
def test_it_refuses_to_open_with_a_reason(kwargs: dict[str, Any], message: str) -> None:
    code = kwargs.pop("code")
    with pytest.raises(LifecycleError) as exc:
        lifecycle.open_period(code, **kwargs)
    assert str(exc.value) == message
    assert not Period.objects.filter(opened_at__isnull=False).exists()


def test_it_keeps_the_framework_of_a_period_with_values(world: dict[str, Any]) -> None:
    period = open_now()
    report(period, world["a"], world["reporter"])
    FrameworkVersion.objects.get().new_version("2026.0-test")
    with pytest.raises(LifecycleError, match=r"已有填报数据，指标框架版本 .*2025\.1 不能再更换"):
        lifecycle.open_period("2026Q3", deadline=days(20), framework="2026.0-test")


def test_it_refuses_every_writer_before_the_window_opens(world: dict[str, Any]) -> None:
    period = lifecycle.open_period("2026Q3", opens=days(3), deadline=days(10))
    with pytest.raises(LifecycleError) as exc:
        save_entry(period, world["a"], "D4.3", Entry(Decimal(1), None, None), world["reporter"])
    assert str(exc.value) == f"2026年第3季度的填报将于 {days(3)} 开始。"
    never = Period.for_code("2026Q4")
    with pytest.raises(LifecycleError, match=re.escape("2026年第4季度尚未开放填报。")):
        save_entry(never, world["a"], "D4.3", Entry(Decimal(1), None, None), world["reporter"])
    assert not ReportedValue.objects.exists()


def test_after_the_deadline_only_a_returned_value_or_an_extension_may_change(world: dict[str, Any]) -> None:
    period, rep, rev = open_now(), world["reporter"], world["reviewer"]
    returned = report(period, world["a"], rep)
    workflow.return_report(returned, rev, "佐证不清")
    Period.objects.filter(pk=period.pk).update(deadline=days(-1))  # the deadline passed yesterday
    period.refresh_from_db()
    assert period.stage() == "review"
    closed = f"2026年第3季度的填报已于 {days(-1)} 截止；如需补报，请联系市计量院开放补报。"
    with pytest.raises(LifecycleError) as exc:
        save_entry(period, world["b"], "D4.3", Entry(Decimal(1), None, None), rep)
    assert str(exc.value) == closed
    fixed = save_entry(period, world["a"], "D4.3", Entry(Decimal(3), None, None), rep)  # the returned one
    workflow.submit(fixed, rep)
    workflow.approve(fixed, rev)
    lifecycle.extend(period, world["b"], until=days(2), reason="系统故障", user=rev)
    late = save_entry(period, world["b"], "D4.3", Entry(Decimal(1), None, None), rep)
    attach_evidence(late, SimpleUploadedFile("b.pdf", b"%PDF-1.4 b"), rep)
    workflow.submit(late, rep)
    with pytest.raises(LifecycleError, match=re.escape(closed)):
        save_entry(period, world["c"], "D4.3", Entry(Decimal(1), None, None), rep)


@pytest.mark.parametrize(
    ("until", "reason", "message"),
    [
        (1, " ", "补报许可必须填写理由。"),
        (-1, "迟报", "补报截止日期 {past} 已经过去。"),
    ],
)
def test_it_refuses_an_extension_with_a_reason(
    world: dict[str, Any], until: int, reason: str, message: str
) -> None:
    period = open_now()
    with pytest.raises(LifecycleError) as exc:
        lifecycle.extend(period, world["a"], until=days(until), reason=reason)
    assert str(exc.value) == message.format(past=days(-1))


def test_it_refuses_an_extension_of_a_period_not_open_or_locked(world: dict[str, Any]) -> None:
    with pytest.raises(LifecycleError, match=re.escape("期次 2026Q4 未开放，不能再补报。")):
        lifecycle.extend(Period.for_code("2026Q4"), world["a"], until=days(3), reason="迟报")
    locked = locked_period()
    with pytest.raises(LifecycleError, match=re.escape("期次 2026Q3 已锁定，不能再补报。")):
        lifecycle.extend(locked, world["a"], until=days(3), reason="迟报")


def test_it_refuses_to_lock_during_reporting_or_with_values_awaiting_a_decision(
    world: dict[str, Any],
) -> None:
    period, rep, rev = open_now(), world["reporter"], world["reviewer"]
    submitted = report(period, world["a"], rep)
    returned = report(period, world["b"], rep, "D4.4")
    workflow.return_report(returned, rev, "请核对")
    save_entry(period, world["c"], "D4.3", Entry(Decimal(1), None, None), rep)  # a draft, never submitted
    with pytest.raises(LifecycleError) as exc:
        lifecycle.lock(period, rev)
    assert str(exc.value) == f"2026年第3季度的填报截止日为 {days(10)}，截止之后方可锁定。"
    with pytest.raises(LifecycleError) as exc:
        lifecycle.lock(period, rev, today=days(11))
    assert (
        str(exc.value)
        == "尚有未审核通过的数据，不能锁定：LA D4.3（已提交待审核）、LB D4.4（已退回），共 2 项。"
    )
    lifecycle.extend(period, world["c"], until=days(12), reason="补交", user=rev, today=days(11))
    workflow.approve(submitted, rev)
    ReportedValue.objects.filter(pk=returned.pk).delete()
    with pytest.raises(
        LifecycleError, match=re.escape(f"尚有补报许可未到期，不能锁定：LC（至 {days(12)}）。")
    ):
        lifecycle.lock(period, rev, today=days(11))
    result = lifecycle.lock(period, rev, today=days(13))
    assert result == lifecycle.LockResult(1, ["LC D4.3"])
    period.refresh_from_db()
    assert period.stage() == "locked" and period.locked_by == rev
    assert ReportedValue.objects.get(pk=submitted.pk).status == "locked"
    with pytest.raises(LifecycleError, match=re.escape("2026年第3季度已锁定，不能锁定。")):
        lifecycle.lock(period, rev, today=days(13))
    with pytest.raises(LifecycleError, match=re.escape("期次 2026Q3 已锁定，不能重新开放填报。")):
        lifecycle.open_period("2026Q3", deadline=days(30))


def test_after_locking_nothing_changes_a_value(world: dict[str, Any]) -> None:
    period = locked_period()
    value = ReportedValue.objects.filter(period=period, institution=world["a"]).first()
    assert value is not None and value.status == "locked"
    message = "2026年第3季度已锁定，数据不能再修改。"
    with pytest.raises(LifecycleError, match=re.escape(message)):
        save_entry(period, world["a"], "D4.3", Entry(Decimal(1), None, None), world["reporter"])
    with pytest.raises(LifecycleError, match=re.escape(message)):
        attach_evidence(value, SimpleUploadedFile("x.pdf", b"%PDF-1.4"), world["reporter"])
    with pytest.raises(LifecycleError, match=re.escape("2026年第3季度已锁定，不能再审核。")):
        workflow.return_report(value, world["reviewer"], "重新核对")
    with pytest.raises(UploadError) as exc:
        import_upload(period, io.BytesIO(template(period)), world["reporter"])
    assert exc.value.errors == ["2026年第3季度已锁定，数据不能再修改。"]


def test_a_command_lock_names_the_account_in_the_trail(world: dict[str, Any]) -> None:
    from qiangji.web.accounts.context import as_command, os_user

    period = open_now()
    value = report(period, world["a"], world["reporter"])
    workflow.approve(value, world["reviewer"])
    with as_command():
        lifecycle.lock(period, today=days(11))
    step = value.transitions.get(to_status="locked")
    assert step.actor is None and step.reason == f"期次锁定（命令行：{os_user()}）"


def test_a_period_follows_its_own_framework(world: dict[str, Any]) -> None:
    base = FrameworkVersion.objects.get()
    open_now("2026Q3")
    base.new_version("2026.0-test")  # newer, but the open period keeps the version it was opened with
    assert period_framework(Period.objects.get(code="2026Q3")).version == "2025.1"
