"""Indicators derived from the registry: one batch deriver per indicator code (docs/domain.md#indicators).

Each function takes the institutions of a period and the period, and returns per institution id a
:class:`~qiangji.web.indicators.Derived` (value and provenance: method, numerator, denominator, the records
counted) or ``None`` when the registry cannot answer (e.g. no verification staff); the caller then falls
back to the next source. A function reads its indicator family for all institutions in one query (a few for
the as-of joins), so a period costs the same number of queries whatever the number of institutions.
All as-of logic is the registry's (``employed_on``, ``public_valid_on``, ``authorised_on``, ``open_on`` …):
counts are taken on the period's as-of date, flows ("in period") between its first and last day.
:func:`register_indicators` declares them in the indicator registry (:mod:`qiangji.web.indicators`) when
the app is ready; the certificate-sample indicators are in :mod:`qiangji.web.registry.samples`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import F, Min, Q
from django.utils.translation import gettext_noop

from qiangji.web import indicators
from qiangji.web.indicators import Derived, count, full_score, ratio
from qiangji.web.registry.items import ItemMatcher
from qiangji.web.registry.models import (
    IndustryService,
    Institution,
    InstitutionMVItem,
    LabPlatform,
    MeasurementStandard,
    ResearchOutput,
    ResearchProject,
    RMRegistration,
    Staff,
    SupervisionFinding,
    rm_coverage,
)
from qiangji.web.registry.models.institution import coverage_group
from qiangji.web.registry.validators import reexam_deadline
from qiangji.web.stored_texts import ANNUAL_VOLUMES, STAFFED_ITEMS

# JJF 1022 first-level codes of the main disciplines counted by C2.1 (docs/domain.md#indicators).
MAIN_DISCIPLINES = ("01", "04", "12", "15", "23", "25", "28", "33", "37", "46")
INDUSTRY_TYPES = (IndustryService.ServiceType.CALIBRATION, IndustryService.ServiceType.TESTING)

Insts = Sequence[Institution]
Period = Any  # an assessment period: ``as_of``, ``start``, ``end``, ``code``, ``quarters()``


def _ids(insts: Insts) -> list[int]:
    return [i.pk for i in insts]


def _grouped(rows: Iterable[Any], key: str = "institution_id") -> defaultdict[int, list[Any]]:
    """Rows by institution id, each group in the queryset's order."""
    out: defaultdict[int, list[Any]] = defaultdict(list)
    for r in rows:
        out[getattr(r, key) if not isinstance(r, tuple) else r[0]].append(r)
    return out


def _counts(insts: Insts, method: str, groups: dict[int, list[Any]], detail: str = "") -> dict[int, Any]:
    return {i.pk: count(method, groups.get(i.pk, []), detail) for i in insts}


def _employed(insts: Insts, day: Any) -> Any:
    return Staff.objects.employed_on(day).filter(institution__in=_ids(insts))


# --- D1 mandatory verification -------------------------------------------------------------------------
def d1_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    items = InstitutionMVItem.objects.authorised_on(period.as_of).filter(institution__in=_ids(insts))
    groups = _grouped(items.select_related("item"))
    names = {pk: sorted({str(i.item) for i in rows}) for pk, rows in groups.items()}
    return _counts(insts, gettext_noop("授权强检项目（目录二级）数，基准日有效"), names)


# --- D2 public standards ---------------------------------------------------------------------------------
def d1_3_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Mandatory verifications in the period from the annual volumes stored with the authorised items
    (计量授权证书附表): Σ annual volume of the items authorised on the as-of date × the period's fraction
    of a year (whole months / 12), rounded to whole verifications. None for an institution with no volume
    stored, so its reported value counts (issue 15: the stored volumes were not used)."""
    fraction = period.year_fraction
    items = InstitutionMVItem.objects.authorised_on(period.as_of).filter(
        institution__in=_ids(insts), annual_volume__isnull=False
    )
    groups = _grouped(items.select_related("item"))
    out: dict[int, Derived | None] = {}
    for inst in insts:
        rows = groups.get(inst.pk, [])
        total = sum(int(r.annual_volume) for r in rows)
        out[inst.pk] = (
            Derived(
                float(round(total * fraction)),
                gettext_noop("授权强检项目年检定量之和 × 期间占全年比例"),
                float(total),
                None,
                tuple(f"{r.item} {r.annual_volume}" for r in rows),
                ANNUAL_VOLUMES.zh(total=total, fraction=f"{fraction:g}"),
            )
            if rows
            else None
        )
    return out


def d2_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = MeasurementStandard.objects.public_valid_on(period.as_of).filter(institution__in=_ids(insts))
    labels = _grouped(
        (s.institution_id, f"{s.assessment_cert_no} {s.name}")
        for s in rows.only("institution_id", "assessment_cert_no", "name")
    )
    method = gettext_noop("基准日持有效考核证书的社会公用计量标准数")
    return _counts(insts, method, {pk: [lab for _i, lab in v] for pk, v in labels.items()})


def d2_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Standards whose first assessment certificate (current or archived) was issued in the period."""
    rows = MeasurementStandard.objects.filter(institution__in=_ids(insts)).annotate(
        first_prev=Min("previous_assessments__issued_on")
    )
    new: defaultdict[int, list[str]] = defaultdict(list)
    for s in rows:
        issued = [d for d in (s.first_prev, s.assessment_issued_on) if d is not None]
        if issued and period.start <= min(issued) <= period.end:
            new[s.institution_id].append(s.name)
    return _counts(
        insts, gettext_noop("期内首次取得考核证书的计量标准数"), new, gettext_noop("扩项未在登记库中记录")
    )


