"""The index for a block of Monte-Carlo replications at once: no per-replication pipeline run.

`Model` prepares, once, every *variant* of the indicator matrix (one per combination of the impute, treat
and normalise alternatives; a handful) with the pipeline's own stage functions, and the per-node aggregate
method of every aggregate alternative. `Model.index_scores` then aggregates a block of replications with
their own weights, bottom-up over the compiled tree, on arrays ``(replications, units)`` per node:

- the arithmetic and geometric means are accumulated child by child, ``Σ wᵢxᵢ / Σ wᵢ`` and
  ``exp(Σ wᵢ ln xᵢ / Σ wᵢ)`` over the children present (the formulas of
  `qiangji.core.index.methods.aggregate`, which the tests check this against); ``ln x`` of a variant's
  indicator matrix is taken once, and a geometric node's log-score feeds a geometric parent directly;
- any other aggregator is called from the registry on the stacked children ``(replications, units, c)``.

Every operation is element-wise along the replication axis, so a replication's score does not depend on
which other replications share its block (results do not depend on the chunk size).
With measurement noise the indicator matrix differs per replication: noise is added to the imputed values
of the measured cells (the scale on which they were measured), clipped to each indicator's bounds, then
each replication is treated (element-wise treatments such as ``log1p`` at once for the whole block;
data-dependent ones such as winsorisation replication by replication) and the block is normalised with
``pipeline.normalise_matrix``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qiangji.core.errors import InputError
from qiangji.core.index.data import IndexData
from qiangji.core.index.framework import Framework, MethodSpec
from qiangji.core.index.methods import aggregators, treatments
from qiangji.core.index.pipeline import aggregate_tree, gate_of, impute_matrix, normalise_matrix, treat_matrix

__all__ = ["Model", "Variant"]

FloatArray = NDArray[np.float64]
INDICATOR_STAGES = ("impute", "treat", "normalise")


@dataclass(frozen=True, eq=False)
class Variant:
    """One combination of impute/treat/normalise alternatives, prepared for aggregation."""

    framework: Framework
    imputed: FloatArray  # (units, indicators), after imputation (measurement noise is added here)
    treated: FloatArray  # (units, indicators), after imputation and treatment
    normalised: FloatArray  # (units, indicators), nominal values
    log: FloatArray  # ln of `normalised` where positive, NaN elsewhere
    complete: bool  # no missing normalised value

    def columns(self, geometric: bool) -> FloatArray:
        """``(indicators, units)`` C-contiguous values (or logs), the layout `np.einsum` reads fastest."""
        key = "_log_t" if geometric else "_value_t"
        if key not in self.__dict__:
            object.__setattr__(
                self, key, np.ascontiguousarray((self.log if geometric else self.normalised).T)
            )
        out: FloatArray = self.__dict__[key]
        return out

    def leaf_block(self, columns: tuple[int, ...], geometric: bool) -> LeafBlock:
        """The values (or logs) of indicator ``columns`` as one `LeafBlock`, prepared once per variant."""
        cache: dict[tuple[tuple[int, ...], bool], LeafBlock] = self.__dict__.setdefault("_leaf_blocks", {})
        key = (columns, geometric)
        if key not in cache:
            cache[key] = LeafBlock.of((self.log if geometric else self.normalised)[:, list(columns)].T)
        return cache[key]


@dataclass(frozen=True, eq=False)
class LeafBlock:
    """The indicator values ``(children, units)`` a group of leaves shares with every replication.

    Everything `_leaf_mean` needs that does not depend on the weights is prepared here once, instead of
    once per chunk of replications: the values with the gaps set to 0, the units with a gap and their
    presence mask.
    """

    values: FloatArray  # (children, units), C-ordered, NaN where missing
    complete: bool
    zeroed: FloatArray  # values with the gaps set to 0 (Y₀)
    gaps: NDArray[np.intp]  # units with at least one child missing
    present_at_gaps: FloatArray  # (children, gaps) presence mask M at those units, 1.0 or 0.0
    present_count: NDArray[np.intp]  # (units,) children present

    @classmethod
    def of(cls, values: FloatArray) -> LeafBlock:
        y = np.ascontiguousarray(values, dtype=np.float64)
        present = ~np.isnan(y)
        gaps = np.flatnonzero(~present.all(axis=0))
        return cls(
            values=y,
            complete=not gaps.size,
            zeroed=np.ascontiguousarray(np.where(present, y, 0.0)),
            gaps=gaps,
            present_at_gaps=present[:, gaps].astype(np.float64),
            present_count=present.sum(axis=0),
        )


class _Value:
    """A node's scores for a block, ``(n, units)`` or shared ``(units,)``, kept as value and/or log."""

    def __init__(self, value: FloatArray | None = None, log: FloatArray | None = None) -> None:
        self._value, self._log = value, log

    def value(self) -> FloatArray:
        if self._value is None:
            self._value = np.exp(self._log if self._log is not None else np.nan)
        return self._value

    def log(self, code: str) -> FloatArray:
        if self._log is None:
            v = self.value()
            if np.any(v <= 0):
                raise InputError(
                    f"node `{code}` (geometric aggregation): `values` must be positive for the geometric "
                    f"mean, got {float(np.nanmin(v))}"
                )
            with np.errstate(invalid="ignore", divide="ignore"):
                self._log = np.log(v)
        return self._log


