"""Indicator values derived from the registry: one small function per indicator code (domain.md §5.2).

Each function takes an institution and a period and returns a :class:`Derived` (value and provenance:
method, numerator, denominator, the records counted) or ``None`` when the registry cannot answer (e.g. no
verification staff, no certificate sample); the caller then falls back to the next source. All as-of
logic is the registry's (``employed_on``, ``public_valid_on``, ``authorised_on``, ``open_on`` …): counts
are taken on the period's as-of date, flows ("in period") between its first and last day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Min, Q

from qiangji.web.assessment.models import Period
from qiangji.web.registry.models import (
    IndustryService,
    Institution,
    InstitutionMVItem,
    LabPlatform,
    MeasurementStandard,
    ResearchOutput,
    ResearchProject,
    RMRegistration,
    SupervisionFinding,
    VerificationCertificate,
)
from qiangji.web.registry.traceability import Issue, traceability_report
from qiangji.web.registry.validators import reexam_deadline

# JJF 1022 first-level codes of the main disciplines counted by C2.1 (domain.md §5.2).
MAIN_DISCIPLINES = ("01", "04", "12", "15", "23", "25", "28", "33", "37", "46")
INDUSTRY_TYPES = (IndustryService.ServiceType.CALIBRATION, IndustryService.ServiceType.TESTING)
MIN_SAMPLE = 20


@dataclass(frozen=True)
class Derived:
    """A derived value with its provenance."""

    value: float
    method: str
    numerator: float | None = None
    denominator: float | None = None
    records: tuple[str, ...] = ()
    detail: str = ""

    def provenance(self) -> dict[str, Any]:
        return {
            "source": "derived",
            "method": self.method,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "records": list(self.records),
            "detail": self.detail,
        }


def count(method: str, rows: Iterable[Any], detail: str = "") -> Derived:
    labels = tuple(str(r) for r in rows)
    return Derived(float(len(labels)), method, float(len(labels)), None, labels, detail)


def ratio(
    method: str, hits: int, total: int, records: Iterable[str] = (), detail: str = ""
) -> Derived | None:
    """100 · hits / total, or ``None`` when ``total`` is 0."""
    if total == 0:
        return None
    return Derived(100.0 * hits / total, method, float(hits), float(total), tuple(records), detail)


def full_score(method: str, detail: str) -> Derived:
    """ "Not applicable → full score" (domain.md §5.2, D2.3), with the reason in the detail."""
    return Derived(100.0, method, 0.0, 0.0, (), detail)


# --- D1 mandatory verification -------------------------------------------------------------------------
def d1_1(inst: Institution, period: Period) -> Derived:
    items = InstitutionMVItem.objects.authorised_on(period.as_of).filter(institution=inst)
    names = sorted({str(i.item) for i in items.select_related("item")})
    return count("授权强检项目（目录二级）数，基准日有效", names)


# --- D2 public standards ---------------------------------------------------------------------------------
def d2_1(inst: Institution, period: Period) -> Derived:
    rows = MeasurementStandard.objects.public_valid_on(period.as_of).filter(institution=inst)
    return count(
        "基准日持有效考核证书的社会公用计量标准数", (f"{s.assessment_cert_no} {s.name}" for s in rows)
    )


def d2_2(inst: Institution, period: Period) -> Derived:
    """Standards whose first assessment certificate (current or archived) was issued in the period."""
    rows = MeasurementStandard.objects.filter(institution=inst).annotate(
        first_prev=Min("previous_assessments__issued_on")
    )
    new = []
    for s in rows:
        issued = [d for d in (s.first_prev, s.assessment_issued_on) if d is not None]
        if issued and period.start <= min(issued) <= period.end:
            new.append(s.name)
    return count("期内首次取得考核证书的计量标准数", new, "扩项未在登记库中记录")


def d2_3(inst: Institution, period: Period) -> Derived:
    """Re-examinations applied on time, among standards expiring within 12 months whose case is settled.

    Denominator: standards valid on the as-of date whose certificate expires within the next 12 months and
    whose application deadline has passed or which have applied already; numerator: applied on or before
    the deadline (``REEXAM_LEAD_MONTHS`` before expiry). None due → full score (domain.md §5.2).
    """
    day = period.as_of
    horizon = day.replace(year=day.year + 1) if not (day.month == 2 and day.day == 29) else day
    rows = MeasurementStandard.objects.valid_on(day).filter(
        institution=inst, assessment_expires_on__gt=day, assessment_expires_on__lte=horizon
    )
    due, on_time = [], []
    for s in rows:
        deadline = reexam_deadline(s.assessment_expires_on)
        applied = s.reexam_applied_on if s.reexam_applied_on and s.reexam_applied_on <= day else None
        if applied or deadline < day:
            due.append(s.name)
            if applied and applied <= deadline:
                on_time.append(s.name)
    method = "按期申请复查考核的标准数 / 12个月内到期且已到申请期限的标准数"
    return ratio(method, len(on_time), len(due), due) or full_score(method, "无到期应申请的标准，按满分计")


# --- D3 registered metrologists --------------------------------------------------------------------------
def d3_1(inst: Institution, period: Period) -> Derived | None:
    day = period.as_of
    staff = inst.verification_staff_on(day)
    registered = list(staff.registered_on(day).values_list("name", flat=True))
    cov = inst.rm_coverage_on(day, "verification")
    return ratio("持有效注册的检定/校准人员 / 在岗检定/校准人员", cov.numerator, cov.denominator, registered)


def d3_2(inst: Institution, period: Period) -> Derived:
    day = period.as_of
    regs = RMRegistration.objects.valid_on(day).filter(level=1, staff__in=inst.staff_on(day))
    return count("基准日在岗且持有效一级注册的人数", sorted(set(regs.values_list("staff__name", flat=True))))


def d3_3(inst: Institution, period: Period) -> Derived | None:
    """Training hours per technical staff member from the programme's attendance records (if installed)."""
    if not apps.is_installed("qiangji.web.programme"):
        return None
    from qiangji.web.programme.indicators import training_hours_per_technical

    got = training_hours_per_technical(inst, period.start, period.end, period.as_of)
    if got is None:
        return None
    method = "期内培训到课学时合计 / 基准日在岗技术人员数"
    return Derived(got.value, method, got.hours, float(got.technical_staff), got.sessions)


