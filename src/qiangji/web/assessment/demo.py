"""Deterministic demo assessment data: reported values and supervision scores for the demo periods.

Called by the publication side's demo publisher after the registry demo data are loaded. For every ranked
institution of a period it fills, once (idempotent):

* the reported indicators (those whose first source is ``reported``, and C3.2 as the fallback when no
  comparison has been evaluated), with the real workflow's trail — draft, evidence, submitted by a demo
  reporter, approved by a demo reviewer, locked — so the trail looks like the real thing;
* for a quarter, one completed supervision visit in its second month with the default checklist scored.

The rows are written in bulk, one period per transaction: reported values in their final (locked) state,
their evidence files, the workflow's own trail rows (:func:`workflow.trail`: the same
``ReportTransition`` rows, checked against the same allowed moves, that submit → approve → lock write one
by one), the visits with their scored checklists. Bulk writes bypass the audit signals, so the matching
audit events are written in bulk too (``accounts.audit.record_bulk``): one ``create`` event per row
written, with the row as stored, attributed like any other change (the current actor). Unlike the
step-by-step path there are no ``update`` events for the intermediate statuses, because no row ever held
them; the transitions record each step with its actor.

Values are drawn from a generator seeded by (period, institution, indicator), so a rerun on another
machine gives the same data. Their level follows the institution's registered-metrologist coverage on the
as-of date (the registry generator's archetypes: strong, medium, small mountain counties), so reported and
derived indicators tell the same story and ranks move with the registry's trajectories. All invented.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from qiangji.web import indicators
from qiangji.web.accounts.audit import record_bulk
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.assessment import workflow
from qiangji.web.assessment.inputs import ranked_institutions
from qiangji.web.assessment.models import (
    ChecklistItem,
    Evidence,
    Period,
    ReportedValue,
    ReportTransition,
    SupervisionVisit,
)
from qiangji.web.assessment.models.supervision import DEFAULT_CHECKLIST
from qiangji.web.assessment.reporting import Entry, current_framework_version
from qiangji.web.registry.models import Institution

REPORTER, REVIEWER = "demo-reporter", "demo-reviewer"
SEED = 20250101


def _rng(*keys: str) -> np.random.Generator:
    return np.random.default_rng([SEED, *(zlib.crc32(k.encode()) for k in keys)])


def quality(inst: Institution, period: Period) -> float:
    """0.3–1.0: the institution's RM coverage on the as-of date (0.6 without verification staff)."""
    cov = inst.rm_coverage_on(period.as_of, "verification")
    return 0.6 if cov.denominator == 0 else min(1.0, max(0.3, cov.numerator / cov.denominator))


def _counts(inst: Institution, period: Period) -> tuple[int, float]:
    """(staff on the as-of date, period length in quarters)."""
    return max(inst.staff_on(period.as_of).count(), 5), float(len(period.quarters()))


@dataclass(frozen=True)
class Profile:
    """What an institution's demo values follow in a period: quality, staff, length in quarters."""

    quality: float
    staff: int
    quarters: float


#: Trajectories go on in 2026 (framework 2026.1's progress index shows them against the 2025Q4 baseline):
#: the improving small counties' reported values and visit scores follow a higher quality from 2026 on, the
#: declining institutions' a lower one (as the registry's 2026 data, qiangji.demo.generate.extension).
PROGRESS_2026 = {"TT-MI": 0.25, "SM-MI": 0.15, "HY-MI": -0.15, "YH-MI": -0.15}


def profile(inst: Institution, period: Period) -> Profile:
    q = quality(inst, period)
    if period.start.year >= 2026:
        q = min(1.0, max(0.3, q + PROGRESS_2026.get(inst.code, 0.0)))
    return Profile(q, *_counts(inst, period))


def demo_entry(code: str, inst: Institution, period: Period, prof: Profile | None = None) -> Entry:
    """The demo value of a reported indicator (see the module docstring); ``prof`` saves its queries."""
    prof = prof or profile(inst, period)
    rng, q, staff, quarters = _rng(period.code, inst.code, code), prof.quality, prof.staff, prof.quarters
    noise = float(rng.normal(0, 0.05))
    if code == "D1.2":
        den = 30 + zlib.crc32(inst.code.encode()) % 25
        return _ratio(round(den * min(1.0, max(0.3, 0.55 + 0.45 * q + noise))), den)
    if code == "D1.3":
        return _value(round(staff * 230 * quarters * (0.7 + 0.6 * q + noise)))
    if code == "D3.3":
        return _value(round(10 * quarters * (0.5 + 0.7 * q + noise), 1))
    if code in ("D4.3", "D4.4"):
        return _value(int(rng.poisson(quarters * (0.15 + 0.5 * q))))
    if code == "C1.3":
        return _value(int(rng.poisson(quarters * 0.8 * (1.1 - q))))
    if code == "C3.2":
        den = int(quarters) + 1 + int(rng.integers(0, 3))
        return _ratio(int(rng.binomial(den, min(1.0, 0.75 + 0.25 * q))), den)
    raise ValueError(f"code must be a reported demo indicator, got {code!r}")