class Model:
    """The framework and data, prepared for vectorised evaluation under method alternatives.

    ``alternatives[stage]`` lists the method specs a replication may use at that stage (``None`` keeps the
    framework's own methods); a replication's choice is one index per stage.
    """

    def __init__(
        self,
        framework: Framework,
        data: IndexData,
        alternatives: Mapping[str, Sequence[Mapping[str, Any] | None]],
    ) -> None:
        self.framework = framework
        self.data = data
        self.alternatives = {s: list(alternatives.get(s) or [None]) for s in (*INDICATOR_STAGES, "aggregate")}
        shape = [len(self.alternatives[s]) for s in INDICATOR_STAGES]
        self.variant_shape = tuple(shape)
        self.variants = [self._variant(combo) for combo in itertools.product(*(range(n) for n in shape))]
        self.aggregate_specs = [self._aggregate_specs(a) for a in self.alternatives["aggregate"]]
        self._check_combinations()
        gate = gate_of(framework, data)
        # the compliance gate caps every replication's total as it caps the published one, so a gated
        # unit's rank interval is that of its capped score
        self.caps = None if gate is None else gate.cap_score

    def variant_index(self, choices: Mapping[str, NDArray[np.int64]]) -> NDArray[np.int64]:
        """The variant of each replication from its impute/treat/normalise choices."""
        idx = tuple(choices[s] for s in INDICATOR_STAGES)
        return np.ravel_multi_index(idx, self.variant_shape).astype(np.int64)

    def index_scores(
        self,
        weights: Mapping[int, FloatArray],
        variant: NDArray[np.int64],
        aggregate: NDArray[np.int64],
        noise: FloatArray | None = None,
    ) -> FloatArray:
        """Index scores ``(n, units)`` of n replications.

        ``weights[g]`` are the child weights ``(n, children)`` of group node g; ``variant`` and ``aggregate``
        the replications' choices (n,); ``noise`` is added to the imputed and treated values before
        normalisation, ``(n, units, indicators)`` (zero at unmeasured cells), or None.
        """
        n = variant.shape[0]
        combos = sorted(set(zip(variant.tolist(), aggregate.tolist(), strict=True)))
        if len(combos) == 1:  # the usual block (`uncertainty` groups the replications by combination)
            out = self._combination(*combos[0], weights, noise, n)
        else:
            out = np.empty((n, len(self.data.units)))
            for v, a in combos:
                rows = np.flatnonzero((variant == v) & (aggregate == a))
                w = {g: arr[rows] for g, arr in weights.items()}
                out[rows] = self._combination(v, a, w, None if noise is None else noise[rows], rows.size)
        return out if self.caps is None else np.minimum(out, self.caps)

    def _combination(
        self, v: int, a: int, weights: Mapping[int, FloatArray], noise: FloatArray | None, n: int
    ) -> FloatArray:
        """Index scores ``(n, units)`` of n replications that all use variant v and aggregate choice a."""
        method = self._single_mean(self.aggregate_specs[a])
        if noise is None and method and self.variants[v].complete:
            return self._collapsed(self.variants[v], method == "geometric", weights, n)
        return self._tree(self.variants[v], self.aggregate_specs[a], weights, noise, n)

    @staticmethod
    def _single_mean(specs: Mapping[int, MethodSpec]) -> str | None:
        """ "arithmetic" or "geometric" when every group uses that mean without parameters, else None."""
        methods = {(s.method, bool(s.params)) for s in specs.values()}
        if len(methods) == 1:
            method, has_params = methods.pop()
            if method in ("arithmetic", "geometric") and not has_params:
                return method
        return None

    def _collapsed(
        self, variant: Variant, geometric: bool, weights: Mapping[int, FloatArray], n: int
    ) -> FloatArray:
        """Complete data and one mean everywhere: the nested means collapse into one weighted mean.

        With no child missing, ``Σ_g v_g (Σ_j w_gj y_j / Σ_j w_gj) / Σ_g v_g = Σ_j e_j y_j / Σ_j e_j`` with
        ``e_j`` the product of the normalised weights on the path of indicator j (y = x, or ln x for the
        geometric mean), so a replication costs one product with the indicator matrix.
        """
        fw = self.framework
        eff = np.ones((n, len(fw.nodes)))
        for g in fw.groups[::-1]:
            w = (
                weights[int(g)]
                if int(g) in weights
                else np.broadcast_to(fw.weights[g], (n, fw.weights[g].size))
            )
            eff[:, fw.children[g]] = eff[:, g : g + 1] * (w / w.sum(axis=1, keepdims=True))
        e = eff[:, fw.column >= 0]
        out: FloatArray = np.einsum("nc,cu->nu", e, variant.columns(geometric)) / e.sum(axis=1, keepdims=True)
        return np.exp(out) if geometric else out

    def _variant(self, combo: tuple[int, ...]) -> Variant:
        overrides = {s: self.alternatives[s][i] for s, i in zip(INDICATOR_STAGES, combo, strict=True)}
        fw = self.framework.with_methods(**overrides) if any(overrides.values()) else self.framework
        d = self.data
        imputed = impute_matrix(fw, d.values, attributes=d.attributes, history=d.history)
        treated, _ = treat_matrix(fw, imputed)
        normalised = normalise_matrix(fw, treated, targets=d.targets)
        with np.errstate(invalid="ignore", divide="ignore"):
            log = np.where(normalised > 0, np.log(np.where(normalised > 0, normalised, 1.0)), np.nan)
        return Variant(fw, imputed, treated, normalised, log, bool(not np.isnan(normalised).any()))

    def _aggregate_specs(self, spec: Mapping[str, Any] | None) -> dict[int, MethodSpec]:
        fw = self.framework.with_methods(aggregate=spec) if spec is not None else self.framework
        return {int(g): fw.nodes[g].methods["aggregate"] for g in fw.groups}

    def _check_combinations(self) -> None:
        """Run the pipeline's own aggregation once per combination, so that its errors surface up front."""
        for variant, spec in itertools.product(self.variants, self.alternatives["aggregate"]):
            fw = variant.framework.with_methods(aggregate=spec) if spec is not None else variant.framework
            aggregate_tree(fw, variant.normalised)

    def _tree(
        self,
        variant: Variant,
        specs: Mapping[int, MethodSpec],
        weights: Mapping[int, FloatArray],
        noise: FloatArray | None,
        n: int,
    ) -> FloatArray:
        fw = self.framework
        values: dict[int, _Value] = {}
        leaves = fw.column >= 0
        if noise is None:
            for i in np.flatnonzero(leaves):
                c = fw.column[i]
                values[int(i)] = _Value(variant.normalised[:, c], variant.log[:, c])
        else:
            noisy = _clip_to_bounds(variant.framework, variant.imputed[None] + noise)
            normalised = normalise_matrix(
                variant.framework, _treat_block(variant.framework, noisy), targets=self.data.targets
            )
            for i in np.flatnonzero(leaves):
                values[int(i)] = _Value(normalised[..., fw.column[i]])
        for g in fw.groups:
            g = int(g)
            w = weights[g] if g in weights else np.broadcast_to(fw.weights[g], (1, fw.weights[g].size))
            kids = [values.pop(int(k)) for k in fw.children[g]]
            spec, min_data = specs[g], fw.nodes[g].min_data
            if noise is None and _plain_mean(spec) and leaves[fw.children[g]].all():
                geometric = spec.method == "geometric"
                block = variant.leaf_block(tuple(int(c) for c in fw.column[fw.children[g]]), geometric)
                out = _leaf_mean(block, w, min_data)
                values[g] = _Value(log=out) if geometric else _Value(out)
            else:
                values[g] = _aggregate(fw.nodes[g].code, spec, kids, w, min_data)
        top = values[int(fw.groups[-1])].value()
        shape = (n, len(self.data.units))
        # a mean computed here is a fresh array of its own; anything else (a view, a broadcast row) is copied
        return top if top.shape == shape and top.flags.owndata else np.broadcast_to(top, shape).copy()


