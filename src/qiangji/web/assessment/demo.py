"""Deterministic demo assessment data: reported values and supervision scores for the demo periods.

Called by the publication side's demo publisher after the registry demo data are loaded. For every ranked
institution of a period it fills, once (idempotent):

* the reported indicators (those whose first source is ``reported``, and C3.2 as the fallback when no
  comparison has been evaluated), taken through the real workflow — draft, evidence, submitted by a demo
  reporter, approved by a demo reviewer, locked — so the trail looks like the real thing;
* for a quarter, one completed supervision visit in its second month with the default checklist scored.

Values are drawn from a generator seeded by (period, institution, indicator), so a rerun on another
machine gives the same data. Their level follows the institution's registered-metrologist coverage on the
as-of date (the registry generator's archetypes: strong, medium, small mountain counties), so reported and
derived indicators tell the same story and ranks move with the registry's trajectories. All invented.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from qiangji.web.assessment import workflow
from qiangji.web.assessment.inputs import ranked_institutions, sources_of
from qiangji.web.assessment.models import Evidence, Period, ReportedValue, SupervisionVisit
from qiangji.web.assessment.reporting import Entry, current_framework_version, save_entry
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


def demo_entry(code: str, inst: Institution, period: Period) -> Entry:
    """The demo value of a reported indicator (see the module docstring)."""
    rng, q = _rng(period.code, inst.code, code), quality(inst, period)
    staff, quarters = _counts(inst, period)
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
    """Indicators the demo reports: first source ``reported``, plus C3.2 and D3.3 (fallbacks when no
    comparison was evaluated or no training session was held)."""
    fw = current_framework_version().framework()
    return [c for c in fw.indicators if sources_of(c)[0] == "reported" or c in ("C3.2", "D3.3")]


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


def _report(period: Period, inst: Institution, code: str, reporter: Any, reviewer: Any) -> None:
    if ReportedValue.objects.filter(period=period, institution=inst, indicator=code).exists():
        return
    report = save_entry(period, inst, code, demo_entry(code, inst, period), reporter)
    text = f"{inst.name} {period.label} {code} 佐证材料（演示数据，虚构）\n"
    Evidence.objects.create(
        report=report,
        file=ContentFile(text.encode(), name=f"{code}-demo.txt"),
        original_name=f"{code} 佐证材料（示例）.txt",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        size=len(text.encode()),
        uploaded_by=reporter,
    )
    workflow.submit(report, reporter)
    workflow.approve(report, reviewer)
    workflow.lock(report, reviewer)


def _visit(period: Period, inst: Institution, inspector: Any) -> None:
    if period.quarter is None or SupervisionVisit.objects.filter(period=period, institution=inst).exists():
        return
    rng, q = _rng(period.code, inst.code, "visit"), quality(inst, period)
    day = dt.date(period.year, 3 * period.quarter - 1, 10 + int(rng.integers(0, 10)))
    visit = SupervisionVisit.create_with_checklist(
        period=period,
        institution=inst,
        visited_on=day,
        inspectors="市计量院督导组（示例）",
        created_by=inspector,
    )
    for item in visit.items.all():
        share = min(1.0, max(0.4, q + 0.1 + float(rng.normal(0, 0.08))))
        item.awarded = Decimal(str(round(float(item.max_points) * share * 2) / 2))  # half points
        item.save()
    visit.status, visit.summary = SupervisionVisit.Status.COMPLETED, "演示数据：督导评分（虚构）"
    visit.save()


def demo_assessment(periods: Sequence[Period | str]) -> int:
    """Fill the demo assessment data of ``periods`` (codes or periods); returns reports created."""
    reporter, reviewer = _users()
    codes = demo_indicators()
    before = ReportedValue.objects.count()
    for p in periods:
        period = p if isinstance(p, Period) else Period.for_code(p)
        with transaction.atomic():
            for inst in ranked_institutions(period):
                for code in codes:
                    _report(period, inst, code, reporter, reviewer)
                _visit(period, inst, reviewer)
    return ReportedValue.objects.count() - before
