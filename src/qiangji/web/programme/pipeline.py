"""The registered-metrologist pipeline per person and each county's coverage forecast at the deadline.

Stages (docs/domain.md §2.5): exam subjects passed within the level's window → qualification (all subjects
in one window, or a recorded qualification) → 专业项目考核 (the current 计量专业项目考核合格证, or the older
计量检定员证 / 项目考核合格证 whose items still count) → registration → renewal, which needs the continuing-
education hours of ``RM_RENEWAL_CE_HOURS`` within the registration's validity (CE records plus programme
training attended).

Timing assumptions (settings, to confirm with the provincial bureau): an exam year's results are known at
the end of month ``RM_EXAM_RESULTS_MONTH``; a 专业项目考核 takes ``RM_ITEM_ASSESSMENT_LEAD_DAYS`` and a
registration ``RM_REGISTRATION_LEAD_DAYS`` after its prerequisites.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiangji.core.steering import ExamProgress, exam_progress
from qiangji.web.programme.candidacy import RMCandidate
from qiangji.web.programme.models import Goal, RMExamPass, attended_hours
from qiangji.web.registry.dates import add_months
from qiangji.web.registry.models import ContinuingEducation, Institution, RMCredential, RMRegistration, Staff
from qiangji.web.registry.models.people import SUBJECTS, WINDOW_YEARS, ExamSubjectPass

STAGES = {
    "none": gettext_lazy("未开始"),
    "exams": gettext_lazy("考试中"),
    "lost": gettext_lazy("科目过期"),
    "qualified": gettext_lazy("已取得资格"),
    "items": gettext_lazy("待注册（资格+项目考核已具备）"),
    "registered": gettext_lazy("已注册"),
    "renewal": gettext_lazy("需延续注册"),
}
ITEM_KINDS = (RMCredential.Kind.ITEM, RMCredential.Kind.VERIFIER, RMCredential.Kind.OLD_ITEM)


def _q(key: str) -> int:
    """A programme constant of ``settings.QIANGJI`` (declared there with its default and env override)."""
    return int(settings.QIANGJI[key])


def results_known_year(day: dt.date) -> int:
    """The last exam year whose results are known on ``day``."""
    return day.year if day.month >= _q("RM_EXAM_RESULTS_MONTH") else day.year - 1


def results_day(year: int) -> dt.date:
    month = _q("RM_EXAM_RESULTS_MONTH")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class PersonStage:
    staff: Staff
    level: int
    stage: str
    exam: ExamProgress
    passes: tuple[tuple[int, str], ...]  # (exam year, subject label), exemptions marked
    qualified_by: str
    item_credentials: tuple[tuple[str, str], ...]  # (credential and number, its items' names)
    registration: RMRegistration | None
    ce_hours: Decimal
    ce_required: int
    earliest: dt.date | None  # the earliest date a registration is possible (None: registered or never)

    remaining: tuple[str, ...] = ()  # names of the subjects still to pass

    @property
    def stage_label(self) -> str:
        return str(STAGES[self.stage])

    @property
    def renewal_ready(self) -> bool:
        return self.ce_hours >= self.ce_required


def ce_hours(staff: Staff, start: dt.date, end: dt.date) -> Decimal:
    own = ContinuingEducation.objects.filter(staff=staff, completed_on__gte=start, completed_on__lte=end)
    total = own.aggregate(s=Sum("hours"))["s"] or Decimal("0")
    return Decimal(total) + attended_hours([staff.pk], start, end)


def person_stage(staff: Staff, level: int, day: dt.date) -> PersonStage:
    """Where ``staff`` stands on ``day`` in the pipeline of ``level``."""
    # the labels of the model's choices, in the request's language (SUBJECTS holds the Chinese names)
    subjects = {s: str(ExamSubjectPass.Subject(s).label) for s, _name in SUBJECTS[level]}
    rows = list(staff.exam_subjects.filter(level=level, exam_year__lte=results_known_year(day)))
    passes = [(r.subject, r.exam_year, r.basis == "exempt") for r in rows]
    exam = exam_progress(list(subjects), WINDOW_YEARS[level], passes, results_known_year(day))
    labelled = tuple(sorted((y, subjects[s] + (_("（免试）") if e else "")) for s, y, e in passes))
    qualified_by = _qualified_by(staff, level, day, exam)
    creds = [c for c in staff.credentials.filter(kind__in=ITEM_KINDS) if c.is_valid_on(day)]
    items = tuple((f"{c.get_kind_display()} {c.cert_no}", "、".join(c.items)) for c in creds)
    registration = staff.registration_on(day)
    required = _q("RM_RENEWAL_CE_HOURS")
    hours = ce_hours(staff, registration.valid_from, day) if registration else Decimal("0")
    stage = _stage(registration, day, bool(qualified_by), bool(creds), exam, bool(passes))
    earliest = _earliest(stage, day, exam, bool(creds))
    remaining = tuple(subjects[s] for s in exam.remaining)
    return PersonStage(
        staff,
        level,
        stage,
        exam,
        labelled,
        qualified_by,
        items,
        registration,
        hours,
        required,
        earliest,
        remaining,
    )


def _qualified_by(staff: Staff, level: int, day: dt.date, exam: ExamProgress) -> str:
    if exam.qualified_year is not None:
        return _("%(year)s年考试合格") % {"year": exam.qualified_year}
    recorded = RMExamPass.objects.filter(staff=staff, level=level, passed_on__lte=day).first()
    if recorded is not None:
        cert_no = recorded.qualification_cert_no or _("资格登记")
        return _("%(year)s年考试合格（%(cert)s）") % {"year": recorded.exam_year, "cert": cert_no}
    cert = staff.credentials.filter(
        kind=RMCredential.Kind.QUALIFICATION, level=level, issued_on__lte=day
    ).first()
    return _("资格证书 %(cert)s") % {"cert": cert.cert_no} if cert is not None else ""


def _stage(
    reg: RMRegistration | None, day: dt.date, qualified: bool, items: bool, exam: ExamProgress, passed: bool
) -> str:
    if reg is not None:
        lead = add_months(day, _q("ALERT_LEAD_MONTHS"))
        return "renewal" if reg.valid_to <= lead else "registered"
    if qualified:
        return "items" if items else "qualified"
    if exam.kept:
        return "exams"
    return "lost" if passed else "none"  # every pass so far has left its window


def _earliest(stage: str, day: dt.date, exam: ExamProgress, items: bool) -> dt.date | None:
    """The earliest registration date the pipeline allows from ``stage`` on ``day``."""
    if stage in ("registered", "renewal"):
        return None
    start = day
    if stage in ("none", "exams", "lost"):
        start = max(day, results_day(results_known_year(day) + 1))  # the next exam's results
    if not items:
        start += dt.timedelta(days=_q("RM_ITEM_ASSESSMENT_LEAD_DAYS"))
    return start + dt.timedelta(days=_q("RM_REGISTRATION_LEAD_DAYS"))


def counted_on(candidate: RMCandidate, stage: PersonStage) -> dt.date | None:
    """The date a candidate is forecast to be registered: the later of the plan and the earliest possible."""
    if stage.earliest is None:
        return None
    return max(candidate.target_date, stage.earliest)


@dataclass(frozen=True)
class CandidateRow:
    candidate: RMCandidate
    stage: PersonStage
    counted_on: dt.date | None
    in_denominator: bool


@dataclass(frozen=True)
class CountyForecast:
    institution: Institution
    day: dt.date
    deadline: dt.date
    registered_now: int
    group_now: int
    group_at_deadline: int
    without: int
    with_candidates: int
    lapsing: tuple[str, ...]
    leaving: tuple[str, ...]
    candidates: tuple[CandidateRow, ...] = field(default=())

    @staticmethod
    def _pct(num: int, den: int) -> float | None:
        return None if den == 0 else 100.0 * num / den

    @property
    def now_pct(self) -> float | None:
        return self._pct(self.registered_now, self.group_now)

    @property
    def without_pct(self) -> float | None:
        return self._pct(self.without, self.group_at_deadline)

    @property
    def with_pct(self) -> float | None:
        return self._pct(self.with_candidates, self.group_at_deadline)

    @property
    def target(self) -> int:
        return _q("RM_COVERAGE_TARGET_PCT")


def coverage_group(inst: Institution, day: dt.date) -> list[Staff]:
    """The coverage denominator on ``day`` (``RM_COVERAGE_DENOMINATOR``, as Institution.rm_coverage_on)."""
    kind = settings.QIANGJI.get("RM_COVERAGE_DENOMINATOR", "verification")
    group = inst.staff.employed_on(day)
    if kind == "verification":
        group = group.filter(is_verification=True)
    elif kind == "technical":
        group = group.filter(is_technical=True)
    return list(group.prefetch_related("registrations").order_by("name", "pk"))


def programme_deadline(day: dt.date) -> tuple[dt.date, str]:
    """The coverage goal's deadline; once it has passed, the end of ``day``'s year (said so)."""
    goal = Goal.objects.filter(metric="rm_coverage_min").order_by("order").first()
    deadline = goal.deadline if goal else dt.date(day.year, 12, 31)
    if day < deadline:
        return deadline, _("行动完成期限")
    end = dt.date(day.year, 12, 31)
    return end, _("行动期限 %(day)s 已过，预测至本年末") % {"day": deadline}


def county_forecast(inst: Institution, day: dt.date, deadline: dt.date) -> CountyForecast:
    """Coverage at ``deadline`` of the staff in the group on ``day``, without and with the named candidates.

    Without: a member of the group who is still employed on the deadline counts when a registration is
    valid on it, or when the current one lapses before it but the continuing-education hours for renewal
    are done. With: plus each active candidate in the group, not counted already, whose forecast
    registration date (:func:`counted_on`) is on or before the deadline.
    """
    group = coverage_group(inst, day)
    staying = [s for s in group if s.left_on is None or s.left_on >= deadline]
    leaving = tuple(s.name for s in group if s not in staying)
    counted: set[int] = set()
    lapsing = []
    for s in staying:
        if s.registration_on(deadline) is not None:
            counted.add(s.pk)
        elif (reg := s.registration_on(day)) is not None:
            if ce_hours(s, reg.valid_from, day) >= _q("RM_RENEWAL_CE_HOURS"):
                counted.add(s.pk)
            else:
                lapsing.append(
                    _("%(name)s（%(day)s 到期，继续教育学时不足）") % {"name": s.name, "day": reg.valid_to}
                )
    without = len(counted)
    rows, extra = _candidate_rows(inst, day, deadline, {s.pk for s in staying}, counted)
    now = sum(1 for s in group if s.registration_on(day) is not None)
    return CountyForecast(
        inst, day, deadline, now, len(group), len(staying), without, without + extra, tuple(lapsing), leaving,
        tuple(rows),
    )  # fmt: skip


def _candidate_rows(
    inst: Institution, day: dt.date, deadline: dt.date, staying: set[int], counted: set[int]
) -> tuple[list[CandidateRow], int]:
    rows, extra = [], 0
    cands = RMCandidate.objects.filter(staff__institution=inst, is_active=True).select_related("staff")
    for c in cands.order_by("staff__name", "level"):
        stage = person_stage(c.staff, c.level, day)
        when = counted_on(c, stage)
        inside = c.staff_id in staying
        if inside and c.staff_id not in counted and when is not None and when <= deadline:
            counted.add(c.staff_id)
            extra += 1
        rows.append(CandidateRow(c, stage, when, inside))
    return rows, extra