def _plain_mean(spec: MethodSpec) -> bool:
    return spec.method in ("arithmetic", "geometric") and not spec.params


def _aggregate(
    code: str, spec: MethodSpec, kids: list[_Value], w: FloatArray, min_data: float | None
) -> _Value:
    if _plain_mean(spec):
        return _mean(code, spec.method == "geometric", kids, w, min_data)
    stacked = np.stack(np.broadcast_arrays(*(k.value() for k in kids)), axis=-1)
    if stacked.ndim == 2:
        stacked = stacked[None]
    try:
        out = aggregators[spec.method](stacked, w, min_data=min_data, **spec.params)
    except InputError as exc:
        raise InputError(f"node `{code}` ({spec.method} aggregation): {exc}") from None
    return _Value(out)


def _mean(code: str, geometric: bool, kids: list[_Value], w: FloatArray, min_data: float | None) -> _Value:
    """``Σ wᵢyᵢ / Σ wᵢ`` over the children present, y = x (arithmetic) or ln x (geometric, then exp)."""
    ys = [kid.log(code) if geometric else kid.value() for kid in kids]
    missing = [bool(np.isnan(y).any()) for y in ys]
    if not any(missing):
        out = _weighted_sum(ys, w)
        out /= w.sum(axis=1, keepdims=True)
    elif all(y.ndim == 1 for y in ys):
        out = _shared_gaps_mean(LeafBlock.of(np.stack(ys)), w, min_data)
    else:
        num: Any = 0.0
        wsum: Any = 0.0
        count: Any = 0.0
        for j, y in enumerate(ys):
            present = ~np.isnan(y)
            wj = w[:, j : j + 1]
            num = num + np.where(present, wj * y, 0.0)
            wsum = wsum + np.where(present, wj, 0.0)
            count = count + present
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(wsum > 0, num / wsum, np.nan)
        if min_data is not None:
            out = np.where(count / len(kids) < min_data, np.nan, out)
    return _Value(log=out) if geometric else _Value(out)


