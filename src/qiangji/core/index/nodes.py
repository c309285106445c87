"""A framework file's nodes (indicators and groups), each validated while the tree is walked, with its
methods resolved (file defaults, overridden down the tree) and its ``per: year`` amounts pro-rated; the
file's format and the compiled arrays are described in `qiangji.core.index.framework`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from qiangji.core.errors import InputError
from qiangji.core.index.methods import STAGES
from qiangji.core.index.period import PER_VALUES, scale_bounds, scale_params
from qiangji.core.index.rules import Floor, node_floor

INDICATOR_STAGES = ("impute", "treat", "normalise")
NODE_KEYS = frozenset(
    {
        "code",
        "name",
        "weight",
        "direction",
        "bounds",
        "unit",
        "children",
        "method",
        "min_data",
        "description",
        "per",
        "missing",
        "per_unit_targets",
    }
)


@dataclass(frozen=True)
class MethodSpec:
    """One method choice: a registered ``method`` name and its parameters."""

    method: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"method": name, **params}``, the form used in framework files."""
        return {"method": self.method, **copy.deepcopy(dict(self.params))}


@dataclass(frozen=True)
class Node:
    """A node of the tree: an indicator (no children) or a group."""

    code: str
    name: Mapping[str, str]
    weight: float
    children: tuple[str, ...]
    methods: Mapping[str, MethodSpec]
    direction: int | None = None
    bounds: tuple[float | None, float | None] | None = None
    unit: str | None = None
    min_data: float | None = None
    per: str | None = None
    """``"year"`` for a flow indicator whose bounds and absolute method parameters are per year."""
    scale: float = 1.0
    """Factor applied to those amounts: the framework's period fraction if ``per`` is set, else 1."""
    missing: Floor | None = None
    """Score of a missing value (`qiangji.core.index.rules`); None: no floor (dropped, weights re-spread)."""
    per_unit_targets: bool = False
    """Whether a unit's own target may replace the full-marks goalpost (`qiangji.core.index.targets`)."""

    @property
    def is_indicator(self) -> bool:
        """True for a leaf (an indicator read from the data)."""
        return not self.children

    def label(self, lang: str = "en") -> str:
        """The node's name in ``lang`` (falling back to any name, then the code)."""
        return self.name.get(lang) or next(iter(self.name.values()), self.code)


def _as_spec_dict(spec: Any) -> dict[str, Any]:
    if isinstance(spec, str):
        return {"method": spec}
    if isinstance(spec, Mapping):
        return dict(spec)
    raise InputError(f"`method` must be a name or a mapping with `method`, got {spec!r}")


