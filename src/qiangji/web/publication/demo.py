"""Publishes the demo periods: assessment data → inputs → index run → 公示 → final (idempotent).

Run after the registry demo data are loaded (`qiangji.demo.load.load_demo`). For each demo period that has
no final publication yet: `demo_assessment` fills reported values and supervision scores (deterministic),
`build_inputs` takes the indicator matrix, `create_run` computes it, and the ranking goes through notice
to final with dates after the period's end (notice 10 days after the end, final the day after the
objection deadline), after a reporting window and a lock dated before the notice. Periods that have not
ended yet are skipped.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from qiangji.web.publication import workflow
from qiangji.web.publication.models import Publication
from qiangji.web.publication.runs import create_run

DEMO_QUARTERS = tuple(f"{y}Q{q}" for y in (2023, 2024, 2025) for q in (1, 2, 3, 4))
DEMO_YEARS = ("2023", "2024", "2025")
DEMO_PERIODS = DEMO_QUARTERS + DEMO_YEARS
DEMO_RUNS = 1000
DEMO_SEED = 20250101


@dataclass
class PublishReport:
    published: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        done = "、".join(self.published) or "无"
        return f"已发布排行榜 / rankings published: {done}（{self.seconds:.1f} s）"


def _demo_assessment() -> Callable[[Sequence[Any]], Any] | None:
    try:
        from qiangji.web.assessment.demo import demo_assessment
    except ImportError:
        return None
    return demo_assessment  # type: ignore[no-any-return]


def publish_demo(
    periods: Sequence[str] = DEMO_PERIODS, *, runs: int = DEMO_RUNS, today: dt.date | None = None
) -> PublishReport:
    """Publish every demo period not yet final (module docstring)."""
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.inputs import build_inputs
    from qiangji.web.assessment.models import FrameworkVersion, Period

    started = time.perf_counter()
    today = today or timezone.localdate()
    fv, _created = ensure_default_framework(FrameworkVersion)
    fill = _demo_assessment()
    report = PublishReport()
    for code in periods:
        period = Period.for_code(code)
        done = Publication.objects.filter(period=period, status=Publication.Status.FINAL).exists()
        if done or period.end >= today:
            if done:
                _date_lifecycle(period, fv)
            report.skipped.append(code)
            continue
        if fill is not None:
            fill([period])
        inputs = build_inputs(period, fv)
        if inputs.frame.empty:
            report.skipped.append(code)
            continue
        _date_lifecycle(period, fv)
        _publish(period, create_run(period, fv, inputs, seed=DEMO_SEED, runs=runs, note="演示数据"))
        report.published.append(code)
    report.seconds = time.perf_counter() - started
    return report


def _publish(period: Any, run: Any) -> Publication:
    Publication.objects.filter(period=period).exclude(status=Publication.Status.FINAL).delete()
    pub = workflow.create_draft(period, run)
    workflow.start_notice(pub, period.end + dt.timedelta(days=10))
    assert pub.notice_ends_on is not None
    return workflow.finalise(pub, pub.notice_ends_on + dt.timedelta(days=1))


def _date_lifecycle(period: Any, fv: Any) -> None:
    """The reporting window and lock a published demo period would have had (once): reporting the first
    five days after the period's end, locked on the eighth, before the notice on the tenth."""
    if period.opened_at is not None:
        return
    at_eight = dt.time(8)
    period.framework_version = fv
    period.opens_on, period.deadline = period.end + dt.timedelta(days=1), period.end + dt.timedelta(days=5)
    period.opened_at = timezone.make_aware(dt.datetime.combine(period.opens_on, at_eight))
    period.locked_at = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=8), at_eight))
    period.save()