def d2_3_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Re-examinations applied on time, among standards expiring within 12 months whose case is settled.

    Denominator: standards valid on the as-of date whose certificate expires within the next 12 months and
    whose application deadline has passed or which have applied already; numerator: applied on or before
    the deadline (``REEXAM_LEAD_MONTHS`` before expiry). None due → full score (docs/domain.md#indicators).
    """
    day = period.as_of
    horizon = day.replace(year=day.year + 1) if not (day.month == 2 and day.day == 29) else day
    rows = MeasurementStandard.objects.valid_on(day).filter(
        institution__in=_ids(insts), assessment_expires_on__gt=day, assessment_expires_on__lte=horizon
    )
    due: defaultdict[int, list[str]] = defaultdict(list)
    on_time: defaultdict[int, list[str]] = defaultdict(list)
    for s in rows:
        deadline = reexam_deadline(s.assessment_expires_on)
        applied = s.reexam_applied_on if s.reexam_applied_on and s.reexam_applied_on <= day else None
        if applied or deadline < day:
            due[s.institution_id].append(s.name)
            if applied and applied <= deadline:
                on_time[s.institution_id].append(s.name)
    method = gettext_noop("按期申请复查考核的标准数 / 12个月内到期且已到申请期限的标准数")
    return {
        i.pk: ratio(method, len(on_time[i.pk]), len(due[i.pk]), due[i.pk])
        or full_score(method, gettext_noop("无到期应申请的标准，按满分计"))
        for i in insts
    }


# --- D3 registered metrologists --------------------------------------------------------------------------
def d3_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Registered-metrologist coverage on the as-of date (:func:`rm_coverage`, the denominator group of
    ``RM_COVERAGE_DENOMINATOR``), batched: the staff employed that day and their registrations."""
    day = period.as_of
    staff = _employed(insts, day).prefetch_related("registrations")
    groups = _grouped(staff)
    method = coverage_method()
    out: dict[int, Derived | None] = {}
    for i in insts:
        cov = rm_coverage(groups.get(i.pk, []), day)
        out[i.pk] = ratio(method, cov.numerator, cov.denominator, cov.registered)
    return out


COVERAGE_METHODS = {
    "verification": gettext_noop("持有效注册的检定/校准人员 / 在岗检定/校准人员"),
    "technical": gettext_noop("持有效注册的技术人员 / 在岗技术人员"),
    "all": gettext_noop("持有效注册的人员 / 在岗人员"),
}


def coverage_method() -> str:
    return COVERAGE_METHODS[coverage_group(None)]


def d3_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    day = period.as_of
    regs = RMRegistration.objects.valid_on(day).filter(level=1, staff__in=_employed(insts, day))
    names: defaultdict[int, set[str]] = defaultdict(set)
    for inst_id, name in regs.values_list("staff__institution_id", "staff__name"):
        names[inst_id].add(name)
    method = gettext_noop("基准日在岗且持有效一级注册的人数")
    return _counts(insts, method, {pk: sorted(v) for pk, v in names.items()})


# --- D4 industrial service --------------------------------------------------------------------------------
def _services(insts: Insts, period: Period) -> Any:
    quarters = Q()
    for year, quarter in period.quarters():
        quarters |= Q(year=year, quarter=quarter)
    return IndustryService.objects.filter(
        quarters, institution__in=_ids(insts), service_type__in=INDUSTRY_TYPES
    )


def d4_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    names: defaultdict[int, set[str]] = defaultdict(set)
    for inst_id, enterprise in _services(insts, period).values_list("institution_id", "enterprise"):
        names[inst_id].add(enterprise)
    method = gettext_noop("期内接受校准/检测服务的企业数（去重）")
    return _counts(insts, method, {pk: sorted(v) for pk, v in names.items()})


def d4_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    totals: defaultdict[int, int] = defaultdict(int)
    for inst_id, n in _services(insts, period).values_list("institution_id", "certificates"):
        totals[inst_id] += n
    method = gettext_noop("期内出具的校准证书与检测报告份数")
    return {i.pk: Derived(float(totals[i.pk]), method, float(totals[i.pk]), None) for i in insts}


# --- D5 key lab and research --------------------------------------------------------------------------------
def d5_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Highest platform level active on the as-of date (``LabPlatform.highest_level_on``, batched)."""
    rows = LabPlatform.objects.active_on(period.as_of).filter(institution__in=_ids(insts))
    groups = _grouped(rows.order_by("institution", "-level", "-pk"))  # -pk: a stable order for ties
    method = gettext_noop("基准日有效的最高平台级别（0无/1市/2省/3国家）")
    out: dict[int, Derived | None] = {}
    for i in insts:
        rows = groups.get(i.pk, [])
        level = max((p.level for p in rows), default=0)
        out[i.pk] = Derived(float(level), method, None, None, tuple(p.name for p in rows if p.level == level))
    return out


def d5_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = ResearchProject.objects.filter(
        institution__in=_ids(insts), approved_on__gte=period.start, approved_on__lte=period.end
    ).exclude(funding_level="other")
    titles = {pk: [p.title for p in v] for pk, v in _grouped(rows).items()}
    return _counts(insts, gettext_noop("期内市级及以上立项的科研项目数"), titles)


def d5_3_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = ResearchOutput.objects.filter(
        institution__in=_ids(insts), published_on__gte=period.start, published_on__lte=period.end
    )
    titles = {pk: [o.title for o in v] for pk, v in _grouped(rows).items()}
    return _counts(insts, gettext_noop("期内发表/授权/发布的科研成果数"), titles)


# --- D6 compliance: findings, disciplines, staffing ---------------------------------------------------------
# Findings found on the same day are listed latest-closed first, open ones last, then newest row first: the
# order SQLite gave the per-institution query through its (institution, found_on, closed_on) index, made
# explicit so that every database lists them the same way (published snapshots keep their records order).
FINDING_TIES = (F("closed_on").desc(nulls_last=True), "-pk")


def c1_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = SupervisionFinding.objects.filter(
        institution__in=_ids(insts), due_on__gte=period.start, due_on__lte=period.end
    ).select_related("institution")
    groups = _grouped(rows.order_by("institution", "-found_on", *FINDING_TIES))
    method = gettext_noop("整改期限在期内且按期关闭的问题数 / 整改期限在期内的问题数")
    out: dict[int, Derived | None] = {}
    for i in insts:
        found = groups.get(i.pk, [])
        late = [str(f) for f in found if not (f.closed_on and f.closed_on <= f.due_on)]
        out[i.pk] = ratio(method, len(found) - len(late), len(found), late) or full_score(
            method, gettext_noop("期内无到期整改问题，按满分计")
        )
    return out


def c2_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = MeasurementStandard.objects.valid_on(period.as_of).filter(institution__in=_ids(insts))
    codes: defaultdict[int, set[str]] = defaultdict(set)
    for inst_id, code in rows.values_list("institution_id", "jjf1022_code"):
        codes[inst_id].add(code[:2])
    method = gettext_noop("基准日有效计量标准覆盖的主要计量专业数（JJF 1022一级代码）")
    return _counts(insts, method, {pk: sorted(v & set(MAIN_DISCIPLINES)) for pk, v in codes.items()})


def c2_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Authorised items with at least ``MIN_STAFF_PER_STANDARD`` registered staff holding the item (a
    registration item matches a catalogue item through the mapping table: :class:`~.items.ItemMatcher`)."""
    day = period.as_of
    regs = RMRegistration.objects.valid_on(day).filter(staff__in=_employed(insts, day))
    regs_of = _grouped((r.staff.institution_id, r) for r in regs.select_related("staff"))
    items = InstitutionMVItem.objects.authorised_on(day).filter(institution__in=_ids(insts))
    items_of = _grouped(items.select_related("item"))
    matcher = ItemMatcher()
    return {
        i.pk: staffed_items([r for _i, r in regs_of.get(i.pk, [])], items_of.get(i.pk, []), matcher)
        for i in insts
    }


def staffed_items(
    regs: list[RMRegistration], items: list[InstitutionMVItem], matcher: ItemMatcher
) -> Derived | None:
    minimum = settings.QIANGJI["MIN_STAFF_PER_STANDARD"]
    catalogue = {i.item_id: i.item for i in items}
    short = []
    for item in catalogue.values():
        holders = {r.staff_id for r in regs if matcher.covers(r.professional_items, item)}
        if len(holders) < minimum:
            short.append(str(item))
    method = STAFFED_ITEMS.zh(minimum=minimum)
    return ratio(
        method, len(catalogue) - len(short), len(catalogue), short, gettext_noop("记录为人员不足的项目")
    )


def register_indicators() -> None:
    """Declare the registry-derived indicators (called from ``RegistryConfig.ready``)."""
    for code, fn in DERIVED.items():
        indicators.register(code, source="derived", derive=fn)
    indicators.register("D3.1", source=("derived", "reported"), derive=d3_1_all)
    indicators.register("D1.3", source=("derived", "reported"), derive=d1_3_all, demo_reported=True)


DERIVED = {
    "D1.1": d1_1_all,
    "D2.1": d2_1_all,
    "D2.2": d2_2_all,
    "D2.3": d2_3_all,
    "D3.2": d3_2_all,
    "D4.1": d4_1_all,
    "D4.2": d4_2_all,
    "D5.1": d5_1_all,
    "D5.2": d5_2_all,
    "D5.3": d5_3_all,
    "C1.2": c1_2_all,
    "C2.1": c2_1_all,
    "C2.2": c2_2_all,
}