@dataclass
class _Builder:
    """Mutable state while compiling: the flat post-order lists and the problems found."""

    fraction: float = 1.0
    floor: float | None = None
    """The file-level score of a missing value (``missing: {floor: …}``), inherited by every indicator."""
    errors: list[str] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    kids: list[list[int]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    inherited: set[str] = field(default_factory=set)
    """Problems of the file-level defaults, reported once there rather than again at every node."""

    def err(self, where: str, msg: str) -> None:
        if msg not in self.inherited:
            self.errors.append(f"node {where}: {msg}")


def _resolve(
    b: _Builder,
    where: str,
    inherited: Mapping[str, MethodSpec],
    own: Any,
    check: Sequence[str],
    direction: int,
) -> dict[str, MethodSpec]:
    """Merge a node's ``method`` overrides into the inherited specs and check the stages in ``check``."""
    out = {
        k: MethodSpec(v.method, {p: q for p, q in v.params.items() if p != "method"})
        for k, v in inherited.items()
    }
    if own is not None and not isinstance(own, Mapping):
        b.err(where, f"`method` must be a mapping of stage → method, got {own!r}")
        own = {}
    for stage, raw in (own or {}).items():
        if stage not in STAGES:
            b.err(where, f"`method` stage must be one of {', '.join(STAGES)}, got {stage!r}")
            continue
        if not isinstance(raw, (str, Mapping)):
            b.err(where, f"`{stage}` must be a method name or mapping, got {raw!r}")
            continue
        spec = _as_spec_dict(raw)
        name = spec.pop("method", out[stage].method)
        params = spec if name != out[stage].method else {**out[stage].params, **spec}
        out[stage] = MethodSpec(str(name), params)
    for stage in check:
        for problem in STAGES[stage].check(out[stage].method, out[stage].params, direction):
            b.err(where, problem)
    return out


def _walk(b: _Builder, raw: Any, inherited: Mapping[str, MethodSpec], where: str, top: bool = False) -> int:
    """Validate ``raw`` and its subtree, append them in post-order; return the node's position."""
    if not isinstance(raw, Mapping):
        b.err(where, f"must be a mapping with `code`, got {raw!r}")
        return -1
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip():
        b.err(where, f"`code` must be a non-empty string, got {code!r}")
        code = where
    else:
        where = f"`{code}`"
        if code in b.seen:
            b.err(where, "`code` must be unique in the framework, got a duplicate")
        b.seen.add(code)
    if not top:
        for key in sorted(set(raw) - NODE_KEYS):
            b.err(where, f"`{key}` is not a node key (keys: {', '.join(sorted(NODE_KEYS))})")
    weight = _weight(b, where, raw.get("weight", 1))
    children_raw = raw.get("children")
    is_group = "children" in raw or top
    if is_group:
        return _group(b, raw, code, where, weight, inherited, children_raw)
    return _indicator(b, raw, code, where, weight, inherited)


def _weight(b: _Builder, where: str, weight: Any) -> float:
    if (
        isinstance(weight, bool)
        or not isinstance(weight, (int, float))
        or not math.isfinite(weight)
        or weight <= 0
    ):
        b.err(where, f"`weight` must be a positive number, got {weight!r}")
        return 1.0
    return float(weight)


def _group(
    b: _Builder,
    raw: Mapping[str, Any],
    code: str,
    where: str,
    weight: float,
    inherited: Mapping[str, MethodSpec],
    children_raw: Any,
) -> int:
    for key in ("direction", "bounds", "unit", "per", "missing", "per_unit_targets"):
        if key in raw and raw[key] is not None:
            b.err(where, f"`{key}` applies to indicators only, got it on a group")
    methods = _resolve(b, where, inherited, raw.get("method"), ("aggregate",), 1)
    if not isinstance(children_raw, list) or not children_raw:
        b.err(where, f"a group must have a non-empty list of `children`, got {children_raw!r}")
        children_raw = []
    kids = [_walk(b, c, methods, f"#{n + 1} under {where}") for n, c in enumerate(children_raw)]
    min_data = _min_data(b, where, raw.get("min_data"))
    node = Node(
        code,
        _name(b, where, raw.get("name"), code),
        weight,
        tuple(b.nodes[k].code for k in kids if k >= 0),
        MappingProxyType(methods),
        min_data=min_data,
    )
    b.nodes.append(node)
    b.kids.append([k for k in kids if k >= 0])
    return len(b.nodes) - 1


def _indicator(
    b: _Builder,
    raw: Mapping[str, Any],
    code: str,
    where: str,
    weight: float,
    inherited: Mapping[str, MethodSpec],
) -> int:
    direction = raw.get("direction")
    if direction is None:
        b.err(where, "`direction` must be given for an indicator (1: higher is better, -1: lower is better)")
        direction = 1
    elif direction not in (1, -1) or isinstance(direction, bool):
        b.err(where, f"`direction` must be 1 or -1, got {direction!r}")
        direction = 1
    bounds = _bounds(b, where, raw.get("bounds"))
    if "min_data" in raw:
        b.err(where, "`min_data` applies to groups only, got it on an indicator")
    methods = _resolve(b, where, inherited, raw.get("method"), INDICATOR_STAGES, int(direction))
    unit = raw.get("unit")
    per = _per(b, where, raw.get("per"), methods)
    scale = b.fraction if per else 1.0
    node = Node(
        code,
        _name(b, where, raw.get("name"), code),
        weight,
        (),
        MappingProxyType(_scaled_methods(methods, scale)),
        direction=int(direction),
        bounds=scale_bounds(bounds, scale) if scale != 1.0 else bounds,
        unit=None if unit is None else str(unit),
        per=per,
        scale=scale,
        missing=node_floor(raw, b.floor, lambda msg: b.err(where, msg)),
        per_unit_targets=_per_unit_targets(b, where, raw.get("per_unit_targets", False), int(direction)),
    )
    b.nodes.append(node)
    b.kids.append([])
    return len(b.nodes) - 1


def _per_unit_targets(b: _Builder, where: str, raw: Any, direction: int) -> bool:
    """``per_unit_targets``: a unit's own target is an amount it is expected to reach (higher is better)."""
    if not isinstance(raw, bool):
        b.err(where, f"`per_unit_targets` must be true or false, got {raw!r}")
        return False
    if raw and direction != 1:
        b.err(where, f"`per_unit_targets` needs a higher-is-better indicator (direction 1), got {direction}")
    return bool(raw)


def _bounds(b: _Builder, where: str, raw: Any) -> tuple[float | None, float | None] | None:
    if raw is None:
        return None
    ok = (
        isinstance(raw, list)
        and len(raw) == 2
        and all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
            for v in raw
        )
    )
    if not ok:
        b.err(where, f"`bounds` must be [low, high] (numbers or null), got {raw!r}")
        return None
    lo, hi = (None if v is None else float(v) for v in raw)
    if lo is not None and hi is not None and lo >= hi:
        b.err(where, f"`bounds` must have low < high, got [{raw[0]}, {raw[1]}]")
    return lo, hi


