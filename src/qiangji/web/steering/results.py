"""The three-year results report (三年强基行动成效报告): every goal and aim from the baseline to the as-of
date in absolute units, what worked and what is still open. Every figure is counted from the registry,
the programme, the comparisons and this app's records; nothing is typed.

Baseline: the earliest baseline date of the active goals (the programme's start); the figures "at the
baseline" are stocks on that date (institutions, registrations, standards, items), the figures "in the
programme" flows between the baseline and the as-of date (projects, comparisons, training, cooperation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qiangji.web.comparisons.models import LabResult
from qiangji.web.programme.models import Attendance, Goal, TrainingSession
from qiangji.web.programme.progress import GoalStatus, all_statuses
from qiangji.web.registry.models import (
    Institution,
    InstitutionGrade,
    InstitutionMVItem,
    MeasurementStandard,
    ResearchProject,
    Staff,
    SupervisionFinding,
)
from qiangji.web.steering.capability import DUPLICATE, GAP, capability_map
from qiangji.web.steering.effects import HELPED, Effect, effects_of
from qiangji.web.steering.models import (
    Agreement,
    AssistanceAction,
    Exchange,
    JointProject,
    ResearchApplication,
)

FALLBACK_BASELINE = dt.date(2023, 1, 1)


@dataclass(frozen=True)
class Figure:
    label: str
    unit: str
    baseline: float | None  # a stock at the baseline; None for a flow counted over the programme
    now: float
    note: str = ""

    @property
    def change(self) -> float | None:
        return None if self.baseline is None else self.now - self.baseline


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    baseline: float | None
    now: float | None
    registered: int
    verification: int
    met: bool


@dataclass
class ResultsReport:
    baseline: dt.date
    as_of: dt.date
    goals: list[GoalStatus]
    figures: list[Figure]
    coverage: list[CoverageRow]
    worked: list[tuple[AssistanceAction, list[Effect]]] = field(default_factory=list)
    open_items: list[str] = field(default_factory=list)


def programme_baseline() -> dt.date:
    found = Goal.objects.filter(is_active=True).aggregate(d=Min("baseline_on"))["d"]
    return found or FALLBACK_BASELINE


def results_report(as_of: dt.date) -> ResultsReport:
    start = programme_baseline()
    goals = all_statuses(as_of)
    report = ResultsReport(start, as_of, goals, _figures(start, as_of), _coverage(start, as_of))
    actions = AssistanceAction.objects.filter(started_on__lte=as_of).select_related(
        "institution", "provider", "finding", "lab_result__evaluation__round", "exam_topic"
    )
    for action in actions.order_by("started_on", "pk"):
        effects = effects_of(action, as_of)
        if any(e.verdict == HELPED for e in effects):
            report.worked.append((action, effects))
    report.open_items = _open_items(goals, as_of)
    return report


def _a_grades(day: dt.date) -> int:
    return sum(
        1
        for inst in Institution.objects.active_on(day)
        if (g := inst.grade_on(day)) is not None and g.grade == InstitutionGrade.Grade.A
    )


def _stock(label: str, unit: str, fn: Callable[[dt.date], int], start: dt.date, day: dt.date) -> Figure:
    return Figure(label, unit, float(fn(start)), float(fn(day)))


def _figures(start: dt.date, day: dt.date) -> list[Figure]:
    return [
        *_stocks(start, day),
        *_research(start, day),
        _comparisons(start, day),
        *_training(start, day),
        *_cooperation(start, day),
    ]


def _stocks(start: dt.date, day: dt.date) -> list[Figure]:
    """Institutions, registrations, standards, items and projects, at the baseline and now."""
    projects = _funded_projects()
    return [
        _stock(_("A级计量检定机构"), pgettext("unit", "家"), _a_grades, start, day),
        _stock(
            _("在岗注册计量师"),
            pgettext("unit", "人"),
            lambda d: Staff.objects.employed_on(d).registered_on(d).count(),
            start,
            day,
        ),
        _stock(
            _("有效社会公用计量标准"),
            pgettext("unit", "项"),
            lambda d: MeasurementStandard.objects.public_valid_on(d).count(),
            start,
            day,
        ),
        _stock(
            _("授权强检项目"),
            pgettext("unit", "项"),
            lambda d: InstitutionMVItem.objects.authorised_on(d).count(),
            start,
            day,
        ),
        _stock(
            _("累计立项科研项目（市级及以上）"),
            pgettext("unit", "项"),
            lambda d: projects.filter(approved_on__lte=d).count(),
            start,
            day,
        ),
    ]


def _funded_projects() -> QuerySet[ResearchProject]:
    """Projects funded at the municipal level or above (the "other" funding level does not count)."""
    return ResearchProject.objects.exclude(funding_level="other")


def _research(start: dt.date, day: dt.date) -> list[Figure]:
    """Projects approved in the programme, and applications under review on ``day``."""
    approved = _funded_projects().filter(approved_on__gte=start, approved_on__lte=day)
    submitted = ResearchApplication.objects.filter(status="submitted", submitted_on__lte=day)
    return [
        Figure(_("行动期内立项科研项目"), pgettext("unit", "项"), None, float(approved.count())),
        Figure(_("科研项目申报（在审）"), pgettext("unit", "项"), None, float(submitted.count())),
    ]


def _comparisons(start: dt.date, day: dt.date) -> Figure:
    """Satisfactory results of the comparisons evaluated in the programme, out of all evaluated."""
    labs = LabResult.objects.filter(
        en__isnull=False,
        evaluation__round__status__in=("evaluated", "reported"),
        evaluation__evaluated_at__date__gte=start,
        evaluation__evaluated_at__date__lte=day,
    )
    return Figure(
        _("计量比对满意结果"),
        pgettext("unit", "个"),
        None,
        float(labs.filter(verdict=LabResult.Verdict.SATISFACTORY).count()),
        _("共 %(n)s 个评价结果") % {"n": labs.count()},
    )


def _training(start: dt.date, day: dt.date) -> list[Figure]:
    """Sessions held and attendances in the programme, with the hours attended."""
    sessions = TrainingSession.objects.filter(held_on__gte=start, held_on__lte=day)
    present = Attendance.objects.attended_between(start, day)
    return [
        Figure(_("举办培训"), pgettext("unit", "场"), None, float(sessions.count())),
        Figure(
            _("培训参训"),
            pgettext("unit", "人次"),
            None,
            float(present.count()),
            _("合计 %(hours)s 学时") % {"hours": f"{float(_hours(present)):,.0f}"},
        ),
    ]


def _hours(present: QuerySet[Attendance]) -> Decimal:
    """Hours attended: an attendance's own hours where recorded, else its session's."""
    own = present.filter(hours__isnull=False).aggregate(s=Sum("hours"))["s"] or Decimal(0)
    of_session = present.filter(hours__isnull=True).aggregate(s=Sum("session__hours"))["s"] or Decimal(0)
    return Decimal(own + of_session)


def _cooperation(start: dt.date, day: dt.date) -> list[Figure]:
    """Agreements signed, and joint projects, exchanges and assistance actions started, in the programme."""
    flows = Q(started_on__gte=start, started_on__lte=day)
    signed = Agreement.objects.filter(signed_on__gte=start, signed_on__lte=day)
    return [
        Figure(_("签署合作协议"), pgettext("unit", "份"), None, float(signed.count())),
        Figure(
            _("产业/科研合作项目"),
            pgettext("unit", "项"),
            None,
            float(JointProject.objects.filter(flows).count()),
        ),
        Figure(_("人才交流"), pgettext("unit", "人次"), None, float(Exchange.objects.filter(flows).count())),
        Figure(
            _("帮扶行动（培训以外）"),
            pgettext("unit", "次"),
            None,
            float(AssistanceAction.objects.filter(flows).count()),
        ),
    ]


def _pct(inst: Institution, day: dt.date) -> tuple[float | None, int, int]:
    cov = inst.rm_coverage_on(day)
    return (None if cov.percent is None else float(cov.percent)), cov.numerator, cov.denominator


def _coverage(start: dt.date, day: dt.date) -> list[CoverageRow]:
    from django.conf import settings

    target = float(settings.QIANGJI["RM_COVERAGE_TARGET_PCT"])
    rows = []
    for inst in Institution.objects.active_on(day).filter(level=Institution.Level.COUNTY).order_by("code"):
        before, _n, _d = _pct(inst, start)
        now, n, d = _pct(inst, day)
        rows.append(
            CoverageRow(inst.code, inst.name_on(day), before, now, n, d, now is not None and now >= target)
        )
    return rows


def _open_items(goals: list[GoalStatus], day: dt.date) -> list[str]:
    out = []
    for s in goals:
        if not s.met:
            gaps = [f"{r.name}：{r.gap_text}" for r in s.now.institutions if not r.met and r.gap_text]
            text = _("目标“%(goal)s”未达成（%(summary)s）") % {"goal": s.goal.name, "summary": s.now.summary}
            out.append(text + ("；" + "；".join(gaps[:9]) if gaps else ""))
    cmap = capability_map(day)
    missing = cmap.items_with(GAP)
    if missing:
        out.append(
            _("强检职责清单中属地无机构授权的项目：")
            + "、".join(f"{r.item}（{'、'.join(r.uncovered_divisions)}）" for r in missing)
        )
    clusters = cmap.clusters_with(GAP)
    if clusters:
        out.append(
            _("本年度无机构服务的块状产业：") + "、".join(f"{r.cluster}（{r.divisions}）" for r in clusters)
        )
    dup = len(cmap.items_with(DUPLICATE)) + len(cmap.clusters_with(DUPLICATE))
    if dup:
        out.append(_("规划外重复布局 %(n)s 处（见能力布局图）") % {"n": dup})
    findings = SupervisionFinding.objects.open_on(day).count()
    if findings:
        overdue = SupervisionFinding.objects.overdue_on(day).count()
        out.append(
            _("未关闭的督导问题 %(n)s 个，其中逾期 %(overdue)s 个") % {"n": findings, "overdue": overdue}
        )
    return out
