"""A period's indicator inputs for the index: the one function the publication side calls.

``build_inputs(period, framework_version)`` returns :class:`Inputs`: one row per ranked institution active
on the as-of date, one column per indicator of the framework, each value from the first source that has
one, in the order the indicator registry declares (:mod:`qiangji.web.indicators`: ``derived`` from the
platform's records, ``supervision`` checklist scores, ``reported`` values that are approved or locked), with
its provenance, and the per-institution targets of the 差异化 plan in force for the indicators whose
framework accepts them (`plan_targets`). ``Inputs.to_json`` is the exact snapshot an index run stores, in
the core's canonical JSON (`qiangji.core.canonical`); ``Inputs.from_json`` reloads it bit for bit (floats
are written with ``repr``, which round-trips).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qiangji.core.canonical import canonical_json, nan_to_none
from qiangji.core.index.targets import allowed
from qiangji.web import indicators
from qiangji.web.assessment.facts import gate_facts
from qiangji.web.assessment.models import (
    ChecklistItem,
    FrameworkVersion,
    Period,
    ReportedValue,
    SupervisionVisit,
)
from qiangji.web.indicators import Derivations, sources_of
from qiangji.web.registry.models import Institution, InstitutionName
from qiangji.web.registry.models.base import before_cutoff
from qiangji.web.stored_texts import in_language

SNAPSHOT_FORMAT = 1


def register_indicators() -> None:
    """The indicators scored at supervision visits, else reported (called from ``AssessmentConfig.ready``)."""
    for code in ("C1.1", "C2.3"):
        indicators.register(code, source=("supervision", "reported"))


@dataclass(frozen=True, eq=False)
class Inputs:
    """A period's indicator matrix with names, provenance and unit attributes (see module docstring)."""

    frame: pd.DataFrame
    names: Mapping[str, str]
    provenance: Mapping[tuple[str, str], Mapping[str, Any]]
    attributes: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    period: str = ""
    framework_version: str = ""
    as_of: str = ""
    targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """Unit → indicator → the plan's target (`plan_targets`); empty without one."""

    def to_json(self) -> str:
        """Canonical JSON (`qiangji.core.canonical`, missing values null): the snapshot of an index run."""
        data = {
            "format": SNAPSHOT_FORMAT,
            "period": self.period,
            "framework_version": self.framework_version,
            "as_of": self.as_of,
            "units": [str(u) for u in self.frame.index],
            "indicators": [str(c) for c in self.frame.columns],
            "values": [[nan_to_none(v) for v in row] for row in self.frame.to_numpy(dtype=np.float64)],
            "names": dict(self.names),
            "attributes": {k: dict(v) for k, v in self.attributes.items()},
            "provenance": [
                {"unit": u, "indicator": i, **dict(p)} for (u, i), p in sorted(self.provenance.items())
            ],
        }
        if self.targets:  # absent without a plan: such snapshots are the same text as before targets
            data["targets"] = {u: dict(t) for u, t in self.targets.items()}
        return canonical_json(data)

    @classmethod
    def from_json(cls, text: str) -> Inputs:
        data = json.loads(text)
        values = np.array(
            [[np.nan if v is None else float(v) for v in row] for row in data["values"]], dtype=np.float64
        ).reshape(len(data["units"]), len(data["indicators"]))
        frame = pd.DataFrame(values, index=pd.Index(data["units"], name="unit"), columns=data["indicators"])
        provenance = {
            (p["unit"], p["indicator"]): {k: v for k, v in p.items() if k not in ("unit", "indicator")}
            for p in data["provenance"]
        }
        return cls(
            frame=frame,
            names=data["names"],
            provenance=provenance,
            attributes=data["attributes"],
            period=data["period"],
            framework_version=data["framework_version"],
            as_of=data["as_of"],
            targets=data.get("targets", {}),
        )


def ranked_institutions(period: Period) -> list[Institution]:
    """Institutions in the ranking: ``is_ranked`` and active on the as-of date, by code."""
    return list(Institution.objects.ranked().active_on(period.as_of).order_by("code"))


def build_inputs(period: Period, framework_version: FrameworkVersion) -> Inputs:
    """The indicator matrix of ``period`` for ``framework_version`` (module docstring)."""
    framework = framework_version.framework()
    indicators = list(framework.indicators)
    institutions = ranked_institutions(period)
    prefetch_related_objects(institutions, "divisions")
    names = names_on(institutions, period.as_of)
    reported = approved_reports(period)
    supervised = supervision_values(period)
    derivations = Derivations(institutions, period)
    values = np.full((len(institutions), len(indicators)), np.nan, dtype=np.float64)
    provenance: dict[tuple[str, str], dict[str, Any]] = {}
    for i, inst in enumerate(institutions):
        resolver = _Resolver(inst, derivations, reported.get(inst.pk, {}), supervised.get(inst.pk, {}))
        for j, code in enumerate(indicators):
            found = resolver.value(code)
            if found is not None:
                values[i, j], provenance[(inst.code, code)] = found
    codes = [inst.code for inst in institutions]
    return Inputs(
        frame=pd.DataFrame(values, index=pd.Index(codes, name="unit"), columns=indicators),
        names={inst.code: names[inst.pk] for inst in institutions},
        provenance=provenance,
        attributes={
            "division_kind": {inst.code: _division_kind(inst) for inst in institutions},
            **gate_facts(period, institutions, framework.rules.facts),  # only a framework with a gate
        },
        period=period.code,
        framework_version=framework_version.version,
        as_of=period.as_of.isoformat(),
        targets=plan_targets(period, framework, institutions),
    )


