"""The period lifecycle through the API: role rules of each step, 409 with the service's sentence when out
of order, and a published value that no PUT changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.publication.models import Objection, Publication
from qiangji.web.publication.workflow import add_working_days
from tests.web.api.conftest import indicators
from tests.web.assessment.lifecycle_world import days, today


def body(period: str = "2026Q3", **kw: Any) -> dict[str, Any]:
    return {"code": period, "deadline": str(days(10)), "opens": str(days(-10)), **kw}


def test_it_lists_periods_with_their_stage(world: dict[str, Any]) -> None:
    status, rows = world["reporter_a"].get("/periods")
    assert status == 200
    row = next(r for r in rows if r["code"] == "2025Q1")
    assert (
        row["stage"] == "reporting"
        and row["stage_label"] == "填报中"
        and row["framework_version"] == "2025.1"
    )
    assert row["deadline"] == str(days(30))
    assert world["public"].get("/periods")[0] == 401


def test_only_the_admin_opens_a_period(world: dict[str, Any]) -> None:
    for role in ("reviewer", "leader", "reporter_a"):
        assert world[role].post("/periods", body())[0] == 403, role
    status, out = world["admin"].post("/periods", body())
    assert status == 200 and out["stage"] == "reporting" and out["deadline"] == str(days(10))
    status, out = world["admin"].post("/periods", body(deadline=str(days(-20))))
    assert status == 409 and out == {"error": f"填报截止日期 {days(-20)} 早于开始日期 {days(-10)}。"}
    assert world["admin"].post("/periods", body(framework="9.9"))[0] == 404
    assert world["admin"].post("/periods", body(period="2026Q5"))[0] == 422


def test_the_city_extends_and_locks_and_is_told_what_is_pending(world: dict[str, Any]) -> None:
    plain = indicators()[0]
    rep, reviewer = world["reporter_a"], world["reviewer"]
    rv = rep.put(f"/reports/2025Q1/CA/{plain}", {"value": "3"})[1]
    ReportedValue.objects.filter(pk=rv["id"]).update(status="submitted")
    grant = {"institution": "CB", "until": str(days(40)), "reason": "系统故障"}
    assert rep.post("/periods/2025Q1/extensions", grant)[0] == 403
    status, out = reviewer.post("/periods/2025Q1/extensions", grant)
    assert status == 200 and out == {"institution": "CB", "until": str(days(40)), "reason": "系统故障"}
    assert reviewer.post("/periods/2025Q1/extensions", {**grant, "institution": "ZZ"})[0] == 404
    assert rep.post("/periods/2025Q1/lock")[0] == 403
    assert world["leader"].post("/periods/2025Q1/lock")[0] == 403
    status, out = reviewer.post("/periods/2025Q1/lock")
    assert status == 409 and out["error"] == f"2025年第1季度的填报截止日为 {days(30)}，截止之后方可锁定。"
    Period.objects.filter(code="2025Q1").update(deadline=days(-1))
    status, out = reviewer.post("/periods/2025Q1/lock")
    assert status == 409 and out["error"] == f"尚有补报许可未到期，不能锁定：CB（至 {days(40)}）。"
    Period.objects.get(code="2025Q1").extensions.update(until=days(-1))
    status, out = reviewer.post("/periods/2025Q1/lock")
    assert (
        status == 409
        and out["error"] == f"尚有未审核通过的数据，不能锁定：CA {plain}（已提交待审核），共 1 项。"
    )
    ReportedValue.objects.filter(pk=rv["id"]).update(status="approved")
    status, out = reviewer.post("/periods/2025Q1/lock")
    assert status == 200 and out["locked"] == 1 and out["period"]["stage"] == "locked"
    status, out = rep.put(f"/reports/2025Q1/CA/{plain}", {"value": "4", "version": rv["version"]})
    assert status == 409 and out == {"error": "2025年第1季度已锁定，数据不能再修改。"}
    detail = rep.get("/periods/2025Q1")[1]
    assert [i["institution"] for i in detail["institutions"]] == ["CA"]  # a reporter: its own only
    assert detail["institutions"][0]["counts"] == {"locked": 1}


def _locked(world: dict[str, Any]) -> None:
    """Every value of 2025Q1 approved, the deadline passed, locked (through the API)."""
    plain = indicators()[0]
    for who, inst in (("reporter_a", "CA"), ("reporter_b", "CB")):
        world[who].put(f"/reports/2025Q1/{inst}/{plain}", {"value": "3"})
    ReportedValue.objects.update(status="approved")
    Period.objects.filter(code="2025Q1").update(deadline=days(-1))
    assert world["reviewer"].post("/periods/2025Q1/lock")[0] == 200


def test_the_admin_publishes_and_a_county_objects(world: dict[str, Any]) -> None:
    _locked(world)
    admin, rep = world["admin"], world["reporter_a"]
    for role in ("reviewer", "leader", "reporter_a"):
        assert world[role].post("/periods/2025Q1/compute", {"runs": 50})[0] == 403, role
    assert admin.post("/periods/2025Q1/compute", {"runs": 5000})[0] == 422  # bounded in the request
    status, out = admin.post("/periods/2025Q1/notice", {})
    assert status == 409 and out["error"] == "2025年第1季度当前为“已锁定”，此操作只能在“已计算”时进行。"
    status, out = admin.post("/periods/2025Q1/compute", {"runs": 50, "seed": 5})
    assert status == 200 and out["stage"] == "computed"
    assert Publication.objects.get().run.seed == 5
    status, out = rep.post("/periods/2025Q1/objections", {"text": "D4.3 有误"})
    assert status == 409 and "此操作只能在“公示中”时进行" in out["error"]
    assert world["reviewer"].post("/periods/2025Q1/notice", {})[0] == 403
    status, out = admin.post("/periods/2025Q1/notice", {"start": str(today())})
    assert status == 200 and out["stage"] == "notice"
    assert world["reviewer"].post("/periods/2025Q1/objections", {"text": "x"})[0] == 403
    assert rep.post("/periods/2025Q1/objections", {"text": "x", "institution": "CB"})[0] == 403
    status, obj = rep.post("/periods/2025Q1/objections", {"text": "本所 D4.3 应为 5"})
    assert status == 200 and obj["institution"] == "CA" and obj["outcome"] == "pending"
    assert "（CA）" in obj["submitted_by"]
    status, mine = world["reporter_b"].get("/periods/2025Q1/objections")
    assert status == 200 and mine == []
    assert [o["id"] for o in world["leader"].get("/periods/2025Q1/objections")[1]] == [obj["id"]]
    ends = add_working_days(today(), int(settings.QIANGJI["OBJECTION_PERIOD_WORKING_DAYS"]))
    status, out = admin.post("/periods/2025Q1/final")
    assert status == 409 and out["error"] == f"公示期至 {ends} 结束，之后方可正式发布。"
    fix = {"institution": "CA", "indicator": "D4.3", "value": "5"}
    answer = {"outcome": "upheld", "reply": "核实成立", "corrections": [fix]}
    assert rep.post(f"/objections/{obj['id']}/answer", answer)[0] == 403
    status, out = admin.post(f"/objections/{obj['id']}/answer", answer)
    assert status == 200 and out["outcome"] == "upheld" and out["corrected_run"]
    status, out = admin.post(f"/objections/{obj['id']}/answer", {**answer, "outcome": "rejected"})
    assert status == 409 and "已处理" in out["error"]
    assert Objection.objects.get().corrected_run_id == Publication.objects.get().run_id
    Publication.objects.update(notice_started_on=days(-20), notice_ends_on=days(-10))  # the notice ran out
    status, out = admin.post("/periods/2025Q1/final")
    assert status == 200 and out["stage"] == "published"
    plain = indicators()[0]
    status, out = rep.put(f"/reports/2025Q1/CA/{plain}", {"value": "9", "version": "x"})
    assert status == 409 and out == {"error": "2025年第1季度的排行榜已发布，数据不能再修改。"}
    assert ReportedValue.objects.get(institution__code="CA").value == 3


@pytest.mark.parametrize("path", ["/periods/2030Q1", "/periods/2030Q1/lock", "/periods/2030Q1/final"])
def test_an_unknown_period_is_404(world: dict[str, Any], path: str) -> None:
    call = world["admin"].get if path == "/periods/2030Q1" else world["admin"].post
    status, out = call(path)
    assert status == 404 and set(out) == {"error"}


def test_a_day_is_a_date(world: dict[str, Any]) -> None:
    status, out = world["admin"].post("/periods", body(deadline="2026-02-30"))
    assert status == 422 and "deadline" in out["error"]
    assert dt.date.fromisoformat(world["admin"].get("/periods")[1][0]["start"])
