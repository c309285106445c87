"""Measurement standards, their assessment-certificate history, instruments and traceability certificates.

Each authorised mandatory-verification item has a public standard that verifies it; calibration standards
for local industry make up the rest of the profile's count. Assessment certificates last five years and
are renewed on re-examination (the history is kept); instrument certificates last a year. Planted:
withdrawn standards (TR-1 material), late instrument recalibrations leaving gaps (TR-2 material), lapsed
standards at declining institutions, and 黄岩's standard whose certificate expired on 2024-08-19, the day
before a certificate that still cites it, renewed only on 2024-09-12.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qiangji.demo.generate.common import (
    DEMO,
    END,
    HORIZON,
    START,
    add_months,
    add_years,
    choice,
    day_between,
    months_end,
    stream,
    year_end,
)
from qiangji.demo.generate.institutions import CITY, MERGED, MERGER_DAY, PROFILES, Profile
from qiangji.demo.generate.mv_items import disciplines
from qiangji.demo.generate.records import (
    AssessmentRec,
    CatalogueEntry,
    InstrumentCertRec,
    InstrumentRec,
    ItemKey,
    MVItemRec,
    StaffRec,
    StandardRec,
)
from qiangji.demo.generate.regulations import CALIBRATION_STANDARDS, RegulationBook, item_discipline

EXPIRED_INSTITUTION = "HY-MI"
EXPIRED_LAST_DAY = dt.date(2024, 8, 19)
EXPIRED_RENEWED = dt.date(2024, 9, 12)
HISTORY_FROM = dt.date(2021, 1, 1)  # older assessment and instrument certificates are not kept
RANGES = {
    "01": "（0～500）mm",
    "04": "（-40～300）℃",
    "12": "（0～60）MPa 或 （0～30）kg",
    "15": "（0～1000）V",
    "23": "（9 k～3 G）Hz",
    "25": "（0～24）h",
    "28": "（-20～+20）m⁻¹",
    "33": "（20～140）dB",
    "37": "（0.1～100）mGy",
    "46": "（0～100）%",
}


@dataclass(frozen=True)
class Gap:
    """A late recalibration: ``standard`` is not traceable (TR-2) from ``first`` to ``last``."""

    institution: str
    standard: str
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class _Plan:
    """What one standard will be, before its certificates and instruments are drawn."""

    name: str
    discipline: str
    code: str
    item: ItemKey | None
    regulation_base: str
    created: dt.date
    is_public: bool
    fate: str = "normal"  # normal / withdrawn / lapsed / expired_gap / absorbed
    fate_day: dt.date | None = None


def standards(
    seed: int,
    catalogue: Sequence[CatalogueEntry],
    items: Sequence[MVItemRec],
    book: RegulationBook,
    people: Sequence[StaffRec],
) -> tuple[tuple[StandardRec, ...], tuple[Gap, ...]]:
    entries = {e.key: e for e in catalogue}
    out: list[StandardRec] = []
    gaps: list[Gap] = []
    for profile in PROFILES:
        rng = stream(seed, "standards", profile.code)
        plans = _plans(rng, profile, [r for r in items if r.institution == profile.code], entries, book)
        staff = [p for p in people if p.institution == profile.code and p.is_verification]
        for n, plan in enumerate(plans, 1):
            std, gap = _standard(rng, profile, plan, n, book, staff)
            out.append(std)
            gaps += gap
    return tuple(out), tuple(gaps)


def _plans(
    rng: np.random.Generator,
    profile: Profile,
    items: Sequence[MVItemRec],
    entries: dict[ItemKey, CatalogueEntry],
    book: RegulationBook,
) -> list[_Plan]:
    plans = []
    for i, row in enumerate(sorted(items, key=lambda r: (r.item, r.authorised_from))):
        discipline, name = item_discipline(entries[row.item])
        created = row.authorised_from - dt.timedelta(days=int(rng.integers(20, 120)))
        if profile.code == "LH-MI" and row.authorised_from == MERGER_DAY:
            created = MERGER_DAY  # re-assessed under the successor on the merger day
        code = f"{discipline}{10 + i % 80:02d}{10 + i // 80:02d}00"
        plans.append(_Plan(name, discipline, code, row.item, book.item_base[row.item], created, True))
    plans += _calibration_plans(rng, profile, book, max(0, profile.standards - len(plans)))
    return _fates(rng, profile, plans)


def _calibration_plans(
    rng: np.random.Generator, profile: Profile, book: RegulationBook, count: int
) -> list[_Plan]:
    covered = set(disciplines(profile))
    templates = [(d, n) for d, n in CALIBRATION_STANDARDS if d in covered]
    new = {"improving": 6, "flat": 3, "declining": 1}[profile.trajectory] if profile.code != MERGED else 0
    plans = []
    for k in range(count + new + 2):  # +2: withdrawn before the programme
        discipline, name = templates[k % len(templates)]
        variant = k // len(templates)
        label = name if variant == 0 else f"{name}（第{variant + 1}套）"
        created = day_between(rng, dt.date(2006, 1, 1), dt.date(2022, 6, 30))
        if k >= count + 2:
            created = day_between(rng, START, dt.date(2025, 10, 31))
        code = f"{discipline}{90 - k % 40:02d}{10 + variant:02d}00"
        public = profile.code == CITY or bool(rng.random() < 0.6)
        plans.append(_Plan(label, discipline, code, None, book.calibration_base[name], created, public))
    return plans


def _fates(rng: np.random.Generator, profile: Profile, plans: list[_Plan]) -> list[_Plan]:
    """Withdrawn, lapsed, absorbed and the 黄岩 day-before expiry, by replacing plans."""
    old = [i for i, p in enumerate(plans) if p.item is None and p.created < START]
    for i in old[:2]:
        plans[i] = _with(plans[i], "withdrawn", day_between(rng, dt.date(2021, 3, 1), dt.date(2022, 10, 31)))
    if profile.trajectory == "declining":
        for i in old[2:5]:
            plans[i] = _with(
                plans[i], "withdrawn", day_between(rng, dt.date(2023, 4, 1), dt.date(2025, 9, 30))
            )
        plans[old[5]] = _with(
            plans[old[5]], "lapsed", day_between(rng, dt.date(2024, 3, 1), dt.date(2025, 6, 30))
        )
    if profile.code == MERGED:
        plans = [_with(p, "absorbed", MERGER_DAY) for p in plans]
    if profile.code == EXPIRED_INSTITUTION:
        first = next(i for i, p in enumerate(plans) if p.item is not None and p.created < START)
        plans[first] = _with(plans[first], "expired_gap", EXPIRED_LAST_DAY)
    return plans


def _with(plan: _Plan, fate: str, day: dt.date) -> _Plan:
    """``plan`` with a fate; a certificate ending on ``day`` (lapse) means it was issued five years before."""
    created = plan.created
    if fate in ("lapsed", "expired_gap"):
        created = add_years(day + dt.timedelta(days=1), -5)
    elif fate == "withdrawn":
        day = max(day, created + dt.timedelta(days=200))
    return _Plan(
        plan.name,
        plan.discipline,
        plan.code,
        plan.item,
        plan.regulation_base,
        created,
        plan.is_public,
        fate,
        day,
    )


def _standard(
    rng: np.random.Generator,
    profile: Profile,
    plan: _Plan,
    n: int,
    book: RegulationBook,
    staff: list[StaffRec],
) -> tuple[StandardRec, list[Gap]]:
    key = f"{profile.code}-STD{n:03d}"
    assessments = _assessments(rng, key, plan)
    status, since = "in_use", None
    if plan.fate in ("withdrawn", "absorbed"):
        status, since = "withdrawn", plan.fate_day
    late_quarters = _late_quarters(rng, profile) if plan.item is not None and plan.fate == "normal" else set()
    instruments, gap_days = _instruments(rng, profile, key, plan, late_quarters)
    gaps = [Gap(profile.code, key, a, b) for a, b in gap_days]
    team = _team(rng, staff, plan.created)
    std = StandardRec(
        institution=profile.code,
        key=key,
        name=plan.name,
        jjf1022_code=plan.code,
        is_public=plan.is_public,
        assessments=assessments,
        reexam_applied_on=_reexam(rng, profile, plan, assessments[-1]),
        status=status,
        status_since=since,
        measurement_range=RANGES[plan.discipline],
        uncertainty=choice(rng, ("U=0.05%，k=2", "0.02级", "MPE：±0.1%", "1级", "U=0.3℃，k=2")),
        regulations=_regulations(book, plan),
        staff=team,
        item=plan.item,
        instruments=instruments,
    )
    return std, gaps


def _assessments(rng: np.random.Generator, key: str, plan: _Plan) -> tuple[AssessmentRec, ...]:
    """Five-year certificates from creation, each renewed up to two months before the previous expires."""
    if plan.fate in ("expired_gap", "lapsed") and plan.fate_day is not None:
        periods = [(plan.created, plan.fate_day)]
        if plan.fate == "expired_gap":
            periods.append((EXPIRED_RENEWED, year_end(EXPIRED_RENEWED, 5)))
    else:
        stop = plan.fate_day if plan.fate in ("withdrawn", "absorbed") and plan.fate_day else END
        periods, issued = [], plan.created
        while True:
            periods.append((issued, year_end(issued, 5)))
            if periods[-1][1] >= stop:
                break
            issued = periods[-1][1] - dt.timedelta(days=int(rng.integers(0, 60)))
    rows = [AssessmentRec(f"〔{a.year}〕示例量标{key}-{k + 1}", a, b) for k, (a, b) in enumerate(periods)]
    return tuple([a for a in rows if a.expires_on >= HISTORY_FROM] or rows[-1:])


def _reexam(
    rng: np.random.Generator, profile: Profile, plan: _Plan, current: AssessmentRec
) -> dt.date | None:
    """Application for re-examination of the current certificate, if it expires within a year of END
    (recorded up to HORIZON: the 2026 periods see the applications made in 2026)."""
    if current.expires_on > add_months(END, 12) or plan.fate in ("withdrawn", "absorbed"):
        return None
    deadline = add_months(current.expires_on, -6)
    on_time = {"improving": 0.9, "flat": 0.8, "declining": 0.55}[profile.trajectory]
    draw = rng.random()
    if draw < on_time:
        day = day_between(rng, max(current.issued_on, add_months(current.expires_on, -12)), deadline)
    elif draw < on_time + 0.15:
        day = day_between(rng, deadline + dt.timedelta(days=1), current.expires_on)
    else:
        return None
    return day if day <= HORIZON else None  # an application after the end of the data is not known


def _regulations(book: RegulationBook, plan: _Plan) -> tuple[str, ...]:
    """Editions of its regulation in force at some time from its creation (or 2023) to END."""
    since = max(plan.created, START)
    return tuple(
        r.code
        for r in book.editions
        if r.base == plan.regulation_base
        and r.effective_from <= END
        and (r.superseded_on is None or r.superseded_on > since)
    )


def _team(rng: np.random.Generator, staff: list[StaffRec], created: dt.date) -> tuple[str, ...]:
    """Two or three responsible verification staff employed when the standard was set up (if any)."""
    day = max(created, START)
    pool = [p for p in staff if p.employed_on(day)] or staff
    size = min(len(pool), int(rng.integers(2, 4)))
    return tuple(sorted(pool[int(i)].staff_no for i in rng.choice(len(pool), size=size, replace=False)))


def _late_quarters(rng: np.random.Generator, profile: Profile) -> set[int]:
    """Quarters (0…11) in which an instrument of this standard is recalibrated late (TR-2 material)."""
    if rng.random() >= profile.defect_rate * 4:
        return set()
    return {int(rng.integers(0, 12))}


def _instruments(
    rng: np.random.Generator, profile: Profile, key: str, plan: _Plan, late: set[int]
) -> tuple[tuple[InstrumentRec, ...], list[tuple[dt.date, dt.date]]]:
    count = int(rng.integers(2, 5 if profile.archetype in ("small", "absorbed") else 7))
    issuer = (
        "中国计量科学研究院（示例）"
        if profile.code == CITY
        else choice(rng, ("浙江省计量科学研究院（示例）", "台州市计量技术研究院（示例）"))
    )
    rows, gaps = [], []
    for j in range(count):
        certs, gap = _instrument_certs(rng, key, j, issuer, plan, late if j == 0 else set())
        gaps += gap
        rows.append(
            InstrumentRec(
                name=f"{plan.name.replace('检定装置', '').replace('标准装置', '')}标准器{j + 1}",
                model=f"示例-{plan.discipline}{j + 1:02d}",
                serial_no=f"SN{int(rng.integers(10**6, 10**7))}",
                manufacturer=f"某某仪器有限公司{DEMO}",
                measurement_range=RANGES[plan.discipline],
                accuracy=choice(rng, ("0.01级", "U=0.02%，k=2", "E2等级", "MPE：±0.05%")),
                is_main=j == 0,
                certificates=certs,
            )
        )
    return tuple(rows), gaps


def _instrument_certs(
    rng: np.random.Generator, key: str, j: int, issuer: str, plan: _Plan, late: set[int]
) -> tuple[tuple[InstrumentCertRec, ...], list[tuple[dt.date, dt.date]]]:
    """Yearly certificates from before the programme (or creation) to END; a late quarter opens a gap."""
    start = max(plan.created - dt.timedelta(days=int(rng.integers(10, 40))), HISTORY_FROM)
    rows: list[InstrumentCertRec] = []
    gaps = []
    kind = "verification" if rng.random() < 0.7 else "calibration"
    while start <= END:
        end = months_end(start, 12)
        rows.append(InstrumentCertRec(f"示例溯源-{key}-{j + 1}-{len(rows) + 1}", kind, issuer, start, end))
        quarter = (end.year - START.year) * 4 + (end.month - 1) // 3
        if quarter in late and end >= START:
            delay = int(rng.integers(15, 45))
            gaps.append((end + dt.timedelta(days=1), end + dt.timedelta(days=delay)))
            start = end + dt.timedelta(days=delay + 1)
            late = set()
        else:
            start = end - dt.timedelta(days=int(rng.integers(0, 25)))
    return tuple(rows), gaps