def plan_targets(
    period: Period, framework: Any, institutions: Sequence[Institution]
) -> dict[str, dict[str, float]]:
    """Institution code → indicator → the adopted plan's target on the as-of date, for the indicators whose
    framework accepts per-unit targets (2026.1: D1.1, D1.3, D2.1, D4.1, D4.2; 2025.1: none, so nothing)."""
    accepted = set(allowed(framework))
    if not accepted:
        return {}
    by_id = indicators.targets_for(period)
    out = {
        inst.code: {c: v for c, v in sorted(by_id.get(inst.pk, {}).items()) if c in accepted}
        for inst in institutions
    }
    return {code: t for code, t in out.items() if t}


def names_on(institutions: Sequence[Institution], day: Any) -> dict[int, str]:
    """``Institution.name_on(day)`` of each institution, in one query."""
    rows = InstitutionName.objects.filter(
        before_cutoff(day, "valid_from", "valid_until"), institution__in=[i.pk for i in institutions]
    ).order_by("institution", "-valid_from")
    found: dict[int, str] = {}
    for inst_id, name in rows.values_list("institution_id", "name"):
        found.setdefault(inst_id, name)
    return {i.pk: found.get(i.pk, i.name) for i in institutions}


def resolve_one(period: Period, inst: Institution, code: str) -> tuple[float, dict[str, Any]] | None:
    """The value and provenance of one cell, as :func:`build_inputs` finds it."""
    reported = approved_reports(period).get(inst.pk, {})
    derivations = Derivations([inst], period)
    return _Resolver(inst, derivations, reported, supervision_values(period).get(inst.pk, {})).value(code)


def _division_kind(inst: Institution) -> str | None:
    kinds = sorted({d.kind for d in inst.divisions.all()})
    return kinds[0] if len(kinds) == 1 else None


class _Resolver:
    """Finds one institution's value of an indicator from its sources, in order."""

    def __init__(
        self,
        inst: Institution,
        derivations: Derivations,
        reported: Mapping[str, ReportedValue],
        supervised: Mapping[str, tuple[float, dict[str, Any]]],
    ) -> None:
        self.inst, self._derivations = inst, derivations
        self._reported, self._supervised = reported, supervised

    def value(self, code: str) -> tuple[float, dict[str, Any]] | None:
        for source in sources_of(code):
            found = getattr(self, source)(code)
            if found is not None:
                return found
        return None

    def derived(self, code: str) -> tuple[float, dict[str, Any]] | None:
        result = self._derivations.get(code, self.inst)
        return None if result is None else (result.value, result.provenance())

    def supervision(self, code: str) -> tuple[float, dict[str, Any]] | None:
        return self._supervised.get(code)

    def reported(self, code: str) -> tuple[float, dict[str, Any]] | None:
        report = self._reported.get(code)
        if report is None or report.value is None:
            return None
        return float(report.value), report_provenance(report)


def report_provenance(report: ReportedValue) -> dict[str, Any]:
    return {
        "source": "reported",
        "method": gettext_noop("填报（分子/分母由平台计算）") if report.is_ratio else gettext_noop("填报"),
        "numerator": _decimal(report.numerator),
        "denominator": _decimal(report.denominator),
        "records": [f"evidence:{e.original_name}" for e in report.evidence.all()],
        "detail": f"{report.get_status_display()}；{report.note}".rstrip("；"),
        "report_id": report.pk,
    }


