"""The framework's publication rules: missing-value floor, compliance gate, tier rule, progress baseline.

A framework file may carry, next to its tree (all optional; a file without them, such as 2025.1, computes
exactly as before):

``missing: {floor: 0}``
    A missing indicator value scores ``floor`` points (0–100) and is flagged, instead of being dropped with
    its siblings' weights renormalised (docs/domain.md#scoring: "a required indicator not reported scores 0
    and is flagged; never silently imputed"; JRC/OECD *Handbook on Constructing Composite Indicators*,
    2008, §1.3: case deletion re-weights implicitly). An indicator opts out, or takes another floor, with
    its own ``missing: {floor: null, reason: …}``; the reason is required and published.

``gate: [{code, fact, above, cap_score | cap_tier, reason}]``
    Compliance gate applied after aggregation: when a unit's ``fact`` (a numeric unit attribute, e.g.
    ``open_critical_findings``: 重大 findings open on the as-of date) is greater than ``above``, its total
    is capped at ``cap_score`` points and/or it is placed no higher than tier ``cap_tier``
    (docs/domain.md#scoring, the optional veto/cap). The reason is published with the result.

``tiers: {rule: thirds | rank_interval | score_gap, count: 3, gap: …}``
    How the ranking is cut into tiers (`qiangji.core.index.tiers`); without it, thirds of the rank.

``progress: {baseline: {quarter: 2025Q4, year: "2025"}}``
    The programme's baseline period per period kind for the progress index (`qiangji.core.index.progress`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from qiangji.core.errors import InputError
from qiangji.core.index.methods._arrays import FloatArray

TIER_RULES = ("thirds", "rank_interval", "score_gap")
GATE_KEYS = frozenset({"code", "fact", "above", "cap_score", "cap_tier", "reason"})
MISSING_KEYS = frozenset({"floor", "reason"})
TIER_KEYS = frozenset({"rule", "count", "gap"})
PERIOD_KINDS = ("quarter", "year")

Err = Callable[[str], None]


@dataclass(frozen=True)
class GateRule:
    """One gate rule: ``fact > above`` caps the total at ``cap_score`` and/or the tier at ``cap_tier``."""

    code: str
    fact: str
    above: float
    cap_score: float | None
    cap_tier: int | None
    reason: Mapping[str, str]

    def label(self, lang: str = "zh") -> str:
        return self.reason.get(lang) or next(iter(self.reason.values()), self.code)


@dataclass(frozen=True)
class TierRule:
    """How the publication order is cut into ``count`` tiers (`qiangji.core.index.tiers`)."""

    rule: str = "thirds"
    count: int = 3
    gap: float | None = None


@dataclass(frozen=True)
class Floor:
    """Missing-value rule of one indicator: ``score`` (None: not floored) and the documented reason."""

    score: float | None
    reason: str = ""


@dataclass(frozen=True)
class Rules:
    """The publication rules of a framework (module docstring)."""

    gate: tuple[GateRule, ...] = ()
    tiers: TierRule = TierRule()
    floor: float | None = None
    baseline: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def facts(self) -> tuple[str, ...]:
        """Unit attributes the gate reads, in rule order."""
        return tuple(dict.fromkeys(r.fact for r in self.gate))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _reason(raw: Any, err: Err, where: str) -> Mapping[str, str]:
    if isinstance(raw, str) and raw.strip():
        return MappingProxyType({"zh": raw})
    if isinstance(raw, Mapping) and raw and all(isinstance(v, str) and v.strip() for v in raw.values()):
        return MappingProxyType({str(k): v for k, v in raw.items()})
    err(f"{where} `reason` must be a non-empty text or a mapping of language → text, got {raw!r}")
    return MappingProxyType({})


def parse_floor(raw: Any, err: Err, where: str = "`missing`") -> float | None:
    """The ``floor`` of a ``missing`` mapping (None: no floor); checks it is a score in [0, 100]."""
    value = raw.get("floor", 0) if isinstance(raw, Mapping) else raw
    if value is None:
        return None
    if not _number(value) or not 0 <= value <= 100:
        err(f"{where} `floor` must be a score between 0 and 100 or null, got {value!r}")
        return None
    return float(value)


def node_floor(raw: Mapping[str, Any], default: float | None, err: Err) -> Floor | None:
    """An indicator's own ``missing`` rule (a documented ``reason`` required), else the file's floor."""
    if "missing" not in raw:
        return None if default is None else Floor(default)
    own = raw["missing"]
    if not isinstance(own, Mapping) or set(own) - MISSING_KEYS or "floor" not in own:
        err(f"`missing` must be {{floor: SCORE or null, reason: TEXT}}, got {own!r}")
        return None
    reason = own.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        err(f"`missing` must give a documented `reason` for the indicator's own rule, got {reason!r}")
    return Floor(parse_floor(own, err), str(reason or ""))


def parse_rules(data: Mapping[str, Any], err: Err) -> Rules:
    """The rules of a framework file's top level (module docstring); problems go to ``err``."""
    missing = data.get("missing")
    floor = None
    if missing is not None:
        if not isinstance(missing, Mapping):
            err(f"`missing` must be a mapping with `floor`, got {missing!r}")
        else:
            for key in sorted(set(missing) - {"floor"}):
                err(f"`missing.{key}` is not a key of the file-level missing rule (keys: floor)")
            floor = parse_floor(missing, err)
    tiers = _tiers(data.get("tiers"), err)
    gate = _gate(data.get("gate"), err, tiers.count)
    return Rules(gate, tiers, floor, _baseline(data.get("progress"), err))