def _value(v: float) -> Entry:
    return Entry(Decimal(str(v)), None, None, "演示数据")


def _ratio(num: int, den: int) -> Entry:
    return Entry(None, Decimal(num), Decimal(den), "演示数据")


def demo_indicators() -> list[str]:
    """Indicators the demo reports: first source ``reported``, plus those the indicator registry marks
    ``demo_reported`` (fallbacks where the deriver has no data: C3.2, D3.3, D1.2, D1.3, D4.4)."""
    fw = current_framework_version().framework()
    return [c for c in fw.indicators if _reported_in_demo(indicators.get(c))]


def _reported_in_demo(ind: indicators.Indicator) -> bool:
    return ind.sources[0] == "reported" or (ind.demo_reported and "reported" in ind.sources)


def _users() -> tuple[Any, Any]:
    model = get_user_model()
    made = []
    for name in (REPORTER, REVIEWER):
        user, created = model.objects.get_or_create(
            username=name, defaults={"email": f"{name}@example.invalid"}
        )
        if created:
            user.set_unusable_password()
            user.save()
        made.append(user)
    return made[0], made[1]


def _missing(period: Period, insts: list[Institution], codes: list[str]) -> list[tuple[Institution, str]]:
    done = set(ReportedValue.objects.filter(period=period).values_list("institution_id", "indicator"))
    return [(i, c) for i in insts for c in codes if (i.pk, c) not in done]


def _reports(period: Period, todo: list[tuple[Institution, str]], reporter: Any) -> list[ReportedValue]:
    """The reported values, validated like a saved entry, not yet moved through the workflow."""
    reports, profiles = [], {i.pk: profile(i, period) for i in {i for i, _code in todo}}
    for inst, code in todo:
        entry = demo_entry(code, inst, period, profiles[inst.pk])
        report = ReportedValue(
            period=period, institution=inst, indicator=code, updated_by=reporter, note=entry.note,
            value=None if entry.numerator is not None else entry.value,
            numerator=entry.numerator, denominator=entry.denominator,
        )  # fmt: skip
        report.clean()
        report.compute_value()
        reports.append(report)
    return reports


def _evidence(report: ReportedValue, reporter: Any) -> Evidence:
    text = f"{report.institution.name} {report.period.label} {report.indicator} 佐证材料（演示数据，虚构）\n"
    data = text.encode()
    evidence = Evidence(
        report=report,
        original_name=f"{report.indicator} 佐证材料（示例）.txt",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        uploaded_by=reporter,
    )
    evidence.file.save(f"{report.indicator}-demo.txt", ContentFile(data), save=False)
    return evidence


def _report_all(period: Period, todo: list[tuple[Institution, str]], reporter: Any, reviewer: Any) -> None:
    """Reported values with evidence and their submit → approve → lock trail, written in bulk."""
    steps = [(workflow.SUBMITTED, reporter), (workflow.APPROVED, reviewer), (workflow.LOCKED, reviewer)]
    _report_with(period, todo, lambda _inst: (reporter, steps))


Steps = list[tuple[str, Any]]


def _report_with(
    period: Period, todo: list[tuple[Institution, str]], plan: Callable[[Institution], tuple[Any, Steps]]
) -> list[ReportedValue]:
    """Values with evidence, each taken through ``plan(institution)`` = (its reporter, its steps)."""
    if not todo:
        return []
    reports, trails = [], []
    for inst, code in todo:
        reporter, steps = plan(inst)
        report = _reports(period, [(inst, code)], reporter)[0]
        trails.append(workflow.trail(report, steps))
        reports.append(report)
    ReportedValue.objects.bulk_create(reports)
    evidence = [_evidence(r, r.updated_by) for r in reports]
    Evidence.objects.bulk_create(evidence)
    rows = [t for trail in trails for t in trail]  # bulk_create links each to its report's new pk
    ReportTransition.objects.bulk_create(rows)
    record_bulk(AuditEvent.Action.CREATE, [*reports, *evidence, *rows])
    return reports


