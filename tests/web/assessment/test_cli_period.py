"""qiangji period open|extend|lock|status and qiangji publish run|notice|final on the test database:
exit 0 with what was done; exit 2 with one line on stderr for every refusal and bad argument; audited
with the operating-system account."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from qiangji.cli import main
from qiangji.web.accounts.context import os_user
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.assessment.models import Period, ReportedValue, ReportingExtension
from qiangji.web.publication.models import Publication
from qiangji.web.publication.workflow import add_working_days

from .lifecycle_world import approved_period, days, institutions, today

pytestmark = pytest.mark.django_db
UNKNOWN = "期次 2030Q1 不存在（先用 qiangji period open 开放）。"


@pytest.fixture(autouse=True)
def _world(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    institutions()


def ok(capsys: Any, *argv: str) -> str:
    assert main(list(argv)) == 0, capsys.readouterr().err
    return str(capsys.readouterr().out)


def refused(capsys: Any, *argv: str) -> str:
    """The one line on stderr of a refused command (exit status 2, argparse's own errors included)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1, err
    return str(err.strip())


def test_it_opens_re_dates_and_shows_a_period(capsys: Any) -> None:
    out = ok(capsys, "period", "open", "2026Q3", "--deadline", str(days(10)), "--opens", str(days(-1)))
    assert out.strip() == f"2026Q3 2026年第3季度：填报中，填报 {days(-1)} 至 {days(10)}，指标框架 2025.1"
    period = Period.objects.get(code="2026Q3")
    event = AuditEvent.objects.filter(model="period", app_label="assessment", object_id=str(period.pk)).last()
    assert event is not None and event.source == "cli" and event.actor == os_user()
    ok(capsys, "period", "open", "2026Q3", "--deadline", str(days(20)))
    assert Period.objects.get(code="2026Q3").deadline == days(20)
    table = ok(capsys, "period", "status").splitlines()
    assert table[0].split()[:4] == ["期次", "阶段", "填报窗口", "框架"]
    assert table[1].split()[:4] == ["2026Q3", "填报中", f"{days(-1)}～{days(20)}", "2025.1"]
    detail = ok(capsys, "period", "status", "2026Q3")
    assert "2026Q3 2026年第3季度：填报中" in detail and "未报送的机构：LA、LB、LC" in detail


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["period", "open", "2026Q3", "--deadline", "2026-02-30"],
         "qiangji period open: --deadline 应为 YYYY-MM-DD 形式的日期，收到 '2026-02-30'。"),
        (["period", "open", "2026Q5", "--deadline", "2026-02-01"],
         "qiangji period open: 期次代码应为“2026Q1”或“2026”的形式，收到 '2026Q5'。"),
        (["period", "open", "2026Q3", "--deadline", "2026-02-01", "--opens", "2026-03-01"],
         "qiangji period open: 填报截止日期 2026-02-01 早于开始日期 2026-03-01。"),
        (["period", "open", "2026Q3", "--deadline", "2099-02-01", "--framework", "9.9"],
         "qiangji period open: 指标框架版本 9.9 不存在（已有：2025.1）。"),
        (["period", "lock", "2030Q1"], f"qiangji period lock: {UNKNOWN}"),
        (["period", "status", "2030Q1"], f"qiangji period status: {UNKNOWN}"),
        (["publish", "run", "2030Q1"], f"qiangji publish run: {UNKNOWN}"),
    ],
)  # fmt: skip
def test_it_refuses_bad_arguments_with_one_line(capsys: Any, argv: list[str], line: str) -> None:
    assert refused(capsys, *argv) == line
    assert not Period.objects.filter(opened_at__isnull=False).exists()


def test_it_refuses_an_implausible_year() -> None:
    """`period open 9999Q1` created a period whose pages then failed; now refused like the page's form."""
    from qiangji.web.plausible import year_range

    first, last = year_range()
    assert refused_line("period", "open", "9999Q1", "--deadline", "2099-02-01") == (
        f"qiangji period open: 期次 9999Q1：年份应在 {first} 至 {last} 之间，当前为 9999。"
    )
    assert not Period.objects.filter(code="9999Q1").exists()


def refused_line(*argv: str) -> str:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(list(argv)) == 2
    return err.getvalue().strip()


def test_argparse_errors_are_one_line_too(capsys: Any) -> None:
    assert refused(capsys, "period", "open", "2026Q3") == (
        "qiangji period open: error: the following arguments are required: --deadline"
    )
    assert refused(capsys, "period", "extend", "2026Q3", "LA", "--until", "2026-01-01") == (
        "qiangji period extend: error: the following arguments are required: --reason"
    )


