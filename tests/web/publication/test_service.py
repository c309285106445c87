"""publication.service on a real locked period: compute → draft (recompute while draft) → 公示 → objections
(an upheld one: corrected run and a new notice) → final, every step out of order refused with its sentence;
after publication no writer changes a value (form, Excel upload, API)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings

from qiangji.web.assessment.excel import UploadError, import_upload, template
from qiangji.web.assessment.lifecycle import LifecycleError
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.reporting import Entry, save_entry
from qiangji.web.publication import service
from qiangji.web.publication.content import current_content
from qiangji.web.publication.models import Objection, Publication, PublicationEvent
from qiangji.web.publication.runs import verify
from qiangji.web.publication.workflow import WorkflowError, add_working_days
from tests.web.assessment.helpers import user
from tests.web.assessment.lifecycle_world import days, institutions, locked_period, open_now, today

pytestmark = pytest.mark.django_db
RUNS = 60


@pytest.fixture
def period(settings: Any, tmp_path: Any) -> Period:
    settings.MEDIA_ROOT = tmp_path
    institutions()
    return locked_period()


def refused(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(WorkflowError) as exc:
        call(*args, **kwargs)
    return str(exc.value)


def notice_end(start: dt.date) -> dt.date:
    return add_working_days(start, int(settings.QIANGJI["OBJECTION_PERIOD_WORKING_DAYS"]))


def test_it_refuses_every_step_before_the_period_is_locked(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    institutions()
    period = open_now()
    assert refused(service.compute, period, runs=RUNS) == (
        "2026年第3季度当前为“填报中”，此操作只能在“已锁定、已计算”时进行。"
    )
    assert (
        refused(service.start_notice, period) == "2026年第3季度当前为“填报中”，此操作只能在“已计算”时进行。"
    )
    assert refused(service.finalise, period) == "2026年第3季度当前为“填报中”，此操作只能在“公示中”时进行。"
    assert refused(service.lodge_objection, period, text="x", submitted_by="y") == (
        "2026年第3季度当前为“填报中”，此操作只能在“公示中”时进行。"
    )


def test_it_computes_the_draft_and_recomputes_it_while_a_draft(period: Period) -> None:
    shares: list[float] = []
    pub = service.compute(period, runs=RUNS, seed=3, progress=shares.append)
    assert pub.status == Publication.Status.DRAFT and pub.run.runs == RUNS and pub.run.seed == 3
    assert shares == sorted(shares) and shares[-1] == 0.95
    assert Period.objects.get(pk=period.pk).stage() == "computed"
    assert {r["unit"] for r in current_content(pub)["rows"]} == {"LA", "LB", "LC"}
    assert verify(pub.run)
    again = service.compute(period, runs=RUNS, seed=4)
    assert again.pk == pub.pk and again.run.seed == 4 and again.runs_history.count() == 2
    assert refused(service.compute, period, runs=0) == "蒙特卡洛次数必须为正整数，收到 0。"
    assert refused(service.compute, period, runs=RUNS, seed=-1) == "随机种子必须为非负整数，收到 -1。"


def test_it_refuses_a_notice_starting_before_the_draft(period: Period) -> None:
    service.compute(period, runs=RUNS)
    assert refused(service.start_notice, period, start=days(-1)) == (
        f"公示开始日期 {days(-1)} 早于排行榜草稿的计算日期 {today()}。"
    )


def test_it_runs_notice_objections_correction_and_final(period: Period) -> None:
    admin, county = user("admin", is_superuser=True), period.reports.first().institution  # type: ignore[union-attr]
    service.compute(period, runs=RUNS, user=admin)
    pub = service.start_notice(period, start=today(), user=admin)
    ends = notice_end(today())
    assert (pub.status, pub.notice_ends_on) == ("notice", ends)
    assert refused(service.compute, period, runs=RUNS) == (
        "2026年第3季度当前为“公示中”，此操作只能在“已锁定、已计算”时进行。"
    )
    late = ends + dt.timedelta(days=1)
    assert refused(service.lodge_objection, period, text="D4.3 有误", submitted_by="LA", today=late) == (
        f"异议须在公示期内（{today()} 至 {ends}）提出，收到日期为 {late}。"
    )
    objection = service.lodge_objection(
        period, text="D4.3 应为 5 项", submitted_by="LA 张三", institution=county, today=today()
    )
    other = service.lodge_objection(period, text="排名有误", submitted_by="市民", today=today())
    assert refused(service.finalise, period, today=ends) == f"公示期至 {ends} 结束，之后方可正式发布。"
    assert refused(service.finalise, period, today=late) == "尚有 2 条异议未处理，不能正式发布。"
    assert (
        refused(
            service.answer_objection,
            objection,
            outcome="upheld",
            reply="成立",
            corrections={("ZZ", "D4.3"): 5},
        )
        == "更正的数据 ZZ D4.3 不在本期指标矩阵中。"
    )
    out_of_bounds = {(county.code, "D4.3"): 10_000.0}
    answer = refused(
        service.answer_objection, objection, outcome="upheld", reply="成立", corrections=out_of_bounds
    )
    assert answer.startswith("更正后的数据不能计算：")
    old_run = Publication.objects.get(pk=pub.pk).run
    answered = service.answer_objection(
        objection, outcome="upheld", reply="核实成立，已更正", user=admin, today=days(2),
        corrections={(county.code, "D4.3"): 5},
    )  # fmt: skip
    pub.refresh_from_db()
    assert answered.corrected_run == pub.run and pub.run.corrects == old_run
    assert re.search(r'"corrected":\s*5(\.0)?\b', pub.run.inputs_json)
    assert pub.run.inputs_sha256 != old_run.inputs_sha256
    assert (pub.notice_started_on, pub.notice_ends_on) == (days(2), notice_end(days(2)))
    assert refused(service.answer_objection, answered, outcome="rejected", reply="x") == (
        f"异议 #{answered.pk} 已处理（成立（已更正））。"
    )
    assert refused(service.answer_objection, other, outcome="maybe", reply="x") == (
        "处理结果只能是“成立”或“不成立”，收到 'maybe'。"
    )
    service.answer_objection(other, outcome="rejected", reply="排名依据公开数据", user=admin, today=days(2))
    final_day = notice_end(days(2)) + dt.timedelta(days=1)
    assert refused(service.finalise, period, today=notice_end(days(2))) == (
        f"公示期至 {notice_end(days(2))} 结束，之后方可正式发布。"
    )
    final = service.finalise(period, today=final_day, user=admin)
    assert final.status == "final" and final.content_sha256 and final.finalised_by == admin
    assert Period.objects.get(pk=period.pk).stage() == "published"
    actions = list(PublicationEvent.objects.filter(publication=pub).values_list("action", flat=True))
    assert actions == ["created", "notice", "objection", "objection", "corrected", "reply", "reply", "final"]
    assert Objection.objects.filter(outcome="pending").count() == 0
    assert (
        refused(service.start_notice, period) == "2026年第3季度当前为“已发布”，此操作只能在“已计算”时进行。"
    )


def test_a_published_value_cannot_change_through_the_form_or_the_excel_upload(period: Period) -> None:
    service.compute(period, runs=RUNS)
    service.start_notice(period, start=today())
    service.finalise(period, today=notice_end(today()) + dt.timedelta(days=1))
    period = Period.objects.get(pk=period.pk)
    value = ReportedValue.objects.filter(period=period).select_related("institution").first()
    assert value is not None
    before = (value.value, value.status)
    message = "2026年第3季度的排行榜已发布，数据不能再修改。"
    with pytest.raises(LifecycleError, match=re.escape(message)):
        save_entry(period, value.institution, value.indicator, Entry(Decimal(1), None, None), user("rep"))
    with pytest.raises(UploadError) as exc:
        import_upload(period, io.BytesIO(template(period)), user("rep2"))
    assert exc.value.errors == [message]
    value.refresh_from_db()
    assert (value.value, value.status) == before
