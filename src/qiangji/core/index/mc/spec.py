"""The uncertain inputs of an uncertainty analysis, as data (frozen, JSON round-trip).

An `UncertaintySpec` lists what may vary between Monte-Carlo replications (JRC/OECD Handbook 2008, step 7;
COINr ``get_sensitivity``'s ``SA_specs``), and is stored with the run so that the analysis can be repeated:

- ``weight_noise``: ``{level: f}``; every weight of a node at that level (1 = indicators) is multiplied by
  ``U(1 − f, 1 + f)``, independently per node and replication, then the weights are renormalised within
  their parent;
- ``alternatives``: ``{stage: MethodChoice}`` for ``impute``, ``treat``, ``normalise``, ``aggregate``; each
  replication draws one alternative with the given probabilities and uses it at every node of that stage;
- ``value_noise``: standard deviation of measurement noise on every measured indicator value, relative
  (``x·(1 + σz)``) or absolute (``x + σz``, in the indicator's own units), with z ~ N(0, 1);
  ``value_noise_by_indicator`` overrides it per indicator code.

Each of these with an effect is one *factor* of the sensitivity analysis (`factors`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qiangji.core.canonical import canonical_json
from qiangji.core.errors import InputError

__all__ = ["STAGE_NAMES", "Factor", "MethodChoice", "UncertaintySpec"]

STAGE_NAMES = ("impute", "treat", "normalise", "aggregate")
_NOISE_KINDS = ("relative", "absolute")


@dataclass(frozen=True)
class MethodChoice:
    """Alternative method specs for one stage (``{"method": name, **params}``) and their probabilities."""

    methods: tuple[Mapping[str, Any], ...]
    probabilities: tuple[float, ...]

    @classmethod
    def of(
        cls, methods: Sequence[str | Mapping[str, Any]], probabilities: Sequence[float] | None = None
    ) -> MethodChoice:
        """Build from names or specs; equal probabilities when none are given; validates both."""
        specs = tuple(_method_spec(m) for m in methods)
        if not specs:
            raise InputError("`methods` must name at least one method, got none")
        probs = (
            tuple(float(p) for p in probabilities)
            if probabilities is not None
            else (1.0 / len(specs),) * len(specs)
        )
        if len(probs) != len(specs) or any(not p >= 0 for p in probs) or not math.isclose(sum(probs), 1.0):
            raise InputError(
                f"`probabilities` must be {len(specs)} non-negative numbers summing to 1, got {list(probs)}"
            )
        return cls(methods=specs, probabilities=probs)

    def names(self) -> tuple[str, ...]:
        """The method names, in order."""
        return tuple(str(m["method"]) for m in self.methods)


@dataclass(frozen=True)
class Factor:
    """One uncertain input of the sensitivity analysis: a weight level, a stage, or the values."""

    name: str  # "weights:1", "aggregate", "values"
    kind: str  # "weights", "stage", "values"
    level: int = 0
    stage: str = ""


@dataclass(frozen=True)
class UncertaintySpec:
    """What varies between replications (module docstring). The default varies nothing."""

    weight_noise: Mapping[int, float] = field(default_factory=dict)
    alternatives: Mapping[str, MethodChoice] = field(default_factory=dict)
    value_noise: float = 0.0
    value_noise_kind: str = "relative"
    value_noise_by_indicator: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = [
            f"`weight_noise` at level {lv} must be a fraction 0 ≤ f < 1, got {f}"
            for lv, f in self.weight_noise.items()
            if not 0.0 <= float(f) < 1.0
        ]
        problems += [
            f"`weight_noise` levels must be integers ≥ 1, got {lv!r}"
            for lv in self.weight_noise
            if not _is_level(lv)
        ]
        problems += [
            f"`alternatives` stage must be one of {', '.join(STAGE_NAMES)}, got {s!r}"
            for s in self.alternatives
            if s not in STAGE_NAMES
        ]
        if self.value_noise_kind not in _NOISE_KINDS:
            problems.append(f"`value_noise_kind` must be relative or absolute, got {self.value_noise_kind!r}")
        sds = [("value_noise", self.value_noise)] + [
            (f"value_noise_by_indicator[{k}]", v) for k, v in self.value_noise_by_indicator.items()
        ]
        problems += [f"`{n}` must be a non-negative number, got {v}" for n, v in sds if not float(v) >= 0]
        if problems:
            raise InputError("invalid uncertainty spec", problems)

    @property
    def has_value_noise(self) -> bool:
        """Whether any indicator gets measurement noise."""
        return self.value_noise > 0 or any(v > 0 for v in self.value_noise_by_indicator.values())

    def factors(self) -> tuple[Factor, ...]:
        """The factors with an effect, in a fixed order: weight levels, stages (pipeline order), values."""
        out = [
            Factor(f"weights:{lv}", "weights", level=int(lv))
            for lv, f in sorted(self.weight_noise.items())
            if f > 0
        ]
        out += [
            Factor(stage, "stage", stage=stage)
            for stage in STAGE_NAMES
            if stage in self.alternatives and len(self.alternatives[stage].methods) > 1
        ]
        if self.has_value_noise:
            out.append(Factor("values", "values"))
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; `from_dict` reads it back to an equal spec."""
        return {
            "weight_noise": {str(lv): float(f) for lv, f in sorted(self.weight_noise.items())},
            "alternatives": {
                s: {"methods": [dict(m) for m in c.methods], "probabilities": list(c.probabilities)}
                for s, c in self.alternatives.items()
            },
            "value_noise": float(self.value_noise),
            "value_noise_kind": self.value_noise_kind,
            "value_noise_by_indicator": {k: float(v) for k, v in self.value_noise_by_indicator.items()},
        }

    def to_json(self) -> str:
        """`to_dict` as canonical JSON, spaced layout (`qiangji.core.canonical`; stored with every run)."""
        return canonical_json(self.to_dict(), layout="spaced")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UncertaintySpec:
        """Read a spec from `to_dict` output (or a hand-written YAML/JSON mapping of the same shape)."""
        if not isinstance(data, Mapping):
            raise InputError(f"uncertainty spec must be a mapping, got {type(data).__name__}")
        known = {
            "weight_noise",
            "alternatives",
            "value_noise",
            "value_noise_kind",
            "value_noise_by_indicator",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"uncertainty spec keys must be among {', '.join(sorted(known))}, got {unknown}")
        alternatives = {}
        for stage, choice in dict(data.get("alternatives") or {}).items():
            if isinstance(choice, Mapping):
                alternatives[stage] = MethodChoice.of(choice.get("methods", []), choice.get("probabilities"))
            else:
                alternatives[stage] = MethodChoice.of(choice)
        return cls(
            weight_noise={_level(lv): float(f) for lv, f in dict(data.get("weight_noise") or {}).items()},
            alternatives=alternatives,
            value_noise=float(data.get("value_noise", 0.0)),
            value_noise_kind=str(data.get("value_noise_kind", "relative")),
            value_noise_by_indicator={
                str(k): float(v) for k, v in dict(data.get("value_noise_by_indicator") or {}).items()
            },
        )


def _method_spec(method: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(method, str):
        return {"method": method}
    if isinstance(method, Mapping) and isinstance(method.get("method"), str):
        return dict(method)
    raise InputError(f"a method must be a name or a mapping with a `method` name, got {method!r}")


def _is_level(level: object) -> bool:
    return isinstance(level, int) and not isinstance(level, bool) and level >= 1


def _level(level: object) -> int:
    try:
        value = int(str(level))
    except ValueError:
        raise InputError(f"`weight_noise` levels must be integers ≥ 1, got {level!r}") from None
    return value
