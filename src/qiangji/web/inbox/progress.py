"""How far each institution has got with a period's reporting: what it should report, what it has.

"Submitted everything" means every indicator that institutions report in the period's framework
(:func:`qiangji.web.assessment.reporting.reportable_nodes`) has a value that is submitted, approved or
locked. Drafts and returned values are still the county's to finish.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from qiangji.core.index import Framework
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue
from qiangji.web.assessment.reporting import current_framework_version, reportable_nodes
from qiangji.web.registry.models import Institution

Status = ReportedValue.Status
Stage = Period.Stage
DONE = (str(Status.SUBMITTED), str(Status.APPROVED), str(Status.LOCKED))
#: Stages in which a period still needs someone's work before its ranking is published.
ACTIVE_STAGES = (Stage.NOT_OPEN, Stage.REPORTING, Stage.REVIEW, Stage.LOCKED, Stage.COMPUTED, Stage.NOTICE)


@dataclass(frozen=True)
class InstitutionProgress:
    """One institution's values of one period, counted by status over the indicators it should report."""

    institution: Institution
    expected: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        """Values handed in: submitted, approved or locked."""
        return sum(self.counts.get(s, 0) for s in DONE)

    @property
    def entered(self) -> int:
        return sum(self.counts.values())

    @property
    def missing(self) -> int:
        """Indicators without any value yet."""
        return max(self.expected - self.entered, 0)

    @property
    def complete(self) -> bool:
        return self.done >= self.expected

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def framework_of(period: Period) -> Framework:
    """The period's framework (chosen when it was opened), else the newest version, for the period."""
    version: FrameworkVersion = period.framework_version or current_framework_version()
    return period.framework_for(version)


def expected_codes(period: Period) -> list[str]:
    """The indicators institutions report in ``period`` (empty when no framework is stored yet)."""
    try:
        framework = framework_of(period)
    except FrameworkVersion.DoesNotExist:
        return []
    return [node.code for node in reportable_nodes(framework)]


def ranked_institutions(period: Period) -> list[Institution]:
    """The institutions ranked in ``period`` (in existence on its last day)."""
    return list(Institution.objects.ranked().active_on(period.end).order_by("code"))


def progress(period: Period, institutions: list[Institution] | None = None) -> list[InstitutionProgress]:
    """Each institution's progress (default: every ranked one), in the order given."""
    insts = ranked_institutions(period) if institutions is None else institutions
    codes = set(expected_codes(period))
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    rows = ReportedValue.objects.filter(period=period, institution__in=insts, indicator__in=codes)
    for inst_id, status in rows.values_list("institution_id", "status"):
        counts[inst_id][status] += 1
    return [InstitutionProgress(i, len(codes), dict(counts[i.pk])) for i in insts]


def active_periods(today: dt.date | None = None, *, unopened: bool = False) -> list[tuple[Period, str]]:
    """Periods not yet published, with their stage on ``today``, oldest first: those someone has started
    (opened, given values, locked or computed), and with ``unopened`` also those still to be opened."""
    day = today or timezone.localdate()
    qs = Period.objects.select_related("framework_version", "publication").order_by("end", "-kind")
    found = []
    for period in qs.exclude(publication__status="final"):
        started = period.opened_at or period.opens_on or period.locked_at or hasattr(period, "publication")
        if not (started or unopened or period.reports.exists()):
            continue
        stage = period.stage(day)
        if stage in ACTIVE_STAGES:
            found.append((period, stage))
    return found


def days_left(deadline: dt.date | None, today: dt.date) -> int | None:
    return None if deadline is None else (deadline - today).days


def own_extension(period: Period, institution: Any, today: dt.date) -> dt.date | None:
    """The latest date until which ``institution`` may still report ``period`` by a granted extension."""
    ext = period.extensions.filter(institution=institution, until__gte=today).order_by("-until").first()
    return None if ext is None else ext.until