def _tiers(raw: Any, err: Err) -> TierRule:
    if raw is None:
        return TierRule()
    if not isinstance(raw, Mapping):
        err(f"`tiers` must be a mapping with `rule`, got {raw!r}")
        return TierRule()
    for key in sorted(set(raw) - TIER_KEYS):
        err(f"`tiers.{key}` is not a tier key (keys: {', '.join(sorted(TIER_KEYS))})")
    rule, count, gap = raw.get("rule", "thirds"), raw.get("count", 3), raw.get("gap")
    if rule not in TIER_RULES:
        err(f"`tiers.rule` must be one of {', '.join(TIER_RULES)}, got {rule!r}")
        rule = "thirds"
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 10:
        err(f"`tiers.count` must be an integer from 1 to 10, got {count!r}")
        count = 3
    if rule == "score_gap" and (not _number(gap) or float(gap or 0) <= 0):
        err(f"`tiers.gap` must be a positive number of points for rule score_gap, got {gap!r}")
        gap = None
    elif rule != "score_gap" and gap is not None:
        err(f"`tiers.gap` applies to rule score_gap only, got it with rule {rule}")
    return TierRule(str(rule), int(count), None if gap is None else float(gap))


def _gate(raw: Any, err: Err, tiers: int) -> tuple[GateRule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        err(f"`gate` must be a list of rules, got {raw!r}")
        return ()
    out, seen = [], set()
    for n, rule in enumerate(raw):
        where = f"gate rule #{n + 1}"
        if not isinstance(rule, Mapping):
            err(f"{where} must be a mapping with `code`, `fact`, `above`, a cap and `reason`, got {rule!r}")
            continue
        parsed = _gate_rule(rule, err, where, tiers)
        if parsed is not None:
            if parsed.code in seen:
                err(f"{where} `code` must be unique among the gate rules, got {parsed.code!r} twice")
            seen.add(parsed.code)
            out.append(parsed)
    return tuple(out)


def _gate_rule(rule: Mapping[str, Any], err: Err, where: str, tiers: int) -> GateRule | None:
    for key in sorted(set(rule) - GATE_KEYS):
        err(f"{where} `{key}` is not a gate key (keys: {', '.join(sorted(GATE_KEYS))})")
    code, fact, above = rule.get("code"), rule.get("fact"), rule.get("above", 0)
    cap_score, cap_tier = rule.get("cap_score"), rule.get("cap_tier")
    ok = True
    if not isinstance(code, str) or not code.strip():
        err(f"{where} `code` must be a non-empty string, got {code!r}")
        ok = False
    if not isinstance(fact, str) or not fact.strip():
        err(f"{where} `fact` must name a unit attribute (e.g. open_critical_findings), got {fact!r}")
        ok = False
    if not _number(above):
        err(f"{where} `above` must be a number, got {above!r}")
        ok = False
    if cap_score is None and cap_tier is None:
        err(f"{where} must cap something: give `cap_score` (points) or `cap_tier` (a tier number)")
        ok = False
    if cap_score is not None and (not _number(cap_score) or not 0 <= cap_score <= 100):
        err(f"{where} `cap_score` must be a score between 0 and 100, got {cap_score!r}")
        ok = False
    bad_tier = isinstance(cap_tier, bool) or not isinstance(cap_tier, int) or not 2 <= cap_tier <= tiers
    if cap_tier is not None and bad_tier:
        err(f"{where} `cap_tier` must be a tier number from 2 to {tiers}, got {cap_tier!r}")
        ok = False
    reason = _reason(rule.get("reason"), err, where)
    if not ok or not reason:
        return None
    return GateRule(
        str(code),
        str(fact),
        float(above),
        None if cap_score is None else float(cap_score),
        None if cap_tier is None else int(cap_tier),
        reason,
    )


def _baseline(raw: Any, err: Err) -> Mapping[str, str]:
    if raw is None:
        return MappingProxyType({})
    base = raw.get("baseline") if isinstance(raw, Mapping) else None
    if not isinstance(raw, Mapping) or set(raw) != {"baseline"} or not isinstance(base, Mapping):
        err(f"`progress` must be {{baseline: {{quarter: CODE, year: CODE}}}}, got {raw!r}")
        return MappingProxyType({})
    out = {}
    for kind, code in base.items():
        if kind not in PERIOD_KINDS or not isinstance(code, (str, int)) or isinstance(code, bool):
            err(
                f"`progress.baseline` must map {' / '.join(PERIOD_KINDS)} to a period code, "
                f"got {kind}: {code!r}"
            )
            continue
        out[str(kind)] = str(code)
    return MappingProxyType(out)


# Applying the gate ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateResult:
    """The gate applied to each unit: the caps and the rules that fired (``rules[u]``: codes, in order)."""

    cap_score: FloatArray
    """Score cap per unit (inf: none)."""
    cap_tier: tuple[int | None, ...]
    """Highest tier allowed per unit (None: any)."""
    rules: tuple[tuple[str, ...], ...]


def gate_facts(rules: Rules, attributes: Mapping[str, Sequence[str | None]], n: int) -> dict[str, FloatArray]:
    """The gate's facts as numbers per unit; an empty attribute cell counts as 0 (nothing recorded)."""
    out = {}
    for fact in rules.facts:
        cells = attributes.get(fact)
        if cells is None:
            raise InputError(
                f"`{fact}` must be a unit attribute column of the data for the compliance gate, "
                "got no such column"
            )
        values = np.zeros(n)
        for u, cell in enumerate(cells):
            text = "" if cell is None else str(cell).strip()
            try:
                values[u] = float(text) if text else 0.0
            except ValueError:
                raise InputError(
                    f"`{fact}` must be a number for every unit, got {cell!r} (unit #{u + 1})"
                ) from None
        out[fact] = values
    return out


def apply_gate(rules: Rules, facts: Mapping[str, FloatArray], n: int) -> GateResult:
    """Which rules fire for each unit and the resulting caps (a unit under several takes the strictest)."""
    cap = np.full(n, np.inf)
    tier: list[int | None] = [None] * n
    fired: list[list[str]] = [[] for _ in range(n)]
    for rule in rules.gate:
        hit = facts[rule.fact] > rule.above
        for u in np.flatnonzero(hit):
            fired[u].append(rule.code)
            if rule.cap_score is not None:
                cap[u] = min(cap[u], rule.cap_score)
            if rule.cap_tier is not None:
                tier[u] = max(tier[u] or 1, rule.cap_tier)
    cap.setflags(write=False)
    return GateResult(cap, tuple(tier), tuple(tuple(f) for f in fired))


__all__ = [
    "Floor",
    "GateResult",
    "GateRule",
    "Rules",
    "TierRule",
    "apply_gate",
    "gate_facts",
    "node_floor",
    "parse_floor",
    "parse_rules",
]
