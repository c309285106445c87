"""The evidence of each A级 criterion for many institutions on many days, one query per criterion.

The readiness page needs every criterion of every candidate at every quarter end since the programme's
baseline (2 candidates × 13 quarter ends × 9 criteria on the demo): asked one day at a time, that is
hundreds of queries. Each function here reads the rows of all the institutions once, with the dates
that decide validity, and applies the registry's own date rules in Python for each day:

* standards valid on a day (`MeasurementStandardQuerySet.valid_on`): in use (status in use, or sealed or
  withdrawn only after the day) and an assessment certificate, current or earlier, covering the day;
* staff employed (`employed_on`: hired ≤ day ≤ left, open-ended), registrations valid (`valid_on`: both
  ends inclusive), items authorised (`authorised_on`: both ends inclusive, open-ended);
* findings overdue (`overdue_on`: found ≤ day, not closed by the end of the day, due date before it);
* comparison satisfaction over the 36 months to the day (`comparisons.indicators.satisfaction_rate`).

``tests/web/programme/test_evidence.py`` checks each against the querysets it replaces, day by day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from qiangji.web.comparisons.indicators import EVALUATED
from qiangji.web.comparisons.models import ComparisonRound, LabResult, Participant
from qiangji.web.registry.dates import add_months
from qiangji.web.registry.indicators import MAIN_DISCIPLINES, staffed_items
from qiangji.web.registry.items import ItemMatcher
from qiangji.web.registry.models import (
    Coverage,
    Institution,
    InstitutionMVItem,
    MeasurementStandard,
    ResearchProject,
    RMRegistration,
    Staff,
    SupervisionFinding,
)
from qiangji.web.stored_texts import english

SHOWN = 8  # evidence records listed per criterion (the count says how many there are)
Key = tuple[int, dt.date]


@dataclass(frozen=True)
class Evidence:
    """A criterion's value on a day (None: no data to judge) and the records behind it."""

    value: float | None
    records: tuple[str, ...] = ()
    text: str = ""


Batch = Callable[[Sequence[Institution], Sequence[dt.date]], dict[Key, Evidence]]