def test_it_extends_locks_and_refuses_out_of_order(capsys: Any) -> None:
    period = approved_period()
    assert refused(capsys, "period", "lock", "2026Q3") == (
        f"qiangji period lock: 2026年第3季度的填报截止日为 {days(10)}，截止之后方可锁定。"
    )
    assert refused(capsys, "publish", "run", "2026Q3") == (
        "qiangji publish run: 2026年第3季度当前为“填报中”，此操作只能在“已锁定、已计算”时进行。"
    )
    assert refused(capsys, "period", "extend", "2026Q3", "ZZ", "--until", str(days(12)), "--reason", "x") == (
        "qiangji period extend: 机构 ZZ 不存在。"
    )
    out = ok(capsys, "period", "extend", "2026Q3", "LB", "--until", str(days(12)), "--reason", "系统故障")
    assert out.strip() == f"2026Q3 LB 可补报至 {days(12)}（理由：系统故障）"
    assert ReportingExtension.objects.get().granted_by is None
    value = ReportedValue.objects.filter(period=period, institution__code="LA").first()
    assert value is not None
    ReportedValue.objects.filter(pk=value.pk).update(status=ReportedValue.Status.SUBMITTED)
    Period.objects.filter(pk=period.pk).update(deadline=days(-1))
    ReportingExtension.objects.update(until=days(-1))
    assert refused(capsys, "period", "lock", "2026Q3").startswith(
        f"qiangji period lock: 尚有未审核通过的数据，不能锁定：LA {value.indicator}（已提交待审核）"
    )
    ReportedValue.objects.filter(pk=value.pk).update(status=ReportedValue.Status.APPROVED)
    out = ok(capsys, "period", "lock", "2026Q3")
    locked = ReportedValue.objects.filter(period=period).count()
    assert out.strip() == f"2026Q3 已锁定：{locked} 项数据"
    assert not ReportedValue.objects.filter(period=period).exclude(status="locked").exists()
    assert refused(capsys, "period", "open", "2026Q3", "--deadline", str(days(30))) == (
        "qiangji period open: 期次 2026Q3 已锁定，不能重新开放填报。"
    )


def test_it_publishes_from_the_command_line(capsys: Any) -> None:
    period = approved_period()
    Period.objects.filter(pk=period.pk).update(deadline=days(-1))
    ok(capsys, "period", "lock", "2026Q3")
    assert refused(capsys, "publish", "run", "2026Q3", "--runs", "0") == (
        "qiangji publish run: --runs 应为 1～100000 之间的整数，收到 '0'。"
    )
    assert refused(capsys, "publish", "notice", "2026Q3") == (
        "qiangji publish notice: 2026年第3季度当前为“已锁定”，此操作只能在“已计算”时进行。"
    )
    out = ok(capsys, "publish", "run", "2026Q3", "--runs", "50", "--seed", "9")
    pub = Publication.objects.get(period=period)
    assert out.strip() == f"2026Q3 排行榜草稿：指数计算 #{pub.run_id}，50 次蒙特卡洛，种子 9"
    assert (pub.run.runs, pub.run.seed) == (50, 9)
    ends = add_working_days(today(), int(settings.QIANGJI["OBJECTION_PERIOD_WORKING_DAYS"]))
    assert refused(capsys, "publish", "final", "2026Q3") == (
        "qiangji publish final: 2026年第3季度当前为“已计算”，此操作只能在“公示中”时进行。"
    )
    out = ok(capsys, "publish", "notice", "2026Q3")
    assert out.strip() == f"2026Q3 公示中：{today()} 起，异议截止 {ends}"
    assert refused(capsys, "publish", "final", "2026Q3") == (
        f"qiangji publish final: 公示期至 {ends} 结束，之后方可正式发布。"
    )
    tomorrow = today() + dt.timedelta(days=1)
    assert refused(capsys, "publish", "final", "2026Q3", "--today", str(tomorrow)) == (
        f"qiangji publish final: --today {tomorrow} 晚于今天（{today()}），不能提前发布。"
    )
    # the notice ran out: it started 30 days ago
    Publication.objects.filter(pk=pub.pk).update(notice_started_on=days(-30), notice_ends_on=days(-20))
    out = ok(capsys, "publish", "final", "2026Q3", "--today", str(days(-1)))
    pub.refresh_from_db()
    assert pub.status == "final" and out.strip() == f"2026Q3 已正式发布：内容 SHA-256 {pub.content_sha256}"
    assert "已发布" in ok(capsys, "period", "status")
    assert refused(capsys, "publish", "run", "2026Q3") == (
        "qiangji publish run: 2026年第3季度当前为“已发布”，此操作只能在“已锁定、已计算”时进行。"
    )