def _visit(period: Period, inst: Institution, inspector: Any) -> tuple[SupervisionVisit, list[Any]]:
    """A completed visit of ``inst`` with its default checklist scored (unsaved)."""
    rng, q = _rng(period.code, inst.code, "visit"), profile(inst, period).quality
    assert period.quarter is not None
    day = dt.date(period.year, 3 * period.quarter - 1, 10 + int(rng.integers(0, 10)))
    visit = SupervisionVisit(
        period=period, institution=inst, visited_on=day, inspectors="市计量院督导组（示例）",
        created_by=inspector, status=SupervisionVisit.Status.COMPLETED, summary="演示数据：督导评分（虚构）",
    )  # fmt: skip
    visit.full_clean(validate_unique=False, validate_constraints=False)
    items = []
    for n, (sub, code, text, points) in enumerate(DEFAULT_CHECKLIST):
        share = min(1.0, max(0.4, q + 0.1 + float(rng.normal(0, 0.08))))
        item = ChecklistItem(
            sub_dimension=sub, indicator=code, text=text, max_points=Decimal(points), position=n,
            awarded=Decimal(str(round(float(points) * share * 2) / 2)),  # half points
        )  # fmt: skip
        items.append(item)
    return visit, items


def _visit_all(period: Period, insts: list[Institution], inspector: Any) -> None:
    if period.quarter is None:
        return
    visited = set(SupervisionVisit.objects.filter(period=period).values_list("institution_id", flat=True))
    made = [_visit(period, inst, inspector) for inst in insts if inst.pk not in visited]
    visits = SupervisionVisit.objects.bulk_create([v for v, _items in made])
    items = []
    for visit, rows in made:
        for item in rows:
            item.visit = visit
            items.append(item)
    ChecklistItem.objects.bulk_create(items)
    record_bulk(AuditEvent.Action.CREATE, [*visits, *items])


def demo_assessment(periods: Sequence[Period | str]) -> int:
    """Fill the demo assessment data of ``periods`` (codes or periods); returns reports created."""
    reporter, reviewer = _users()
    codes = demo_indicators()
    created = 0
    for p in periods:
        period = p if isinstance(p, Period) else Period.for_code(p)
        insts = ranked_institutions(period)
        with transaction.atomic():
            todo = _missing(period, insts, codes)
            _report_all(period, todo, reporter, reviewer)
            _visit_all(period, insts, reviewer)
        created += len(todo)
    return created


# The two periods a newcomer walks through (issue 12): 2026Q1 approved but not locked, 2026Q2 open. Both
# use framework 2026.1 (issue 15); the published periods before keep 2025.1.
FRAMEWORK_2026 = "tz-cap-2026.1.yaml"
GATED_INSTITUTION = "WL-MI"
REVIEW_PERIOD, OPEN_PERIOD = "2026Q1", "2026Q2"
RETURN_REASON = "佐证材料与填报数值不一致，请核对后重新提交（演示数据）。"


@dataclass
class OpenPeriodsReport:
    opened: list[str] = field(default_factory=list)

    def summary(self) -> str:
        done = "、".join(self.opened) or "无（已存在）"
        return f"演示期次 / demo periods in progress: {done}（{REVIEW_PERIOD} 审核中，{OPEN_PERIOD} 填报中）"


def _role_users() -> tuple[dict[int, Any], Any]:
    """Each institution's demo reporter account and the city reviewer (the fixed demo users if missing)."""
    from qiangji.web.accounts.models import Profile

    reporter, reviewer = _users()
    profiles = Profile.objects.select_related("user")
    reporters = {
        p.institution_id: p.user for p in profiles.filter(role="reporter", institution__isnull=False)
    }
    city = profiles.filter(role="reviewer").order_by("pk").first()
    reporters.setdefault(0, reporter)
    return reporters, city.user if city is not None else reviewer


