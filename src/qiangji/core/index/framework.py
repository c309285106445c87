"""The framework file: the indicator tree, its weights and methods (docs/design.md#framework-file), loaded
and compiled.

``load_framework(path)`` reads YAML or JSON; ``Framework.from_dict`` validates (collecting every problem,
each message naming the node) and compiles the tree into arrays the pipeline, and the Monte-Carlo
uncertainty analysis, iterate over:

* ``nodes``: every node in post-order (children before their parent; the index node is last);
* ``index[code]``: position of a node in ``nodes``;
* ``indicators``: the leaf codes in post-order, which is the column order of every indicator matrix;
* ``column[i]``: the indicator column of node i, or −1 for a group;
* ``children[i]``: integer array of the positions of node i's children (empty for an indicator);
* ``weights[i]``: the children's relative weights, aligned with ``children[i]``;
* ``parent[i]``: position of the parent (−1 for the index node);
* ``level[i]``: 1 for an indicator, 1 + the highest child level for a group (the index is the top level);
* ``groups``: positions of the group nodes in post-order, i.e. a valid aggregation order;
* ``nodes[i].methods``: the node's resolved methods (file defaults, overridden down the tree).

Method overrides inherit down the tree: a node's ``method: {normalise: {...}}`` applies to it and to its
descendants; an override naming the same method (or none) only changes parameters.

A flow indicator whose amounts are stated per year carries ``per: year``; a framework compiled for a
period lasting a fraction ``f`` of a year (``period_fraction``, ``for_period``) holds that indicator's
``bounds`` and absolute method parameters × f (`qiangji.core.index.period`), while ``to_dict``/``to_json``
keep the file's own (per-year) text. ``per`` needs methods whose amounts can be pro-rated: not an ordinal
table, and no (non-linear) treatment before a normaliser with a target or goalposts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qiangji.core.canonical import canonical_json
from qiangji.core.errors import InputError
from qiangji.core.index.methods import STAGES
from qiangji.core.index.nodes import (
    INDICATOR_STAGES,
    MethodSpec,
    Node,
    _as_spec_dict,
    _Builder,
    _resolve,
    _walk,
)
from qiangji.core.index.period import check_fraction
from qiangji.core.index.rules import Rules, parse_rules

# MethodSpec and Node are defined with the nodes (`qiangji.core.index.nodes`) and re-exported: the project
# imports them from here.
__all__ = [
    "DEFAULT_METHODS",
    "INDICATOR_STAGES",
    "TOP_KEYS",
    "Framework",
    "MethodSpec",
    "Node",
    "load_framework",
    "parse_method",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

DEFAULT_METHODS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "impute": {"method": "none"},
        "treat": {"method": "none"},
        "normalise": {"method": "minmax", "low": 0, "high": 100},
        "aggregate": {"method": "arithmetic"},
    }
)
TOP_KEYS = frozenset(
    {
        "code",
        "name",
        "version",
        "method",
        "nodes",
        "tie_break",
        "description",
        "missing",
        "gate",
        "tiers",
        "progress",
    }
)


@dataclass(frozen=True, eq=False)
class Framework:
    """A validated, compiled framework (see the module docstring for the compiled arrays)."""

    code: str
    name: Mapping[str, str]
    version: str
    nodes: tuple[Node, ...]
    index: Mapping[str, int]
    indicators: tuple[str, ...]
    column: IntArray
    children: tuple[IntArray, ...]
    weights: tuple[FloatArray, ...]
    parent: IntArray
    level: IntArray
    groups: IntArray
    tie_break: tuple[str, ...]
    source: str
    plan: Mapping[str, tuple[tuple[MethodSpec, IntArray], ...]]
    """Per indicator stage: (method spec, indicator columns using it) groups, to vectorise by method."""
    period_fraction: float = 1.0
    """Length of the period as a fraction of a year; ``per: year`` amounts are scaled by it."""
    rules: Rules = field(default_factory=Rules)
    """Missing-value floor, compliance gate, tier rule and progress baseline (`qiangji.core.index.rules`)."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, period_fraction: float = 1.0) -> Framework:
        """Validate a parsed framework file and compile it; raises ``InputError`` listing every problem."""
        return _compile(data, period_fraction)

    @classmethod
    def from_json(cls, text: str, *, period_fraction: float = 1.0) -> Framework:
        """Inverse of ``to_json`` (the period fraction is not part of the framework text)."""
        return _compile(json.loads(text), period_fraction)

    def for_period(self, period_fraction: float) -> Framework:
        """This framework compiled for a period lasting ``period_fraction`` of a year (0.25: a quarter).

        Amounts of ``per: year`` indicators are the file's × ``period_fraction`` (not × the current one).
        """
        if check_fraction(period_fraction) == self.period_fraction:
            return self
        return _compile(self.to_dict(), period_fraction)

    def to_dict(self) -> dict[str, Any]:
        """The framework as a plain dict (JSON types), loadable by ``from_dict``."""
        result: dict[str, Any] = json.loads(self.source)
        return result

    def to_json(self) -> str:
        """The framework as canonical JSON (the spec of a reproducible run)."""
        return self.source

    @property
    def root(self) -> Node:
        """The index node (the last in post-order)."""
        return self.nodes[-1]

    @property
    def top_level(self) -> int:
        """Level of the index node."""
        return int(self.level[-1])

    def node(self, code: str) -> Node:
        """The node with ``code``."""
        try:
            return self.nodes[self.index[code]]
        except KeyError:
            raise InputError(f"`node` must be a code of framework {self.code}, got {code!r}") from None

    @property
    def floors(self) -> FloatArray:
        """Score of a missing value per indicator column (NaN: not floored, the value stays missing)."""
        out = [
            np.nan if n.missing is None or n.missing.score is None else n.missing.score for n in self.leaves
        ]
        return np.array(out, dtype=np.float64)

    @property
    def leaves(self) -> tuple[Node, ...]:
        """The indicator nodes in column order."""
        return tuple(self.nodes[i] for i in np.flatnonzero(self.column >= 0))

    @property
    def fixed_scales(self) -> bool:
        """Whether every indicator is scored on scales fixed in the framework (goalposts, targets, ordinal
        tables), so that totals of different periods scored with this version are comparable."""
        fixed = {"goalposts", "target", "ordinal", "none"}
        return all(n.methods["normalise"].method in fixed for n in self.leaves)

    def effective_weights(self) -> FloatArray:
        """Nominal weight of each node in the index: product of the normalised weights on its path."""
        out = np.ones(len(self.nodes))
        for i in range(len(self.nodes) - 1, -1, -1):
            kids, w = self.children[i], self.weights[i]
            if kids.size:
                out[kids] = out[i] * w / w.sum()
        return out

    def with_methods(self, **overrides: Mapping[str, Any] | str | None) -> Framework:
        """A copy with the methods of whole stages replaced, e.g. ``with_methods(normalise="zscore")``.

        The new spec becomes the file default for the stage and every node-level override of that stage
        is dropped, so the method applies everywhere (a what-if recalculation).
        """
        data = self.to_dict()
        for stage, spec in overrides.items():
            if spec is None:
                continue
            if stage not in STAGES:
                raise InputError(f"`stage` must be one of {', '.join(STAGES)}, got {stage!r}")
            data.setdefault("method", {})[stage] = _as_spec_dict(spec)
            _drop_stage(data.get("nodes", []), stage)
        return _compile(data, self.period_fraction)