def _leaf_mean(block: LeafBlock, w: FloatArray, min_data: float | None) -> FloatArray:
    """`_mean` of a group of leaves from its prepared `LeafBlock`: the same operations in the same order."""
    if block.complete:
        out: FloatArray = np.einsum("nc,cu->nu", w, block.values)
        out /= w.sum(axis=1, keepdims=True)
        return out
    return _shared_gaps_mean(block, w, min_data)


def _shared_gaps_mean(block: LeafBlock, w: FloatArray, min_data: float | None) -> FloatArray:
    """``Σ wᵢyᵢ / Σ wᵢ`` over the children present when every replication shares the values ``y``
    ``(children, units)``, some missing: numerator W·Y₀ and denominator W·M, with Y₀ the values with the
    gaps set to 0 and M the presence mask.

    Both add the children's terms in order, one at a time, as the child-by-child loop of `_mean` does (a
    missing child's term w·0 = 0 is the 0 that loop adds), so the sums are the same to the bit. W·M equals
    the row sums of W except in the units with a gap, so it is formed for those alone.
    """
    out = _ordered_product(w, block.zeroed)
    total = w[:, 0].copy()
    for j in range(1, w.shape[1]):
        total += w[:, j]
    gaps = block.gaps
    wsum = _ordered_product(w, block.present_at_gaps)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap_means = np.where(wsum > 0, out[:, gaps] / wsum, np.nan)
        out /= total[:, None]  # total = 0 only if every weight is 0, and then 0/0 gives the NaN wanted
    out[:, gaps] = gap_means
    if min_data is not None:
        out = np.where(block.present_count / block.values.shape[0] < min_data, np.nan, out)
    return out


