"""The publication's background jobs: computing a period's index, and answering an upheld objection (which
recomputes the ranking with the corrections). Both run `service` steps; one publication job per period at
a time (job key ``publication:<code>``), so a second click joins the running one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from qiangji.core.errors import InputError
from qiangji.web.accounts import policy
from qiangji.web.assessment.models import Period
from qiangji.web.jobs import runner
from qiangji.web.jobs.models import Job
from qiangji.web.publication import service
from qiangji.web.publication.models import Objection
from qiangji.web.publication.workflow import WorkflowError

COMPUTE = "publication.compute"
ANSWER = "publication.answer"
#: City staff follow a period's publishing work (the reviewers read the preview it produces).
VIEWERS = frozenset({policy.ADMIN, policy.REVIEWER, policy.LEADERSHIP})
EXPECTED = (WorkflowError, InputError, ValidationError, Period.DoesNotExist, Objection.DoesNotExist)


def key(period: Period) -> str:
    return f"publication:{period.code}"


def _steps(progress: runner.Progress) -> Any:
    """``service.compute``'s fraction, with the step it is in (its 5 %, 20 %, 90 % marks)."""

    def report(fraction: float) -> None:
        if fraction < 0.2:
            step = "汇总本期指标数据（登记库派生、督导评分、审核通过的填报值）"
        elif fraction < 0.9:
            step = "计算指数与排名不确定性（蒙特卡洛模拟）"
        else:
            step = "保存排行榜草稿"
        progress(fraction, step)

    return report


@runner.register(COMPUTE, viewers=VIEWERS, expected=EXPECTED)
def compute(job: Job, progress: runner.Progress) -> Mapping[str, Any]:
    period = Period.objects.get(code=job.params["period"])
    pub = service.compute(
        period, runs=int(job.params["runs"]), seed=int(job.params["seed"]), user=job.created_by,
        progress=_steps(progress),
    )  # fmt: skip
    return {
        "publication": pub.pk,
        "run": pub.run_id,
        "url": reverse("publication:publish", args=[period.code]),
    }


@runner.register(ANSWER, viewers=VIEWERS, expected=EXPECTED)
def answer(job: Job, progress: runner.Progress) -> Mapping[str, Any]:
    objection = Objection.objects.select_related("publication__period").get(pk=job.params["objection"])
    corrections = {(unit, code): float(value) for unit, code, value in job.params.get("corrections", [])}
    progress(0.1, "按更正后的数据重新计算排行榜")
    done = service.answer_objection(
        objection, outcome=job.params["outcome"], reply=job.params["reply"], user=job.created_by,
        corrections=corrections,
    )  # fmt: skip
    code = objection.publication.period.code
    return {
        "objection": done.pk,
        "run": done.corrected_run_id,
        "url": reverse("publication:publish", args=[code]),
    }


def start_compute(period: Period, *, runs: int, seed: int, user: Any) -> tuple[Job, bool]:
    """Queue the computation of ``period`` (refused at once, with the reason, when it may not run)."""
    service.check_compute(period, runs=runs)
    title = f"计算{period.label_zh}能力建设指数"
    params = {"period": period.code, "runs": runs, "seed": seed}
    return runner.enqueue(COMPUTE, params, user=user, title=title, key=key(period))


def start_answer(
    objection: Objection, *, outcome: str, reply: str, corrections: list[tuple[str, str, float]], user: Any
) -> tuple[Job, bool]:
    period = objection.publication.period
    title = f"答复异议 #{objection.pk} 并重新计算{period.label_zh}排行榜"
    params = {"objection": objection.pk, "outcome": outcome, "reply": reply, "corrections": corrections}
    return runner.enqueue(ANSWER, params, user=user, title=title, key=key(period))
