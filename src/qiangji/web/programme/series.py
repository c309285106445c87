"""Goal metrics on many dates at once: the registry rows a metric reads, loaded once.

:class:`Preloaded` answers the as-of questions of :class:`qiangji.web.programme.metrics.Registry` from
rows read in a fixed number of queries (institutions with their names and grades, staff with their
registrations, research projects), with the registry's own as-of rules in Python
(``Staff.is_employed_on``, ``RMRegistration.is_valid_on``; ``active_on``, ``name_on`` and ``grade_on`` as
the querysets state them). The dashboard evaluates each goal on every quarter end since its baseline;
with this it costs the same few queries whatever the number of dates and institutions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Prefetch

from qiangji.web.programme.metrics import Registry
from qiangji.web.registry.models import (
    Coverage,
    Institution,
    InstitutionGrade,
    ResearchProject,
    Staff,
    rm_coverage,
)


class Preloaded(Registry):
    """The registry rows the goal metrics read, loaded once (module docstring)."""

    def __init__(self) -> None:
        self._institutions = list(
            Institution.objects.order_by("code").prefetch_related(
                "names", Prefetch("grades", queryset=InstitutionGrade.objects.order_by("-effective_from"))
            )
        )
        self._staff: defaultdict[int, list[Staff]] = defaultdict(list)
        for person in Staff.objects.prefetch_related("registrations"):
            self._staff[person.institution_id].append(person)
        self._projects: defaultdict[int, list[dt.date]] = defaultdict(list)
        projects = ResearchProject.objects.exclude(funding_level="other")
        for inst_id, day in projects.values_list("institution_id", "approved_on"):
            self._projects[inst_id].append(day)

    def institutions(self, day: dt.date, level: str | None) -> list[Institution]:
        """``Institution.objects.active_on(day)`` (established on or before, not yet dissolved)."""
        return [
            i
            for i in self._institutions
            if (i.established_on is None or i.established_on <= day)
            and (i.dissolved_on is None or i.dissolved_on > day)
            and (not level or i.level == level)
        ]

    def name_on(self, inst: Institution, day: dt.date) -> str:
        """``Institution.name_on``: the latest name row with ``valid_from <= day < valid_until``."""
        rows = [
            n
            for n in inst.names.all()
            if n.valid_from <= day and (n.valid_until is None or n.valid_until > day)
        ]
        return max(rows, key=lambda n: n.valid_from).name if rows else inst.name

    def grade_on(self, inst: Institution, day: dt.date) -> InstitutionGrade | None:
        """``Institution.grade_on``: the latest decision effective on or before ``day``."""
        return next((g for g in inst.grades.all() if g.effective_from <= day), None)

    def coverage(self, inst: Institution, day: dt.date, denominator: str | None) -> Coverage:
        """``Institution.rm_coverage_on`` from the loaded staff and registrations (the same function)."""
        return rm_coverage(self._staff[inst.pk], day, denominator)

    def project_dates(self, inst: Institution) -> list[dt.date]:
        return self._projects[inst.pk]
