"""The city's homes: a reviewer's queues (values waiting per period and institution, counties that have
not reported, rectifications to verify) and the programme admin's next step of every unpublished period.

The publishing steps (compute, preview, notice, objections, final) link to the period's publishing page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qiangji.web.assessment.models import Period, Rectification, ReportedValue
from qiangji.web.inbox.events import finding_link
from qiangji.web.inbox.progress import InstitutionProgress, active_periods, days_left, progress
from qiangji.web.publication.models import Objection
from qiangji.web.registry.models import Institution

Stage = Period.Stage
Status = ReportedValue.Status
REVIEW_STAGES = (Stage.REPORTING, Stage.REVIEW)


@dataclass(frozen=True)
class Waiting:
    institution: Institution
    submitted: int
    returned: int


@dataclass(frozen=True)
class ReviewItem:
    period: Period
    stage_label: str
    days_left: int | None
    waiting: list[Waiting]
    behind: list[InstitutionProgress]
    review_link: str

    @property
    def submitted(self) -> int:
        return sum(w.submitted for w in self.waiting)


@dataclass(frozen=True)
class Step:
    """What the programme office does next on one period, and where."""

    period: Period
    stage: str
    stage_label: str
    status: str
    action: str
    link: str
    facts: list[str] = field(default_factory=list)


def _waiting(period: Period) -> list[Waiting]:
    rows = ReportedValue.objects.filter(period=period, status__in=(Status.SUBMITTED, Status.RETURNED))
    counts: Counter[tuple[int, str]] = Counter(rows.values_list("institution_id", "status"))
    insts = Institution.objects.filter(pk__in={i for i, _s in counts}).order_by("code")
    return [
        Waiting(i, counts[(i.pk, str(Status.SUBMITTED))], counts[(i.pk, str(Status.RETURNED))]) for i in insts
    ]


def review_queues(day: dt.date) -> list[ReviewItem]:
    items = []
    for period, stage in active_periods(day):
        if stage not in REVIEW_STAGES:
            continue
        behind = [row for row in progress(period) if not row.complete]
        items.append(
            ReviewItem(
                period, period.stage_label(day), days_left(period.deadline, day), _waiting(period), behind,
                reverse("assessment:review", args=[period.code]),
            )
        )  # fmt: skip
    return items


def rectifications_to_verify() -> list[tuple[Rectification, str]]:
    rows = Rectification.objects.filter(status=Rectification.Status.SUBMITTED).select_related(
        "finding__institution", "submitted_by"
    )
    return [(r, finding_link(r.finding)) for r in rows.order_by("submitted_on", "pk")]


def reviewer_context(today: dt.date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    return {"queues": review_queues(day), "rectifications": rectifications_to_verify()}


def next_step(period: Period, stage: str, day: dt.date) -> Step:
    """The programme office's next step on ``period`` in ``stage``."""
    label = period.stage_label(day)
    overview = reverse("assessment:overview", args=[period.code])
    build = _STEPS[stage]
    status, action, link, facts = build(period, day)
    return Step(period, stage, label, status, action, link or overview, facts)


def _not_open(period: Period, day: dt.date) -> tuple[str, str, str, list[str]]:
    periods = reverse("assessment:periods") + "#open"
    if period.opens_on is not None:
        status = _("将于 %(opens)s 开放填报，%(deadline)s 截止。") % {
            "opens": period.opens_on, "deadline": period.deadline,
        }  # fmt: skip
        return status, _("如需调整填报窗口，重新开放即可"), periods, []
    command = f"qiangji period open {period.code} --deadline YYYY-MM-DD"
    return _("尚未开放填报。"), _("开放填报：设定开始和截止日期、指标框架版本"), periods, [command]


def _reporting(period: Period, day: dt.date) -> tuple[str, str, str, list[str]]:
    rows = progress(period)
    done = sum(1 for r in rows if r.complete)
    left = days_left(period.deadline, day)
    status = _("%(done)s/%(n)s 个机构已提交全部数据；%(deadline)s 截止（还有 %(left)s 天）。") % {
        "done": done, "n": len(rows), "deadline": period.deadline, "left": left,
    }  # fmt: skip
    waiting = period.reports.filter(status=Status.SUBMITTED).count()
    facts = [_("%(n)s 项已提交待审核") % {"n": waiting}] if waiting else []
    return (
        status,
        _("审核已提交的数据（截止后锁定）"),
        reverse("assessment:review", args=[period.code]),
        facts,
    )


def _review(period: Period, day: dt.date) -> tuple[str, str, str, list[str]]:
    submitted = period.reports.filter(status=Status.SUBMITTED).count()
    returned = period.reports.filter(status=Status.RETURNED).count()
    link = reverse("assessment:review", args=[period.code])
    if submitted or returned:
        status = _("填报已截止：%(s)s 项待审核，%(r)s 项已退回待县级修改。") % {"s": submitted, "r": returned}
        return status, _("审核全部数据，然后锁定"), link, []
    return _("填报已截止，数据均已审核。"), _("锁定期次"), link, []


def _locked(period: Period, day: dt.date) -> tuple[str, str, str, list[str]]:
    return (
        _("数据已锁定。"),
        _("计算指数，生成排行榜草稿"),
        _publishing(period),
        [f"qiangji publish run {period.code}"],
    )


def _computed(period: Period, day: dt.date) -> tuple[str, str, str, list[str]]:
    return (
        _("排行榜草稿已生成（未公开）。"),
        _("预览草稿并开始公示"),
        _publishing(period),
        [f"qiangji publish notice {period.code}"],
    )


def _notice(period: Period, day: dt.date) -> tuple[str, str, str, list[str]]:
    pub = period.publication  # type: ignore[attr-defined]
    pending = pub.objections.filter(outcome=Objection.Outcome.PENDING).count()
    status = _("公示中，异议截止 %(end)s；%(n)s 条异议待答复。") % {"end": pub.notice_ends_on, "n": pending}
    link = _publishing(period)
    if pending:
        return status, _("答复异议"), link, []
    if pub.notice_ends_on and day > pub.notice_ends_on:
        return status, _("正式发布排行榜"), link, [f"qiangji publish final {period.code}"]
    action = _("%(end)s 之后正式发布") % {"end": pub.notice_ends_on}
    return status, action, link, []


def _publishing(period: Period) -> str:
    return reverse("publication:publish", args=[period.code])


_STEPS: dict[str, Any] = {
    str(Stage.NOT_OPEN): _not_open,
    str(Stage.REPORTING): _reporting,
    str(Stage.REVIEW): _review,
    str(Stage.LOCKED): _locked,
    str(Stage.COMPUTED): _computed,
    str(Stage.NOTICE): _notice,
}


def admin_context(today: dt.date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    steps = [next_step(p, s, day) for p, s in active_periods(day, unopened=True)]
    return {"steps": steps, **reviewer_context(day)}
