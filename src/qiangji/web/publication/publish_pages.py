"""What the publishing page shows for a period: its stage, the next step, the job at work, the draft next
to the previous final ranking, the notice, the objections and the log (no numerical logic: the numbers are
the stored run's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from qiangji.web.accounts import policy
from qiangji.web.assessment.models import Period
from qiangji.web.jobs import runner
from qiangji.web.jobs.models import Job
from qiangji.web.publication import jobs, pages, workflow
from qiangji.web.publication.content import previous_publication
from qiangji.web.publication.models import Objection, Publication

Stage = Period.Stage
NEXT_STEP = {
    Stage.NOT_OPEN: gettext_lazy("本期尚未开放填报。"),
    Stage.REPORTING: gettext_lazy("本期正在填报，截止并审核、锁定后方可计算指数。"),
    Stage.REVIEW: gettext_lazy("本期填报已截止：审核通过全部数据并锁定后，方可计算指数。"),
    Stage.LOCKED: gettext_lazy("本期数据已锁定：下一步为计算指数（含蒙特卡洛排名区间）。"),
    Stage.COMPUTED: gettext_lazy("排行榜草稿已生成（仅市计量院可见）：核对预览后开始公示。"),
    Stage.NOTICE: gettext_lazy("排行榜公示中：答复全部异议，公示期满后正式发布。"),
    Stage.PUBLISHED: gettext_lazy("排行榜已正式发布。"),
}


def stage_steps(stage: str) -> list[dict[str, str]]:
    """Every stage in order, each marked done, current or still to come."""
    order = [str(s) for s in Stage.values]
    here = order.index(stage)
    return [
        {
            "value": v,
            "label": str(Stage(v).label),
            "state": "done" if i < here else "current" if i == here else "",
        }
        for i, v in enumerate(order)
    ]


def publication_of(period: Period) -> Publication | None:
    return Publication.objects.filter(period=period).select_related("run").first()


def can_act(user: Any) -> bool:
    """Compute, notice, answer and final (:func:`policy.can_publish`)."""
    return policy.can_publish(user)


def job_shown(period: Period, pub: Publication | None) -> Job | None:
    """The period's publication job to show: one at work, or the last one if it failed after the last step
    recorded in the publication's log (an older failure has been overtaken)."""
    job = runner.latest(jobs.key(period))
    if job is None or job.is_active:
        return job
    if job.status != Job.Status.FAILED:
        return None
    last = pub.events.order_by("-at").values_list("at", flat=True).first() if pub else None
    return job if last is None or (job.finished_at and job.finished_at > last) else None


def preview_rows(pub: Publication) -> tuple[list[dict[str, Any]], Publication | None, dict[str, Any]]:
    """The ranking of ``pub`` with, per institution, its rank and total in the previous final ranking, and
    the content's account of that previous publication (``comparable``: same framework version)."""
    ctx = pages.leaderboard_context(pub)
    prev = previous_publication(pub.period)
    before = {r["unit"]: r for r in prev.content.get("rows", [])} if prev else {}
    rows = [{**r, "prev": before.get(r["unit"])} for r in ctx["rows"]]
    return rows, prev, ctx["content"].get("previous") or {}


def finalise_refusal(pub: Publication, today: dt.date) -> str | None:
    """Why the ranking in notice cannot be published final today (None when it can)."""
    if pub.status != Publication.Status.NOTICE or pub.notice_ends_on is None:
        return None
    pending = pub.objections.filter(outcome=Objection.Outcome.PENDING).count()
    if today <= pub.notice_ends_on:
        return gettext("公示期至 %(end)s 结束，之后方可正式发布。") % {"end": pub.notice_ends_on}
    if pending:
        return gettext("尚有 %(n)s 条异议未处理，不能正式发布。") % {"n": pending}
    return None


def context(period: Period, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    pub = publication_of(period)
    stage = period.stage(today)
    ctx: dict[str, Any] = {
        "period": period,
        "stage": stage,
        "stage_label": period.stage_label(today),
        "stages": stage_steps(stage),
        "next_step": NEXT_STEP[Stage(stage)],
        "publication": pub,
        "can_act": can_act(user),
        "can_lodge": policy.can_lodge_objection(user),
        "can_review": policy.can_review(user),
        "can_read_audit": policy.can_read_audit(user),
        "job": job_shown(period, pub),
        "issuing_unit": settings.QIANGJI["ISSUING_UNIT"],
        "today": today,
    }
    if pub is not None:
        rows, prev, cited = preview_rows(pub)
        ctx |= {
            "rows": rows,
            "previous": prev,
            "content_previous": cited,
            "comparable": cited.get("comparable", True),
            "previous_version": cited.get("framework_version", ""),
            "gated": [r for r in rows if r.get("gate")],
            "run": pub.run,
            "runs_history": pub.runs_history.order_by("created_at", "pk"),
            "objections": pub.objections.select_related("institution", "replied_by", "corrected_run"),
            "events": pub.events.select_related("actor").order_by("at", "pk"),
            "final_refusal": finalise_refusal(pub, today),
        }
    return ctx


def default_notice_end(start: dt.date) -> dt.date:
    return workflow.notice_ends_on(start)
