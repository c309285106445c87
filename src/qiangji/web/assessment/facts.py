"""Compliance facts of a period for the framework's gate (`qiangji.core.index.rules`), from the registry.

Each fact is a count per institution on the period's as-of date, passed to the core as a unit attribute
(text, as the run's input snapshot stores attributes):

* ``open_critical_findings``: 重大 findings (severity ``critical``) open at the end of the as-of date;
* ``overdue_major_findings``: 严重 or 重大 findings open on the as-of date past their due date.

Only the facts the framework's gate names are built, so a framework without a gate (2025.1) gets the same
input snapshot as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from qiangji.web.registry.models import Institution, SupervisionFinding

Severity = SupervisionFinding.Severity


def _open_critical(period: Any) -> Any:
    return SupervisionFinding.objects.open_on(period.as_of).filter(severity=Severity.CRITICAL)


def _overdue_major(period: Any) -> Any:
    return SupervisionFinding.objects.overdue_on(period.as_of).filter(
        severity__in=[Severity.MAJOR, Severity.CRITICAL]
    )


FACTS: dict[str, Callable[[Any], Any]] = {
    "open_critical_findings": _open_critical,
    "overdue_major_findings": _overdue_major,
}


def gate_facts(
    period: Any, institutions: Sequence[Institution], names: Sequence[str]
) -> dict[str, dict[str, str | None]]:
    """``{fact: {institution code: count as text}}`` for each fact in ``names`` (module docstring)."""
    out: dict[str, dict[str, str | None]] = {}
    for name in names:
        if name not in FACTS:
            raise ValueError(f"fact must be one of {', '.join(FACTS)}, got {name!r}")
        found = FACTS[name](period).filter(institution__in=[i.pk for i in institutions])
        counts = Counter(found.values_list("institution_id", flat=True))
        out[name] = {i.code: str(counts.get(i.pk, 0)) for i in institutions}
    return out