# --- D4 industrial service --------------------------------------------------------------------------------
def _services(inst: Institution, period: Period) -> Any:
    quarters = Q()
    for year, quarter in period.quarters():
        quarters |= Q(year=year, quarter=quarter)
    return IndustryService.objects.filter(quarters, institution=inst, service_type__in=INDUSTRY_TYPES)


def d4_1(inst: Institution, period: Period) -> Derived:
    names = sorted(set(_services(inst, period).values_list("enterprise", flat=True)))
    return count("期内接受校准/检测服务的企业数（去重）", names)


def d4_2(inst: Institution, period: Period) -> Derived:
    total = sum(_services(inst, period).values_list("certificates", flat=True))
    return Derived(float(total), "期内出具的校准证书与检测报告份数", float(total), None)


# --- D5 key lab and research --------------------------------------------------------------------------------
def d5_1(inst: Institution, period: Period) -> Derived:
    level = LabPlatform.highest_level_on(inst, period.as_of)
    names = LabPlatform.objects.active_on(period.as_of).filter(institution=inst, level=level)
    return Derived(float(level), "基准日有效的最高平台级别（0无/1市/2省/3国家）", None, None,
                   tuple(p.name for p in names))  # fmt: skip


def d5_2(inst: Institution, period: Period) -> Derived:
    rows = ResearchProject.objects.filter(
        institution=inst, approved_on__gte=period.start, approved_on__lte=period.end
    ).exclude(funding_level="other")
    return count("期内市级及以上立项的科研项目数", (p.title for p in rows))


def d5_3(inst: Institution, period: Period) -> Derived:
    rows = ResearchOutput.objects.filter(
        institution=inst, published_on__gte=period.start, published_on__lte=period.end
    )
    return count("期内发表/授权/发布的科研成果数", (o.title for o in rows))


# --- D6 compliance: findings, disciplines, staffing ---------------------------------------------------------
def c1_2(inst: Institution, period: Period) -> Derived:
    rows = SupervisionFinding.objects.filter(
        institution=inst, due_on__gte=period.start, due_on__lte=period.end
    )
    late = [str(f) for f in rows if not (f.closed_on and f.closed_on <= f.due_on)]
    method = "整改期限在期内且按期关闭的问题数 / 整改期限在期内的问题数"
    total = rows.count()
    return ratio(method, total - len(late), total, late) or full_score(method, "期内无到期整改问题，按满分计")


def c2_1(inst: Institution, period: Period) -> Derived:
    codes = MeasurementStandard.objects.valid_on(period.as_of).filter(institution=inst)
    found = sorted({c[:2] for c in codes.values_list("jjf1022_code", flat=True)} & set(MAIN_DISCIPLINES))
    return count("基准日有效计量标准覆盖的主要计量专业数（JJF 1022一级代码）", found)