def _ordered_product(w: FloatArray, y: FloatArray) -> FloatArray:
    """``Σ_j w[:, j] · y[j]`` → (n, units), the terms added in child order one at a time.

    `np.einsum` does so, in one pass, when ``y`` is C-ordered with more than one unit (its inner loop then
    runs along the units); otherwise it may sum the children with several accumulators, so for a single
    unit they are added here one by one.
    """
    if y.shape[1] > 1:
        return np.asarray(np.einsum("nc,cu->nu", w, np.ascontiguousarray(y)), dtype=np.float64)
    acc: FloatArray = w[:, :1] * y[0]
    for j in range(1, y.shape[0]):
        acc = acc + w[:, j : j + 1] * y[j]
    return acc


def _weighted_sum(ys: list[FloatArray], w: FloatArray) -> FloatArray:
    """``Σ_j w[:, j] · y_j`` → (n, units); one einsum when every y_j is shared by the replications.

    ``einsum`` (not BLAS ``matmul``) keeps each output element's summation order independent of the
    number of rows, so a replication's result does not depend on its chunk.
    """
    if all(y.ndim == 1 for y in ys):
        return np.asarray(np.einsum("nc,cu->nu", w, np.stack(ys)), dtype=np.float64)
    acc = w[:, :1] * ys[0]
    shape = (w.shape[0], ys[0].shape[-1])
    if acc.shape != shape:
        acc = np.broadcast_to(acc, shape).copy()
    tmp = np.empty_like(acc)
    for j in range(1, len(ys)):
        np.multiply(w[:, j : j + 1], ys[j], out=tmp)
        acc += tmp
    return acc


ELEMENTWISE_TREATMENTS = frozenset({"none", "log1p"})


def _clip_to_bounds(fw: Framework, x: FloatArray) -> FloatArray:
    """Noisy values stay in each indicator's domain (a count is never negative, a rate never over 100 %)."""
    lo = np.array([_bound(fw, c, 0) for c in fw.indicators])
    hi = np.array([_bound(fw, c, 1) for c in fw.indicators])
    return np.clip(x, lo, hi)


def _bound(fw: Framework, code: str, side: int) -> float:
    bounds = fw.node(code).bounds
    value = None if bounds is None else bounds[side]
    return (-np.inf, np.inf)[side] if value is None else float(value)


def _treat_block(fw: Framework, x: FloatArray) -> FloatArray:
    """`pipeline.treat_matrix` for a block ``(replications, units, indicators)``.

    Element-wise treatments run on the whole block; a data-dependent treatment (winsorisation, the
    min/max-based ``log``) sees one replication's column at a time, exactly as the nominal pipeline does.
    """
    out = np.array(x, dtype=np.float64, copy=True)
    for spec, cols in fw.plan["treat"]:
        treat = treatments[spec.method]
        if spec.method in ELEMENTWISE_TREATMENTS:
            out[..., cols] = treat(out[..., cols], **spec.params)[0]
            continue
        for r, c in itertools.product(range(out.shape[0]), cols):
            out[r, :, c] = treat(out[r, :, c], **spec.params)[0]
    return out