def _windows(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """(opens, deadline): 2026Q1 closed yesterday at the latest, 2026Q2 open for at least 30 more days."""
    q1_deadline = min(dt.date(2026, 4, 15), today - dt.timedelta(days=1))
    q2_opens = min(dt.date(2026, 7, 1), today)
    return {
        REVIEW_PERIOD: (min(dt.date(2026, 4, 1), q1_deadline), q1_deadline),
        OPEN_PERIOD: (q2_opens, max(dt.date(2026, 7, 15), today + dt.timedelta(days=30))),
    }


def demo_open_periods(today: dt.date | None = None) -> OpenPeriodsReport:
    """Open 2026Q1 (every value approved, not locked) and 2026Q2 (some counties submitted, one value
    returned, some not reported), once: a period already opened is left as it is."""
    from django.utils import timezone

    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.models import FrameworkVersion

    today = today or timezone.localdate()
    version = ensure_default_framework(FrameworkVersion, FRAMEWORK_2026)[0]
    report = OpenPeriodsReport()
    for code, (opens, deadline) in _windows(today).items():
        period = Period.for_code(code)
        if period.opened_at is not None:
            continue
        with transaction.atomic():
            period.framework_version, period.opens_on, period.deadline = version, opens, deadline
            period.opened_at = timezone.make_aware(dt.datetime.combine(opens, dt.time(8)))
            period.save()
            _fill_in_progress(period)
            if code == REVIEW_PERIOD:
                follow_up_findings(period)
                _critical_finding(period)
        report.opened.append(code)
    return report


def follow_up_findings(period: Period) -> int:
    """Close, on the day of ``period``'s supervision visit, the findings open at its start that were not
    closed by then.

    The demo's registry data record closures up to the end of 2026Q2; a finding of the last visits of 2025
    may still be open at the start of 2026Q1, closed (on time or late) before the quarter's visit, later, or
    not at all within the data. The visit verifies the rectification of those not closed by its day: without
    it some would stay open, and under framework 2026.1 their becoming overdue would gate whichever
    institutions the generator happened to leave them at. The 2026Q1 gate cases are the deliberate ones
    (:func:`_critical_finding`). Returns the number of findings closed on the visit day.
    """

    from qiangji.web.registry.models import SupervisionFinding

    visits = dict(SupervisionVisit.objects.filter(period=period).values_list("institution_id", "visited_on"))
    carried = SupervisionFinding.objects.open_on(period.start - dt.timedelta(days=1)).filter(
        institution_id__in=visits
    )
    closed = 0
    for finding in carried.order_by("pk"):
        day = max(visits[finding.institution_id], finding.found_on)
        if finding.closed_on is not None and finding.closed_on <= day:
            continue  # closed before the visit: the visit finds it done
        finding.closed_on = day
        finding.save(update_fields=["closed_on", "updated_at"])  # audited by the signals
        closed += 1
    return closed


def _critical_finding(period: Period) -> None:
    """A 重大 finding at a strong institution, open on 2026Q1's as-of date: under 2026.1 the compliance
    gate (G1) caps its total at 59 although its indicators would put it at the top. Found after the
    quarter's visit and due after the as-of date, it is open but not overdue, so G2 does not add to it:
    it is the demo's one gate case in 2026Q1."""
    from qiangji.web.registry.models import SupervisionFinding

    inst = Institution.objects.filter(code=GATED_INSTITUTION).first()
    if inst is None:
        return
    SupervisionFinding.objects.get_or_create(
        institution=inst,
        found_on=dt.date(2026, 2, 26),
        severity=SupervisionFinding.Severity.CRITICAL,
        defaults={
            "sub_dimension": SupervisionFinding.SubDimension.C4,
            "rule": SupervisionFinding.Rule.TR8,
            "description": "超范围检定：出具超出计量授权范围的强制检定证书 12 份（演示数据，虚构）。",
            "due_on": dt.date(2026, 4, 30),
        },
    )


def _fill_in_progress(period: Period) -> None:
    reporters, reviewer = _role_users()
    insts, codes = ranked_institutions(period), demo_indicators()

    def approved(inst: Institution) -> tuple[Any, Steps]:
        rep = reporters.get(inst.pk, reporters[0])
        return rep, [(workflow.SUBMITTED, rep), (workflow.APPROVED, reviewer)]

    def submitted(inst: Institution) -> tuple[Any, Steps]:
        rep = reporters.get(inst.pk, reporters[0])
        return rep, [(workflow.SUBMITTED, rep)]

    if period.code == REVIEW_PERIOD:
        _report_with(period, _missing(period, insts, codes), approved)
        _visit_all(period, insts, reviewer)
        return
    submitting = insts[: max(1, len(insts) // 2)]  # the first half submitted; the rest not yet reported
    made = _report_with(period, _missing(period, submitting, codes), submitted)
    if made:
        _return_one(made[-1], reviewer)


def _return_one(report: ReportedValue, reviewer: Any) -> None:
    """The reviewer returns one submitted value with a reason, through the workflow itself."""
    workflow.return_report(report, reviewer, RETURN_REASON)