def _within(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    """``start <= day <= end``, an empty end open (`registry.models.base.within`)."""
    return start is not None and start <= day and (end is None or day <= end)


def _covers(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    """``start <= day <= end`` with both ends required (a NULL compares false in SQL)."""
    return start is not None and end is not None and start <= day <= end


def _each(
    insts: Sequence[Institution], days: Sequence[dt.date], fn: Callable[[int, dt.date], Evidence]
) -> dict[Key, Evidence]:
    return {(i.pk, d): fn(i.pk, d) for i in insts for d in days}


def _grouped(rows: Iterable[Any], attr: str = "institution_id") -> defaultdict[int, list[Any]]:
    out: defaultdict[int, list[Any]] = defaultdict(list)
    for r in rows:
        out[getattr(r, attr)].append(r)
    return out


# standards ------------------------------------------------------------------------------------------------


def _standards(insts: Sequence[Institution], public: bool) -> defaultdict[int, list[MeasurementStandard]]:
    rows = MeasurementStandard.objects.filter(institution__in=insts).prefetch_related("previous_assessments")
    if public:
        rows = rows.filter(is_public=True)
    return _grouped(rows.order_by("jjf1022_code", "pk"))


def _valid(s: MeasurementStandard, day: dt.date) -> bool:
    in_use = s.status == MeasurementStandard.Status.IN_USE or (
        s.status_since is not None and s.status_since > day
    )
    if not in_use:
        return False
    if _covers(day, s.assessment_issued_on, s.assessment_expires_on):
        return True
    return any(_covers(day, p.issued_on, p.expires_on) for p in s.previous_assessments.all())


def public_standards(insts: Sequence[Institution], days: Sequence[dt.date]) -> dict[Key, Evidence]:
    held = _standards(insts, public=True)

    def one(inst: int, day: dt.date) -> Evidence:
        names = [f"{s.name}（{s.assessment_cert_no}）" for s in held[inst] if _valid(s, day)]
        return Evidence(float(len(names)), tuple(names[:SHOWN]))

    return _each(insts, days, one)


def disciplines(insts: Sequence[Institution], days: Sequence[dt.date]) -> dict[Key, Evidence]:
    held = _standards(insts, public=False)

    def one(inst: int, day: dt.date) -> Evidence:
        codes = sorted({s.jjf1022_code[:2] for s in held[inst] if _valid(s, day)} & set(MAIN_DISCIPLINES))
        listed = (", " if english() else "、").join(codes)
        return Evidence(float(len(codes)), (), _("专业代码 %(codes)s") % {"codes": listed} if codes else "")

    return _each(insts, days, one)


# staff and registrations ----------------------------------------------------------------------------------


def _people(
    insts: Sequence[Institution],
) -> tuple[defaultdict[int, list[Staff]], defaultdict[int, list[RMRegistration]]]:
    staff = _grouped(Staff.objects.filter(institution__in=insts).order_by("pk"))
    regs = _grouped(RMRegistration.objects.filter(staff__institution__in=insts).order_by("pk"), "staff_id")
    return staff, regs


def _valid_regs(regs: Iterable[RMRegistration], day: dt.date) -> list[RMRegistration]:
    return [r for r in regs if _covers(day, r.valid_from, r.valid_to)]


def rm_coverage(insts: Sequence[Institution], days: Sequence[dt.date]) -> dict[Key, Evidence]:
    """`Institution.rm_coverage_on` with the configured denominator (verification staff by default)."""
    staff, regs = _people(insts)
    kind = settings.QIANGJI.get("RM_COVERAGE_DENOMINATOR", "verification")
    if kind not in ("verification", "technical", "all"):
        raise ValueError(f"denominator must be 'verification', 'technical' or 'all', got {kind!r}")

    def in_group(s: Staff) -> bool:
        return kind == "all" or (s.is_verification if kind == "verification" else s.is_technical)

    def one(inst: int, day: dt.date) -> Evidence:
        group = [s for s in staff[inst] if _within(day, s.hired_on, s.left_on) and in_group(s)]
        cov = Coverage(sum(1 for s in group if _valid_regs(regs[s.pk], day)), len(group))
        if cov.percent is None:
            return Evidence(None, (), _("无在岗检定/校准人员"))
        people = _("%(num)s/%(den)s 人") % {"num": cov.numerator, "den": cov.denominator}
        return Evidence(float(cov.percent), (), people)

    return _each(insts, days, one)


def level1_registered(insts: Sequence[Institution], days: Sequence[dt.date]) -> dict[Key, Evidence]:
    staff, regs = _people(insts)

    def one(inst: int, day: dt.date) -> Evidence:
        names = sorted(
            {
                s.name
                for s in staff[inst]
                if _within(day, s.hired_on, s.left_on)
                and any(r.level == 1 for r in _valid_regs(regs[s.pk], day))
            }
        )
        return Evidence(float(len(names)), tuple(names[:SHOWN]))

    return _each(insts, days, one)


def _authorisations(insts: Sequence[Institution]) -> defaultdict[int, list[InstitutionMVItem]]:
    return _grouped(InstitutionMVItem.objects.filter(institution__in=insts).select_related("item"))


def _authorised_on(rows: Iterable[InstitutionMVItem], day: dt.date) -> list[InstitutionMVItem]:
    return [r for r in rows if _within(day, r.authorised_from, r.authorised_to)]


def authorised_items(insts: Sequence[Institution], days: Sequence[dt.date]) -> dict[Key, Evidence]:
    held = _authorisations(insts)

    def one(inst: int, day: dt.date) -> Evidence:
        names = [str(r.item) for r in _authorised_on(held[inst], day)]
        return Evidence(float(len(names)), tuple(names[:SHOWN]))

    return _each(insts, days, one)


def staffed(insts: Sequence[Institution], days: Sequence[dt.date]) -> dict[Key, Evidence]:
    staff, regs = _people(insts)
    held = _authorisations(insts)
    matcher = ItemMatcher()

    def one(inst: int, day: dt.date) -> Evidence:
        valid = [
            r
            for s in staff[inst]
            if _within(day, s.hired_on, s.left_on)
            for r in _valid_regs(regs[s.pk], day)
        ]
        derived = staffed_items(valid, _authorised_on(held[inst], day), matcher)
        if derived is None:
            return Evidence(None, (), _("无授权项目"))
        short = tuple(derived.records[:SHOWN])
        return Evidence(
            float(derived.value),
            short,
            _("人员不足的项目 %(n)s 项") % {"n": len(derived.records)} if short else "",
        )

    return _each(insts, days, one)


# findings, comparisons, research --------------------------------------------------------------------------


def overdue_findings(insts: Sequence[Institution], days: Sequence[dt.date]) -> dict[Key, Evidence]:
    found = _grouped(SupervisionFinding.objects.filter(institution__in=insts).order_by("due_on", "pk"))

    def one(inst: int, day: dt.date) -> Evidence:
        rows = [
            f
            for f in found[inst]
            if f.found_on <= day and (f.closed_on is None or f.closed_on > day) and f.due_on < day
        ]
        names = [f"{f.due_on} {f.description[:30]}" for f in rows]
        return Evidence(float(len(names)), tuple(names[:SHOWN]))

    return _each(insts, days, one)


def comparison_satisfaction(insts: Sequence[Institution], days: Sequence[dt.date]) -> dict[Key, Evidence]:
    """`satisfaction_rate` over the 36 months to each day: |En| ≤ 1 results of the rounds evaluated in the
    window; a mandatory round of the window with nothing submitted scores 0."""
    evaluated: defaultdict[int, set[dt.date]] = defaultdict(set)
    rounds = ComparisonRound.objects.filter(status__in=EVALUATED)
    for rid, at in rounds.values_list("pk", "evaluations__evaluated_at"):
        if at is not None:
            evaluated[rid].add(timezone.localdate(at) if timezone.is_aware(at) else at.date())
    results = LabResult.objects.filter(participant__institution__in=insts, en__isnull=False)
    verdicts = defaultdict(list)
    for inst, rid, verdict in results.values_list(
        "participant__institution_id", "evaluation__round_id", "verdict"
    ):
        verdicts[inst].append((rid, verdict))
    missed_rows = (
        Participant.objects.filter(institution__in=insts, round__mandatory=True)
        .exclude(submissions__isnull=False)
        .values_list("institution_id", "round_id", "round__code")
    )
    missed = _grouped_tuples(missed_rows)

    def one(inst: int, day: dt.date) -> Evidence:
        start = add_months(day, -36)
        window = {rid for rid, dates in evaluated.items() if any(start <= d <= day for d in dates)}
        mine = [v for rid, v in verdicts[inst] if rid in window]
        num, den = sum(1 for v in mine if v == LabResult.Verdict.SATISFACTORY), len(mine)
        codes = sorted(code for rid, code in missed[inst] if rid in window)
        if codes:
            value = Decimal("0.0")
        elif den == 0:
            return Evidence(None, (), _("近三年无比对结果"))
        else:
            value = (Decimal(100 * num) / Decimal(den)).quantize(Decimal("0.1"))
        return Evidence(
            float(value),
            tuple(_("必须参加未提交：%(code)s") % {"code": c} for c in codes),
            _("%(num)s/%(den)s 个比对结果 |En|≤1") % {"num": num, "den": den},
        )

    return _each(insts, days, one)


def _grouped_tuples(rows: Iterable[tuple[int, int, str]]) -> defaultdict[int, list[tuple[int, str]]]:
    out: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    for inst, rid, code in rows:
        out[inst].append((rid, code))
    return out


def research_projects(insts: Sequence[Institution], days: Sequence[dt.date]) -> dict[Key, Evidence]:
    rows = ResearchProject.objects.filter(institution__in=insts, approved_on__isnull=False).exclude(
        funding_level="other"
    )
    held = _grouped(rows.order_by("approved_on", "pk"))

    def one(inst: int, day: dt.date) -> Evidence:
        names = [f"{p.title}（{p.approved_on}）" for p in held[inst] if p.approved_on <= day]
        return Evidence(float(len(names)), tuple(names[:SHOWN]))

    return _each(insts, days, one)


BATCHES: dict[str, Batch] = {
    "public_standards": public_standards,
    "disciplines": disciplines,
    "rm_coverage": rm_coverage,
    "level1_registered": level1_registered,
    "authorised_items": authorised_items,
    "staffed_items": staffed,
    "overdue_findings": overdue_findings,
    "comparison_satisfaction": comparison_satisfaction,
    "research_projects": research_projects,
}