def load_framework(path: str | Path, *, period_fraction: float = 1.0) -> Framework:
    """Read and compile a framework file (``.yaml``, ``.yml`` or ``.json``), for ``period_fraction``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"`framework` must be a readable file, got {str(p)!r} ({exc.strerror})") from None
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else _yaml().safe_load(text)
    except (_yaml().YAMLError, json.JSONDecodeError) as exc:
        raise InputError(
            f"`framework` must be valid YAML or JSON, got a syntax error in {p.name}: {exc}"
        ) from None
    if not isinstance(data, Mapping):
        raise InputError(f"`framework` must be a mapping with `code` and `nodes`, got {type(data).__name__}")
    return _compile(data, period_fraction)


def parse_method(text: str) -> dict[str, Any]:
    """Parse a command-line method spec ``name[:key=value,...]``, e.g. ``minmax:low=1,high=100``."""
    name, _, rest = text.partition(":")
    spec: dict[str, Any] = {"method": name.strip()}
    for item in filter(None, (s.strip() for s in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise InputError(f"`method` parameters must be key=value, got {item!r}")
        spec[key.strip()] = _yaml().safe_load(value)
    return spec


def _yaml() -> Any:
    """PyYAML, imported on first use: a JSON framework (`qiangji index compute` on one) never needs it."""
    import yaml

    return yaml


def _drop_stage(nodes: Sequence[Any], stage: str) -> None:
    for node in nodes:
        if isinstance(node, dict):
            if isinstance(node.get("method"), dict):
                node["method"].pop(stage, None)
            _drop_stage(node.get("children") or [], stage)


def _compile(data: Mapping[str, Any], period_fraction: float = 1.0) -> Framework:
    fraction = check_fraction(period_fraction)
    data = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    b = _Builder(fraction)
    code = data.get("code")
    where = f"`{code}`" if isinstance(code, str) and code else "(index)"
    for key in sorted(set(data) - TOP_KEYS):
        b.err(where, f"`{key}` is not a framework key (keys: {', '.join(sorted(TOP_KEYS))})")
    defaults = _resolve(
        b,
        where,
        {k: MethodSpec(v["method"], v) for k, v in _defaults().items()},
        data.get("method"),
        tuple(STAGES),
        1,
    )
    b.inherited = {e.split(": ", 1)[1] for e in b.errors}
    rules = parse_rules(data, lambda msg: b.err(where, msg))
    b.floor = rules.floor
    root = {k: v for k, v in data.items() if k not in ("nodes", "method", "missing")}
    root.update(children=data.get("nodes"), weight=1)
    _walk(b, root, defaults, where=where, top=True)
    tie_break = data.get("tie_break") or []
    if not isinstance(tie_break, list):
        b.err(where, f"`tie_break` must be a list of node codes, got {tie_break!r}")
        tie_break = []
    for c in tie_break:
        if c not in b.seen:
            b.err(where, f"`tie_break` must list node codes of the framework, got {c!r}")
    if b.errors:
        raise InputError("framework file has errors", errors=b.errors)
    return _freeze(b, data, [str(c) for c in tie_break], rules)


def _defaults() -> dict[str, dict[str, Any]]:
    return {k: dict(v) for k, v in DEFAULT_METHODS.items()}


def _readonly(a: NDArray[Any]) -> NDArray[Any]:
    a.setflags(write=False)
    return a


def _freeze(b: _Builder, data: Mapping[str, Any], tie_break: list[str], rules: Rules) -> Framework:
    n = len(b.nodes)
    children = tuple(_readonly(np.asarray(k, dtype=np.int64)) for k in b.kids)
    weights = tuple(_readonly(np.array([b.nodes[j].weight for j in k], dtype=np.float64)) for k in b.kids)
    parent = np.full(n, -1, dtype=np.int64)
    level = np.ones(n, dtype=np.int64)
    for i, kids in enumerate(children):
        parent[kids] = i
        if kids.size:
            level[i] = 1 + level[kids].max()
    leaves = [i for i in range(n) if not children[i].size]
    column = np.full(n, -1, dtype=np.int64)
    column[leaves] = np.arange(len(leaves))
    root = b.nodes[-1]
    return Framework(
        code=root.code,
        name=root.name,
        version=str(data.get("version", "")),
        nodes=tuple(b.nodes),
        index=MappingProxyType({node.code: i for i, node in enumerate(b.nodes)}),
        indicators=tuple(b.nodes[i].code for i in leaves),
        column=_readonly(column),
        children=children,
        weights=weights,
        parent=_readonly(parent),
        level=_readonly(level),
        groups=_readonly(np.array([i for i in range(n) if children[i].size], dtype=np.int64)),
        tie_break=tuple(tie_break),
        source=canonical_json(data, layout="spaced"),  # stored versions hash these bytes
        plan=MappingProxyType({stage: _plan(b.nodes, leaves, stage) for stage in INDICATOR_STAGES}),
        period_fraction=b.fraction,
        rules=rules,
    )


def _plan(nodes: list[Node], leaves: list[int], stage: str) -> tuple[tuple[MethodSpec, IntArray], ...]:
    """Group the indicator columns by identical method spec (first-seen order)."""
    groups: dict[str, tuple[MethodSpec, list[int]]] = {}
    for col, i in enumerate(leaves):
        spec = nodes[i].methods[stage]
        key = json.dumps(spec.to_dict(), sort_keys=True, default=str)
        groups.setdefault(key, (spec, []))[1].append(col)
    return tuple((spec, _readonly(np.asarray(cols, dtype=np.int64))) for spec, cols in groups.values())
