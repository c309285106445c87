"""Indicator values derived from the registry: one small function per indicator code
(docs/domain.md#indicators).

Each function takes the institutions of a period and the period, and returns per institution id a
:class:`Derived` (value and provenance: method, numerator, denominator, the records counted) or ``None``
when the registry cannot answer (e.g. no verification staff, no certificate sample); the caller then falls
back to the next source. A function reads its indicator family for all institutions in one query (a few for
the as-of joins), so a period costs the same number of queries whatever the number of institutions.
All as-of logic is the registry's (``employed_on``, ``public_valid_on``, ``authorised_on``, ``open_on`` …):
counts are taken on the period's as-of date, flows ("in period") between its first and last day.

``d1_1(inst, period)`` and the other per-indicator names answer for one institution (the same code path
with a one-element list); :data:`BATCH_DERIVERS` holds the batched functions :func:`build_inputs` calls.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, F, Min, OuterRef, Q

from qiangji.web.assessment.models import Period
from qiangji.web.registry import audit
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
)
from qiangji.web.registry.validators import reexam_deadline

# JJF 1022 first-level codes of the main disciplines counted by C2.1 (docs/domain.md#standards).
MAIN_DISCIPLINES = ("01", "04", "12", "15", "23", "25", "28", "33", "37", "46")
INDUSTRY_TYPES = (IndustryService.ServiceType.CALIBRATION, IndustryService.ServiceType.TESTING)
MIN_SAMPLE = 20

Insts = Sequence[Institution]


@dataclass(frozen=True)
class Derived:
    """A derived value with its provenance."""

    value: float
    method: str
    numerator: float | None = None
    denominator: float | None = None
    records: tuple[str, ...] = ()
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. a sampled audit's seed and drawn certificates

    def provenance(self) -> dict[str, Any]:
        return {
            "source": "derived",
            "method": self.method,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "records": list(self.records),
            "detail": self.detail,
            **self.extra,
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
    """ "Not applicable → full score" (docs/domain.md#scoring, D2.3), with the reason in the detail."""
    return Derived(100.0, method, 0.0, 0.0, (), detail)


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
    return _counts(insts, "授权强检项目（目录二级）数，基准日有效", names)


# --- D2 public standards ---------------------------------------------------------------------------------
def d2_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = MeasurementStandard.objects.public_valid_on(period.as_of).filter(institution__in=_ids(insts))
    labels = _grouped(
        (s.institution_id, f"{s.assessment_cert_no} {s.name}")
        for s in rows.only("institution_id", "assessment_cert_no", "name")
    )
    method = "基准日持有效考核证书的社会公用计量标准数"
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
    return _counts(insts, "期内首次取得考核证书的计量标准数", new, "扩项未在登记库中记录")


def d2_3_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Re-examinations applied on time, among standards expiring within 12 months whose case is settled.

    Denominator: standards valid on the as-of date whose certificate expires within the next 12 months and
    whose application deadline has passed or which have applied already; numerator: applied on or before
    the deadline (``REEXAM_LEAD_MONTHS`` before expiry). None due → full score (docs/domain.md#scoring).
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
    method = "按期申请复查考核的标准数 / 12个月内到期且已到申请期限的标准数"
    return {
        i.pk: ratio(method, len(on_time[i.pk]), len(due[i.pk]), due[i.pk])
        or full_score(method, "无到期应申请的标准，按满分计")
        for i in insts
    }


# --- D3 registered metrologists --------------------------------------------------------------------------
def d3_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Registered among verification staff on the as-of date (``Institution.rm_coverage_on``, batched)."""
    day = period.as_of
    valid = RMRegistration.objects.valid_on(day).filter(staff=OuterRef("pk"))
    staff = _employed(insts, day).filter(is_verification=True).annotate(registered=Exists(valid))
    groups = _grouped(staff.only("institution_id", "name"))
    method = "持有效注册的检定/校准人员 / 在岗检定/校准人员"
    out: dict[int, Derived | None] = {}
    for i in insts:
        rows = groups.get(i.pk, [])
        names = [s.name for s in rows if s.registered]
        out[i.pk] = ratio(method, len(names), len(rows), names)
    return out


def d3_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    day = period.as_of
    regs = RMRegistration.objects.valid_on(day).filter(level=1, staff__in=_employed(insts, day))
    names: defaultdict[int, set[str]] = defaultdict(set)
    for inst_id, name in regs.values_list("staff__institution_id", "staff__name"):
        names[inst_id].add(name)
    method = "基准日在岗且持有效一级注册的人数"
    return _counts(insts, method, {pk: sorted(v) for pk, v in names.items()})


def d3_3_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Training hours per technical staff member from the programme's attendance records (if installed)."""
    if not apps.is_installed("qiangji.web.programme"):
        return {i.pk: None for i in insts}
    from qiangji.web.programme.indicators import training_hours_all

    got = training_hours_all(insts, period.start, period.end, period.as_of)
    method = "期内培训到课学时合计 / 基准日在岗技术人员数"
    return {
        pk: None if g is None else Derived(g.value, method, g.hours, float(g.technical_staff), g.sessions)
        for pk, g in got.items()
    }


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
    method = "期内接受校准/检测服务的企业数（去重）"
    return _counts(insts, method, {pk: sorted(v) for pk, v in names.items()})


def d4_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    totals: defaultdict[int, int] = defaultdict(int)
    for inst_id, n in _services(insts, period).values_list("institution_id", "certificates"):
        totals[inst_id] += n
    method = "期内出具的校准证书与检测报告份数"
    return {i.pk: Derived(float(totals[i.pk]), method, float(totals[i.pk]), None) for i in insts}


# --- D5 key lab and research --------------------------------------------------------------------------------
def d5_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Highest platform level active on the as-of date (``LabPlatform.highest_level_on``, batched)."""
    rows = LabPlatform.objects.active_on(period.as_of).filter(institution__in=_ids(insts))
    groups = _grouped(rows.order_by("institution", "-level", "-pk"))  # -pk: a stable order for ties
    method = "基准日有效的最高平台级别（0无/1市/2省/3国家）"
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
    return _counts(insts, "期内市级及以上立项的科研项目数", titles)


def d5_3_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = ResearchOutput.objects.filter(
        institution__in=_ids(insts), published_on__gte=period.start, published_on__lte=period.end
    )
    titles = {pk: [o.title for o in v] for pk, v in _grouped(rows).items()}
    return _counts(insts, "期内发表/授权/发布的科研成果数", titles)


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
    method = "整改期限在期内且按期关闭的问题数 / 整改期限在期内的问题数"
    out: dict[int, Derived | None] = {}
    for i in insts:
        found = groups.get(i.pk, [])
        late = [str(f) for f in found if not (f.closed_on and f.closed_on <= f.due_on)]
        out[i.pk] = ratio(method, len(found) - len(late), len(found), late) or full_score(
            method, "期内无到期整改问题，按满分计"
        )
    return out


def c2_1_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = MeasurementStandard.objects.valid_on(period.as_of).filter(institution__in=_ids(insts))
    codes: defaultdict[int, set[str]] = defaultdict(set)
    for inst_id, code in rows.values_list("institution_id", "jjf1022_code"):
        codes[inst_id].add(code[:2])
    method = "基准日有效计量标准覆盖的主要计量专业数（JJF 1022一级代码）"
    return _counts(insts, method, {pk: sorted(v & set(MAIN_DISCIPLINES)) for pk, v in codes.items()})


def c2_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Authorised items with at least ``MIN_STAFF_PER_STANDARD`` registered staff holding the item."""
    day = period.as_of
    regs = RMRegistration.objects.valid_on(day).filter(staff__in=_employed(insts, day))
    regs_of = _grouped((r.staff.institution_id, r) for r in regs.select_related("staff"))
    items = InstitutionMVItem.objects.authorised_on(day).filter(institution__in=_ids(insts))
    items_of = _grouped(items.select_related("item"))
    return {
        i.pk: _staffed_items([r for _i, r in regs_of.get(i.pk, [])], items_of.get(i.pk, [])) for i in insts
    }


def _staffed_items(regs: list[RMRegistration], items: list[InstitutionMVItem]) -> Derived | None:
    minimum = settings.QIANGJI["MIN_STAFF_PER_STANDARD"]
    catalogue = {i.item_id: i.item for i in items}
    short = []
    for item in catalogue.values():
        holders = {
            r.staff_id for r in regs if r.covers_item(item.level2_name) or r.covers_item(item.level1_name)
        }
        if len(holders) < minimum:
            short.append(str(item))
    method = f"配备≥{minimum}名持该专业项目注册人员的授权项目 / 授权项目"
    return ratio(method, len(catalogue) - len(short), len(catalogue), short, "记录为人员不足的项目")


def c3_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    """Comparison satisfaction from the comparisons app (|En| ≤ 1; a missed mandatory round scores 0).

    The comparisons app answers per institution (a handful of small queries each)."""
    if not apps.is_installed("qiangji.web.comparisons"):
        return {i.pk: None for i in insts}
    from qiangji.web.comparisons.indicators import satisfaction_rate

    out: dict[int, Derived | None] = {}
    for inst in insts:
        value, num, den, detail = satisfaction_rate(inst, period.start, period.end)
        if value is None:
            out[inst.pk] = None
            continue
        missed = detail["missed_mandatory"]
        records = [f"{r['round']} {r['point']} En={r['en']} {r['verdict']}" for r in detail["results"]]
        out[inst.pk] = Derived(
            0.0 if missed else 100.0 * num / den,
            "|En|≤1 的比对结果数 / 比对结果数（必须参加而未提交的比对计0）",
            float(num),
            float(den),
            (*records, *(f"未提交：{code}" for code in missed)),
        )
    return out


# --- certificate audit: TR-1…TR-8 (docs/domain.md#traceability) ---------------------------------------------
# The snapshot lists at most this many failing certificates per cell (the audit lists them all).
MAX_RECORDS = 200


@dataclass
class Sample:
    """The certificates of an institution in a period — every one of them, or the seeded sample when the
    office samples (``QIANGJI["CERTIFICATE_SAMPLE_SIZE"]``) — how many were checked and, for each failing
    one, the rules it breaks (``audit.ELEMENTS`` for a missing data element)."""

    checked: int = 0
    failing: dict[str, frozenset[str]] = field(default_factory=dict)
    drawn: dict[str, Any] = field(default_factory=dict)  # sampled: protocol, seed, size, certificates

    def rate(self, code: str) -> Derived | None:
        method, rules = SAMPLE_RULES[code]
        wanted = set(rules) if rules else set(audit.RULES)
        failed = sorted(n for n, broken in self.failing.items() if broken & wanted)
        notes = [] if self.checked >= MIN_SAMPLE else [f"抽样数少于{MIN_SAMPLE}份"]
        if len(failed) > MAX_RECORDS:
            notes.append(f"不符合{len(failed)}份，记录列出证书编号最小的{MAX_RECORDS}份")
        records = failed[:MAX_RECORDS]
        got = ratio(method, self.checked - len(failed), self.checked, records, "；".join(notes))
        return got if got is None or not self.drawn else replace(got, extra={"sample": self.drawn})


def sample_scope(insts: Insts, period: Period) -> audit.Scope:
    """The audit's scope for ``period``: every certificate, or (``QIANGJI["CERTIFICATE_SAMPLE_SIZE"]`` > 0)
    that many per institution and item drawn by :func:`audit.sample_rank` with a seed derived from the
    period code and ``QIANGJI["CERTIFICATE_SAMPLE_SEED"]``, so that recomputing a period draws the same."""
    size = settings.QIANGJI.get("CERTIFICATE_SAMPLE_SIZE", 0)
    seed = zlib.crc32(f"{period.code}:{settings.QIANGJI.get('CERTIFICATE_SAMPLE_SEED', 0)}".encode())
    inst = insts[0].pk if len(insts) == 1 else None
    return audit.Scope(period.start, period.end, inst, sample_size=size, seed=seed if size > 0 else 0)


def certificate_samples(insts: Insts, period: Period) -> dict[int, Sample]:
    """Every certificate each institution issued in the period (or the drawn sample, see
    :func:`sample_scope`), audited against TR-1…TR-8 as of its date by the set-based audit
    (registry/audit.py): counts per institution and the failing certificates only."""
    scope = sample_scope(insts, period)
    samples = {i.pk: Sample() for i in insts}
    if scope.sample_size > 0:
        protocol = {"protocol": "audit.sample_rank", "seed": scope.seed, "per_item": scope.sample_size}
        for s in samples.values():
            s.drawn = {**protocol, "certificates": []}
        for inst_id, cert_no in audit.drawn_certificates(scope):
            if inst_id in samples:
                samples[inst_id].drawn["certificates"].append(cert_no)
    for inst_id, n in audit.certificates_checked(scope).items():
        if inst_id in samples:
            samples[inst_id].checked = n
    for _pk, cert_no, inst_id, broken in audit.failing_certificates(scope):
        if inst_id in samples:
            samples[inst_id].failing[cert_no] = broken
    return samples


def certificate_sample(inst: Institution, period: Period) -> Sample:
    """One institution's :func:`certificate_samples`."""
    return certificate_samples([inst], period)[inst.pk]


# code → (method, TR rules whose breach fails a certificate; () = any rule; ("elements",) = data elements)
SAMPLE_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "C3.1": ("抽查证书全部符合TR-1至TR-8的份数 / 抽查份数", ()),
    "C3.3": ("签字人员资质符合（TR-3）的份数 / 抽查份数", ("TR-3",)),
    "C4.1": ("证书要素（原始记录号、所用计量标准、温湿度）齐全的份数 / 抽查份数", (audit.ELEMENTS,)),
    "C4.2": ("所用计量标准及标准器证书有效（TR-1、TR-2）的份数 / 抽查份数", ("TR-1", "TR-2")),
    "C4.3": ("引用现行有效规程（TR-4）的份数 / 抽查份数", ("TR-4",)),
    "C4.4": ("环境条件已记录且符合规程（TR-5）的份数 / 抽查份数", ("TR-5",)),
}

BatchDeriver = Callable[[Insts, Period], dict[int, Derived | None]]
Deriver = Callable[[Institution, Period], Derived | None]
BATCH_DERIVERS: dict[str, BatchDeriver] = {
    "D1.1": d1_1_all,
    "D2.1": d2_1_all,
    "D2.2": d2_2_all,
    "D2.3": d2_3_all,
    "D3.1": d3_1_all,
    "D3.2": d3_2_all,
    "D3.3": d3_3_all,
    "D4.1": d4_1_all,
    "D4.2": d4_2_all,
    "D5.1": d5_1_all,
    "D5.2": d5_2_all,
    "D5.3": d5_3_all,
    "C1.2": c1_2_all,
    "C2.1": c2_1_all,
    "C2.2": c2_2_all,
    "C3.2": c3_2_all,
}


def single(batch: BatchDeriver) -> Deriver:
    """The one-institution form of a batched deriver (same code path, a one-element list)."""

    def one(inst: Institution, period: Period) -> Derived | None:
        return batch([inst], period)[inst.pk]

    one.__name__ = batch.__name__.removesuffix("_all")
    one.__doc__ = batch.__doc__
    return one


DERIVERS: dict[str, Deriver] = {code: single(fn) for code, fn in BATCH_DERIVERS.items()}
d1_1, d2_1, d2_2, d2_3 = (DERIVERS[c] for c in ("D1.1", "D2.1", "D2.2", "D2.3"))
d3_1, d3_2, d3_3 = (DERIVERS[c] for c in ("D3.1", "D3.2", "D3.3"))
d4_1, d4_2, d5_1, d5_2, d5_3 = (DERIVERS[c] for c in ("D4.1", "D4.2", "D5.1", "D5.2", "D5.3"))
c1_2, c2_1, c2_2, c3_2 = (DERIVERS[c] for c in ("C1.2", "C2.1", "C2.2", "C3.2"))