def _per(b: _Builder, where: str, raw: Any, methods: Mapping[str, MethodSpec]) -> str | None:
    """Check ``per`` and that the indicator's methods can be pro-rated (`qiangji.core.index.framework`)."""
    if raw is None:
        return None
    if raw not in PER_VALUES:
        b.err(where, f"`per` must be one of {', '.join(PER_VALUES)} (amounts stated per year), got {raw!r}")
        return None
    for stage in INDICATOR_STAGES:
        spec = methods[stage]
        if STAGES[stage].absolute(spec.method) is None:
            b.err(
                where,
                f"`per` cannot pro-rate the {stage} method {spec.method!r} (its levels are not amounts)",
            )
    norm = methods["normalise"]
    absolute = [k for k in STAGES["normalise"].absolute(norm.method) or () if k in norm.params]
    if absolute and methods["treat"].method != "none":
        b.err(
            where,
            f"`per` pro-rates {', '.join(f'`{k}`' for k in absolute)} of normaliser {norm.method!r}, which "
            f"must then read untreated values, got treatment {methods['treat'].method!r}",
        )
    return str(raw)


def _scaled_methods(methods: Mapping[str, MethodSpec], scale: float) -> dict[str, MethodSpec]:
    """The methods with their absolute parameters × ``scale`` (unchanged when ``scale`` is 1)."""
    if scale == 1.0:
        return dict(methods)
    out = {}
    for stage, spec in methods.items():
        names = STAGES[stage].absolute(spec.method) or ()
        out[stage] = MethodSpec(spec.method, scale_params(spec.params, names, scale)) if names else spec
    return out


def _min_data(b: _Builder, where: str, raw: Any) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw <= 1:
        b.err(where, f"`min_data` must be a share between 0 and 1, got {raw!r}")
        return None
    return float(raw)


def _name(b: _Builder, where: str, raw: Any, code: str) -> Mapping[str, str]:
    if raw is None:
        return MappingProxyType({"en": code})
    if isinstance(raw, str):
        return MappingProxyType({"en": raw})
    if isinstance(raw, Mapping) and all(isinstance(v, str) for v in raw.values()):
        return MappingProxyType({str(k): v for k, v in raw.items()})
    b.err(where, f"`name` must be a string or a mapping of language → string, got {raw!r}")
    return MappingProxyType({"en": code})