def c2_2(inst: Institution, period: Period) -> Derived | None:
    """Authorised items with at least ``MIN_STAFF_PER_STANDARD`` registered staff holding the item."""
    day = period.as_of
    regs = list(RMRegistration.objects.valid_on(day).filter(staff__in=inst.staff_on(day)))
    minimum = settings.QIANGJI["MIN_STAFF_PER_STANDARD"]
    items = InstitutionMVItem.objects.authorised_on(day).filter(institution=inst).select_related("item")
    short = []
    catalogue = {i.item_id: i.item for i in items}
    for item in catalogue.values():
        holders = {
            r.staff_id for r in regs if r.covers_item(item.level2_name) or r.covers_item(item.level1_name)
        }
        if len(holders) < minimum:
            short.append(str(item))
    method = f"配备≥{minimum}名持该专业项目注册人员的授权项目 / 授权项目"
    return ratio(method, len(catalogue) - len(short), len(catalogue), short, "记录为人员不足的项目")


def c3_2(inst: Institution, period: Period) -> Derived | None:
    """Comparison satisfaction from the comparisons app (|En| ≤ 1; a missed mandatory round scores 0)."""
    if not apps.is_installed("qiangji.web.comparisons"):
        return None
    from qiangji.web.comparisons.indicators import satisfaction_rate

    value, num, den, detail = satisfaction_rate(inst, period.start, period.end)
    if value is None:
        return None
    missed = detail["missed_mandatory"]
    records = [f"{r['round']} {r['point']} En={r['en']} {r['verdict']}" for r in detail["results"]]
    return Derived(
        0.0 if missed else 100.0 * num / den,
        "|En|≤1 的比对结果数 / 比对结果数（必须参加而未提交的比对计0）",
        float(num),
        float(den),
        (*records, *(f"未提交：{code}" for code in missed)),
    )


# --- certificate sample: TR-1…TR-8 (domain.md §2.6) ---------------------------------------------------
@dataclass
class Sample:
    """The certificate sample of an institution in a period: each certificate's TR issues and gaps."""

    issues: dict[str, list[Issue]] = field(default_factory=dict)
    incomplete: set[str] = field(default_factory=set)

    def rate(self, code: str) -> Derived | None:
        method, rules = SAMPLE_RULES[code]
        if rules == ("elements",):
            failed = sorted(self.incomplete)
        else:
            failed = sorted(
                n for n, iss in self.issues.items() if any(not rules or i.rule in rules for i in iss)
            )
        detail = "" if len(self.issues) >= MIN_SAMPLE else f"抽样数少于{MIN_SAMPLE}份"
        return ratio(method, len(self.issues) - len(failed), len(self.issues), failed, detail)


def certificate_sample(inst: Institution, period: Period) -> Sample:
    """Certificates issued by ``inst`` in the period, checked against TR-1…TR-8 as of their dates."""
    rows = VerificationCertificate.objects.filter(
        institution=inst, verified_on__gte=period.start, verified_on__lte=period.end
    )
    issues = traceability_report(rows)
    sample = Sample()
    for c in rows.prefetch_related("standards").only(
        "pk", "cert_no", "record_no", "temperature_c", "humidity_pct"
    ):
        sample.issues[c.cert_no] = issues[c.pk]
        if (
            not c.record_no.strip()
            or not c.standards.all()
            or c.temperature_c is None
            or c.humidity_pct is None
        ):
            sample.incomplete.add(c.cert_no)
    return sample


# code → (method, TR rules whose breach fails a certificate; () = any rule; ("elements",) = data elements)
SAMPLE_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "C3.1": ("抽查证书全部符合TR-1至TR-8的份数 / 抽查份数", ()),
    "C3.3": ("签字人员资质符合（TR-3）的份数 / 抽查份数", ("TR-3",)),
    "C4.1": ("证书要素（原始记录号、所用计量标准、温湿度）齐全的份数 / 抽查份数", ("elements",)),
    "C4.2": ("所用计量标准及标准器证书有效（TR-1、TR-2）的份数 / 抽查份数", ("TR-1", "TR-2")),
    "C4.3": ("引用现行有效规程（TR-4）的份数 / 抽查份数", ("TR-4",)),
    "C4.4": ("环境条件已记录且符合规程（TR-5）的份数 / 抽查份数", ("TR-5",)),
}

Deriver = Callable[[Institution, Period], Derived | None]
DERIVERS: dict[str, Deriver] = {
    "D1.1": d1_1,
    "D2.1": d2_1,
    "D2.2": d2_2,
    "D2.3": d2_3,
    "D3.1": d3_1,
    "D3.2": d3_2,
    "D3.3": d3_3,
    "D4.1": d4_1,
    "D4.2": d4_2,
    "D5.1": d5_1,
    "D5.2": d5_2,
    "D5.3": d5_3,
    "C1.2": c1_2,
    "C2.1": c2_1,
    "C2.2": c2_2,
    "C3.2": c3_2,
}