def _decimal(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def approved_reports(period: Period) -> dict[int, dict[str, ReportedValue]]:
    """Approved or locked reports of the period, by institution id and indicator."""
    rows = ReportedValue.objects.filter(
        period=period, status__in=[ReportedValue.Status.APPROVED, ReportedValue.Status.LOCKED]
    ).prefetch_related("evidence")
    out: dict[int, dict[str, ReportedValue]] = {}
    for r in rows:
        out.setdefault(r.institution_id, {})[r.indicator] = r
    return out


def supervision_values(period: Period) -> dict[int, dict[str, tuple[float, dict[str, Any]]]]:
    """Per institution and indicator: points awarded / points possible (%) over the completed visits made
    between the period's first and last day (a year gathers the visits of its quarters)."""
    items = ChecklistItem.objects.filter(
        visit__visited_on__gte=period.start,
        visit__visited_on__lte=period.end,
        visit__status=SupervisionVisit.Status.COMPLETED,
        awarded__isnull=False,
    ).exclude(indicator="")
    totals: dict[tuple[int, str], dict[str, Any]] = {}
    for item in items.select_related("visit").order_by("visit__visited_on", "visit_id", "position"):
        t = totals.setdefault(
            (item.visit.institution_id, item.indicator),
            {"got": Decimal(0), "possible": Decimal(0), "visits": []},
        )
        t["got"] += item.awarded
        t["possible"] += item.max_points
        label = f"visit:{item.visit_id} {item.visit.visited_on}"
        if label not in t["visits"]:
            t["visits"].append(label)
    out: dict[int, dict[str, tuple[float, dict[str, Any]]]] = {}
    for (inst_id, code), t in totals.items():
        out.setdefault(inst_id, {})[code] = (
            float(Decimal(100) * t["got"] / t["possible"]),
            {
                "source": "supervision",
                "method": gettext_noop("督导检查项得分 / 检查项分值"),
                "numerator": float(t["got"]),
                "denominator": float(t["possible"]),
                "records": t["visits"],
                "detail": "",
            },
        )
    return out


# Which value counts --------------------------------------------------------------------------------------

#: The sources' names for people (message ids: translated where a sentence is built, :func:`_statement`).
SOURCE_NAMES = {
    "derived": gettext_noop("登记数据"),
    "supervision": gettext_noop("督导检查评分"),
    "reported": gettext_noop("机构填报"),
}


@dataclass(frozen=True)
class WhichCounts:
    """Which source's value of one indicator counts for one institution in a period, and why.

    ``source`` / ``value`` / ``provenance``: what :func:`build_inputs` uses now (``None`` when no source
    has a value). ``fallback``: institutions report the indicator, but an earlier source has a value, so a
    reported value would not count. ``statement``: the sentence the pages show (active language).
    """

    indicator: str
    sources: tuple[str, ...]
    source: str | None
    value: float | None
    provenance: Mapping[str, Any]
    statement: str

    @property
    def reportable(self) -> bool:
        return "reported" in self.sources

    @property
    def fallback(self) -> bool:
        """A reported value is only a fallback now: a source before "reported" has a value."""
        return self.reportable and self.source not in (None, "reported")

    @property
    def asks_report(self) -> bool:
        """The institution's reported value is (or, once approved, will be) the one that counts."""
        return self.reportable and not self.fallback


def explain(indicator: str, found: tuple[float, Mapping[str, Any]] | None) -> WhichCounts:
    """The :class:`WhichCounts` of ``indicator`` given what the resolver found (value and provenance).

    The one place that words the indicator registry's source order for people; :func:`which_counts` and
    the pages built on a cached :class:`Inputs` (its provenance) both come here.

    >>> explain("D3.1", (50.0, {"source": "derived", "method": "持证人员 / 在岗人员"})).fallback
    True
    """
    sources = sources_of(indicator)
    value, prov = (None, {}) if found is None else found
    source = prov.get("source") if found is not None else None
    return WhichCounts(indicator, sources, source, value, prov, _statement(sources, source, prov))


def _source(name: str) -> str:
    return _(SOURCE_NAMES[name])


def _statement(sources: tuple[str, ...], source: str | None, prov: Mapping[str, Any]) -> str:
    """The sentence the pages show, in the active language (the method as the deriver words it)."""
    method = _("（%(method)s）") % {"method": in_language(prov["method"])} if prov.get("method") else ""
    if "reported" not in sources:
        if len(sources) == 1:
            return _("本指标由%(source)s计算%(method)s，无需填报。") % {
                "source": _source(sources[0]),
                "method": method,
            }
        first, second = (_source(s) for s in sources[:2])
        return _("本指标以%(first)s为准；本期无%(first)s时由%(second)s计算，无需填报。") % {
            "first": first,
            "second": second,
        }
    before = sources[: sources.index("reported")]
    if not before:
        return _("本指标以机构填报并经审核通过的数值为准。")
    names = _("或").join(_source(s) for s in before)
    if source in before:
        message = _(
            "本指标以%(source)s计算为准%(method)s，填报的数值仅在%(names)s缺失时采用；"
            "本期%(source)s已有数值，填报值不计入。"
        )
        return message % {"source": _source(source), "method": method, "names": names}
    return _("本期%(names)s缺失，本指标以机构填报并经审核通过的数值为准（填报值作为替代来源）。") % {
        "names": names
    }


class Counting:
    """:func:`which_counts` for many cells of a period: each source read once for ``institutions``."""

    def __init__(self, period: Period, institutions: Sequence[Institution]) -> None:
        self._derivations = Derivations(institutions, period)
        self._approved = approved_reports(period)
        self._supervised = supervision_values(period)

    def of(self, inst: Institution, indicator: str) -> WhichCounts:
        resolver = _Resolver(
            inst,
            self._derivations,
            self._approved.get(inst.pk, {}),
            self._supervised.get(inst.pk, {}),
        )
        return explain(indicator, resolver.value(indicator))


def which_counts(period: Period, inst: Institution, indicator: str) -> WhichCounts:
    """Which source counts for ``inst``'s ``indicator`` in ``period`` now, its value and why."""
    return Counting(period, [inst]).of(inst, indicator)
