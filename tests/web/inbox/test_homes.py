"""Each role's home page (待办) lists that role's work, from data made here; nobody sees another county's."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from qiangji.web.accounts.roles import assign_role
from qiangji.web.assessment import lifecycle
from qiangji.web.assessment import workflow as reporting
from qiangji.web.assessment.models import Period, Rectification, ReportedValue
from qiangji.web.comparisons.models import ComparisonRound, Participant
from qiangji.web.publication import service
from qiangji.web.registry.models import Staff, SupervisionFinding

from .conftest import TODAY, client_as, open_period, publication, report, submit_everything

S = ReportedValue.Status
DAY = dt.timedelta(days=1)


def home(user) -> str:
    response = client_as(user).get(reverse("inbox:home"))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main>") :]


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    end = html.find("<h2", start)
    return html[start : end if end > 0 else None]


def test_a_reporter_sees_its_periods_returned_values_findings_and_rounds(world):
    period = open_period("2030Q1", days=10)
    report(period, world["c1"], "D3.1", S.DRAFT)
    back = report(period, world["c1"], "C1.1", S.SUBMITTED, "40")
    reporting.return_report(back, world["reviewer"], "请附内审报告全文")
    report(period, world["c2"], "C2.3", S.SUBMITTED)
    SupervisionFinding.objects.create(
        institution=world["c1"], found_on=TODAY - 20 * DAY, sub_dimension="C3", severity="major",
        description="原始记录缺少复核签字（示例）", due_on=TODAY - 2 * DAY,
    )  # fmt: skip
    SupervisionFinding.objects.create(
        institution=world["c2"], found_on=TODAY - 20 * DAY, sub_dimension="C1", severity="minor",
        description="乙县的问题（示例）", due_on=TODAY + 2 * DAY,
    )  # fmt: skip
    rnd = ComparisonRound.objects.create(
        code="CMP-X", name="砝码比对（示例）", year=TODAY.year, quantity="质量", unit="mg",
        pilot=world["city"], transfer_standard="F1 砝码", deadline=timezone.now() + 5 * DAY,
        status=ComparisonRound.Status.OPEN,
    )  # fmt: skip
    Participant.objects.create(round=rnd, institution=world["c1"], lab_code="L1")

    html = home(world["rep1"])
    periods = section(html, "periods")
    assert "2030年第1季度" in periods and "填报中" in periods and str(period.deadline) in periods
    assert "还有 10 天" in periods and "/assessment/2030Q1/report/C1/" in periods
    assert "已提交 0 项" in periods and "草稿 1" in periods and "已退回 1" in periods
    returned = section(html, "returned")
    assert "C1.1" in returned and "请附内审报告全文" in returned and "inspector" in returned
    findings = section(html, "findings")
    assert "原始记录缺少复核签字" in findings and "逾期 2 天" in findings and "乙县的问题" not in findings
    assert "CMP-X" in section(html, "comparisons")
    # the other county sees its own finding and no round
    other = home(world["rep2"])
    assert "乙县的问题" in other and "原始记录缺少复核签字" not in other and "CMP-X" not in other
    assert "请附内审报告全文" not in other


def test_a_reviewer_sees_waiting_values_counties_behind_and_rectifications(world):
    period = open_period("2030Q1")
    submit_everything(period, world["c1"])
    report(period, world["c2"], "D3.1", S.DRAFT)
    finding = SupervisionFinding.objects.create(
        institution=world["c2"], found_on=TODAY - 20 * DAY, sub_dimension="C1", severity="minor",
        description="管理评审未按计划（示例）", due_on=TODAY + 9 * DAY,
    )  # fmt: skip
    Rectification.objects.create(
        finding=finding, measures="补做管理评审", submitted_on=TODAY, submitted_by=world["rep2"]
    )
    html = home(world["reviewer"])
    queues = section(html, "queues")
    n = ReportedValue.objects.filter(period=period, institution=world["c1"]).count()
    assert f"<td>{world['c1'].name}</td><td>{n}</td>" in queues
    assert f"审核 {n} 项数据" in queues and reverse("assessment:review", args=["2030Q1"]) in queues
    behind = queues[queues.index("尚未提交全部数据的机构") :]
    assert world["c2"].name in behind and world["c1"].name not in behind
    assert "管理评审未按计划" in section(html, "rectifications")


def test_the_admin_sees_the_next_step_of_every_unpublished_period(world):
    Period.for_code("2031Q1")  # created, never opened
    open_period("2030Q4", days=5)
    lifecycle.open_period("2030Q3", opens=TODAY - 30 * DAY, deadline=TODAY - DAY)
    locked = lifecycle.open_period("2030Q2", opens=TODAY - 30 * DAY, deadline=TODAY - DAY)
    lifecycle.lock(locked, world["admin"])
    pub = publication("2030Q1", world, seed=3, final=False, start=TODAY)
    service.lodge_objection(pub.period, text="有误", submitted_by="甲县", institution=world["c1"])
    publication("2029Q4", world, seed=4, final=True, start=TODAY - 40 * DAY)  # published: no step

    steps = section(home(world["admin"]), "next")
    rows = {code: steps[steps.index(label) :].split("</tr>")[0] for code, label in [
        ("2031Q1", "2031年第1季度"), ("2030Q4", "2030年第4季度"), ("2030Q3", "2030年第3季度"),
        ("2030Q2", "2030年第2季度"), ("2030Q1", "2030年第1季度"),
    ]}  # fmt: skip
    assert (
        "未开放" in rows["2031Q1"]
        and "开放填报" in rows["2031Q1"]
        and "qiangji period open 2031Q1" in rows["2031Q1"]
    )
    assert "填报中" in rows["2030Q4"] and "0/2 个机构已提交全部数据" in rows["2030Q4"]
    assert "审核中" in rows["2030Q3"] and "锁定期次" in rows["2030Q3"]
    assert (
        "已锁定" in rows["2030Q2"]
        and "计算指数" in rows["2030Q2"]
        and 'href="/publish/2030Q2/"' in rows["2030Q2"]
    )
    assert "公示中" in rows["2030Q1"] and "1 条异议待答复" in rows["2030Q1"] and "答复异议" in rows["2030Q1"]
    assert 'href="/publish/2030Q1/"' in rows["2030Q1"]  # the publishing page, not the overview
    assert 'href="/assessment/#open"' in rows["2031Q1"]  # the periods page's form that opens it
    assert "2029年第4季度" not in steps


def test_leadership_sees_movers_red_flags_and_goals(world):
    publication("2029Q3", world, seed=1, final=True, start=TODAY - 90 * DAY, leader="C1")
    latest = publication("2029Q4", world, seed=2, final=True, start=TODAY - 40 * DAY, leader="C2")
    rows = {r["unit"]: r for r in latest.content["rows"]}
    assert (rows["C2"]["change"], rows["C1"]["change"]) == (1, -1)
    Staff.objects.create(
        institution=world["c2"], name="王五（示例）", hired_on="2020-01-01", is_verification=True
    )
    SupervisionFinding.objects.create(
        institution=world["c1"], found_on=TODAY - 60 * DAY, sub_dimension="C4", severity="major",
        description="证书超期使用（示例）", due_on=TODAY - 10 * DAY,
    )  # fmt: skip

    html = home(world["leader"])
    movers = section(html, "movers")
    assert latest.title in movers
    up, down = movers[movers.index("上升") : movers.index("下降")], movers[movers.index("下降") :]
    assert world["c2"].name in up and "↑1" in up and "第 2 → 第 1 名" in up
    assert world["c1"].name in down and "↓1" in down and "第 1 → 第 2 名" in down
    assert reverse("publication:scorecard", args=["2029Q4", "C2"]) in up
    flags = section(html, "flags")
    coverage = flags[flags.index('id="flag-coverage"') : flags.index('id="flag-overdue"')]
    assert world["c2"].name in coverage and "0.0%" in coverage and world["c1"].name not in coverage
    overdue = flags[flags.index('id="flag-overdue"') : flags.index('id="flag-comparisons"')]
    assert world["c1"].name in overdue and str(TODAY - 10 * DAY) in overdue
    goals = section(html, "goals")
    for name in ("全市新增2家A级计量检定机构", "每个县级法定计量检定机构注册计量师覆盖率达80%以上"):
        assert name in goals
    assert goals.count("<tr>") == 1 + 3  # the header and the three default goals


def test_a_user_without_a_role_has_no_home(world):
    assign_role(world["rep1"], "reporter", world["c1"])
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody")
    response = client_as(nobody).get(reverse("inbox:home"))
    assert response.status_code == 302 and "/login/" in response["Location"]
