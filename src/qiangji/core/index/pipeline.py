"""The index pipeline: impute → treat → normalise → aggregate → rank (JRC/OECD Handbook, steps 4–7).

``compute(framework, data)`` runs every stage and returns an immutable ``IndexResult``. The stage
functions are public and array-based so that the uncertainty analysis can run them for many replications
at once:

* ``impute_matrix(fw, x, …)`` and ``treat_matrix(fw, x)`` work on ``(units, indicators)``;
* ``normalise_matrix(fw, x)`` works on ``(..., units, indicators)``;
* ``aggregate_tree(fw, normalised, weights=…)`` returns node scores ``(..., units, nodes)`` (post-order,
  ``fw.nodes``); ``weights[i]`` may replace node i's child weights with an array ``(..., children)``;
* ``unit_weights(fw, scores)`` gives each node's effective weight in the index per unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from qiangji.core.errors import InputError
from qiangji.core.index.data import IndexData, check_bounds, data_from_frame
from qiangji.core.index.framework import Framework
from qiangji.core.index.methods import aggregators, imputers, normalisers, treatments
from qiangji.core.index.methods._arrays import FloatArray
from qiangji.core.index.rank import DEFAULT_TOLERANCE, publication_ranks
from qiangji.core.index.result import IndexResult, readonly
from qiangji.core.index.rules import GateResult, apply_gate, gate_facts
from qiangji.core.index.spec import IndexSpec
from qiangji.core.index.targets import check_targets, unit_params

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made: `qiangji index compute` needs none
    import pandas as pd


def impute_matrix(
    fw: Framework,
    x: FloatArray,
    *,
    attributes: Mapping[str, Sequence[str | None]] | None = None,
    history: FloatArray | None = None,
) -> FloatArray:
    """Apply each indicator's imputation method; returns a new ``(units, indicators)`` array."""
    out = np.array(x, dtype=np.float64, copy=True)
    for spec, cols in fw.plan["impute"]:
        if spec.method == "none":
            continue
        params = dict(spec.params)
        groups = None
        if "by" in params:
            groups = (attributes or {}).get(str(params["by"]))
            if groups is None:
                raise InputError(
                    f"`{params['by']}` must be a unit attribute column of the data for group imputation "
                    f"of {', '.join(fw.indicators[c] for c in cols)}, got no such column"
                )
        hist = None if history is None else history[:, :, cols]
        out[:, cols] = imputers[spec.method](out[:, cols], groups=groups, history=hist, **params)
    return out


def treat_matrix(fw: Framework, x: FloatArray) -> tuple[FloatArray, tuple[str, ...]]:
    """Apply each indicator's treatment column by column; returns the array and a note per indicator."""
    out = np.array(x, dtype=np.float64, copy=True)
    notes = [""] * out.shape[1]
    for spec, cols in fw.plan["treat"]:
        if spec.method == "none":
            continue
        for c in cols:
            out[:, c], notes[c] = treatments[spec.method](out[:, c], **spec.params)
    return out, tuple(notes)


def directions(fw: Framework) -> FloatArray:
    """Direction (±1) of every indicator column."""
    return np.array([fw.nodes[i].direction or 1 for i in np.flatnonzero(fw.column >= 0)], dtype=np.float64)


def normalise_matrix(fw: Framework, x: FloatArray, *, targets: FloatArray | None = None) -> FloatArray:
    """Apply the direction, then each indicator's normaliser, column group by column group; a missing
    value of an indicator with a floor (`qiangji.core.index.rules`) then scores the floor.

    ``targets`` (``(units, indicators)``, NaN = the framework's value) are per-unit full-marks amounts of
    the indicators that accept them (`qiangji.core.index.targets`); they broadcast over leading axes.
    """
    x = np.asarray(x, dtype=np.float64)
    d = directions(fw)
    out = np.empty(x.shape)
    for spec, cols in fw.plan["normalise"]:
        params = unit_params(fw, spec, cols, targets)
        at = _columns(cols, x.shape[-1])
        try:
            out[..., at] = normalisers[spec.method](x[..., at] * d[at], direction=d[at], **params)
        except InputError as exc:
            codes = ", ".join(fw.indicators[c] for c in cols)
            raise InputError(f"normalising {codes} ({spec.method}): {exc}") from None
    return apply_floors(fw, x, out)


def _columns(cols: NDArray[np.intp], n: int) -> NDArray[np.intp] | slice:
    """``cols``, or a slice when they are every column in order (a view: no gathered copy)."""
    if len(cols) == n and bool((np.asarray(cols) == np.arange(n)).all()):
        return slice(None)
    return cols


def apply_floors(fw: Framework, x: FloatArray, normalised: FloatArray) -> FloatArray:
    """``normalised`` with the floor score where the value ``x`` is missing and the indicator has a floor.

    Only a missing input is floored: a present value a normaliser cannot score (a constant column under
    min-max with ``constant: nan``) stays NaN.
    """
    floors = fw.floors
    if np.isnan(floors).all():
        return normalised
    return np.where(np.isnan(x) & ~np.isnan(floors), floors, normalised)


def aggregate_tree(
    fw: Framework, normalised: FloatArray, *, weights: Mapping[int, FloatArray] | None = None
) -> FloatArray:
    """Scores of every node, ``(..., units, nodes)`` in post-order, aggregating bottom-up.

    ``weights`` optionally maps a node position to replacement child weights (``(..., children)``).
    """
    normalised = np.asarray(normalised, dtype=np.float64)
    scores = np.empty((*normalised.shape[:-1], len(fw.nodes)))
    scores[..., fw.column >= 0] = normalised
    for g in fw.groups:
        node = fw.nodes[g]
        spec = node.methods["aggregate"]
        w = fw.weights[g] if weights is None or g not in weights else weights[g]
        try:
            scores[..., g] = aggregators[spec.method](
                scores[..., fw.children[g]], w, min_data=node.min_data, **spec.params
            )
        except InputError as exc:
            raise InputError(f"node `{node.code}` ({spec.method} aggregation): {exc}") from None
    return scores


def unit_weights(fw: Framework, scores: FloatArray) -> FloatArray:
    """Effective weight of each node in each unit's index score, ``(..., units, nodes)``.

    The product, down the path from the index, of each child's weight renormalised over the children
    present for that unit (a missing child has weight 0; the index node has weight 1).
    """
    eff = np.zeros(scores.shape)
    eff[..., -1] = np.where(np.isnan(scores[..., -1]), 0.0, 1.0)
    for g in fw.groups[::-1]:
        kids = fw.children[g]
        wp = np.where(np.isnan(scores[..., kids]), 0.0, fw.weights[g])
        total = wp.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            local = np.where(total > 0, wp / total, 0.0)
        eff[..., kids] = eff[..., g : g + 1] * local
    return eff


def contributions(fw: Framework, normalised: FloatArray, scores: FloatArray, eff: FloatArray) -> FloatArray:
    """Each indicator's contribution to each unit's index score, ``(units, indicators)``.

    ``cᵢ = eᵢ · sᵢ`` (effective weight × normalised score). With arithmetic aggregation throughout,
    Σ cᵢ is the index score exactly; otherwise the cᵢ are rescaled to sum to the index score
    (a proportional attribution, as the non-linear means have no additive decomposition).
    """
    present = np.where(np.isnan(normalised), 0.0, normalised)
    if all(fw.nodes[g].methods["aggregate"].method == "arithmetic" for g in fw.groups):
        # `take` keeps the C layout of `present` (a boolean index on the last axis gives a transposed
        # copy, and the product of mixed layouts costs several times more); same values either way
        out: FloatArray = np.take(eff, np.flatnonzero(fw.column >= 0), axis=-1) * present
        return out
    c = eff[..., fw.column >= 0] * present  # this layout fixes the summation order of the total below
    total = c.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total != 0, c * (scores[..., -1:] / total), 0.0)


def compute(
    framework: Framework | IndexSpec,
    data: IndexData | pd.DataFrame,
    *,
    impute: Mapping[str, Any] | str | None = None,
    treat: Mapping[str, Any] | str | None = None,
    normalise: Mapping[str, Any] | str | None = None,
    aggregate: Mapping[str, Any] | str | None = None,
    previous: IndexResult | None = None,
    rank_tolerance: float | None = None,
    period_fraction: float | None = None,
) -> IndexResult:
    """Compute the index: every stage, scores and ranks at every node, weights and explanations.

    ``framework`` is a ``Framework`` or an ``IndexSpec`` (framework + options, e.g. from JSON). The stage
    keywords replace a whole stage's method for every node (``normalise="zscore"``), as a what-if.
    ``period_fraction`` (the period's length as a fraction of a year: 0.25 for a quarter) pro-rates the
    bounds and absolute parameters (targets, goalposts) of the ``per: year`` flow indicators; None keeps
    the framework's own (1 unless compiled ``for_period``). The result's spec records it.
    ``previous`` (an earlier result) gives the rank change. Same spec + same data → same result, bit for bit.
    """
    overrides = {"impute": impute, "treat": treat, "normalise": normalise, "aggregate": aggregate}
    spec = resolve_spec(framework, rank_tolerance, period_fraction, overrides)
    fw = spec.framework
    d = _checked_data(fw, data)
    raw, imputed, treated, notes = _prepared(fw, d)
    normalised = normalise_matrix(fw, treated, targets=d.targets)
    scores = aggregate_tree(fw, normalised)
    eff = unit_weights(fw, scores)
    ungated = readonly(scores[:, -1].copy())
    gate = gate_of(fw, d)
    if gate is not None:
        scores[:, -1] = np.minimum(scores[:, -1], gate.cap_score)
    return IndexResult(
        spec=spec,
        units=d.units,
        names=d.names,
        raw=raw,
        imputed=readonly(imputed),
        treated=readonly(treated),
        normalised=readonly(normalised),
        scores=readonly(scores),
        weights=readonly(eff),
        contributions=readonly(contributions(fw, normalised, scores, eff)),
        treatment=notes,
        publication_rank=readonly(publication_ranks(fw, d.units, scores, tol=spec.rank_tolerance)),
        previous_rank=None if previous is None else readonly(_previous_ranks(d.units, previous)),
        floored=readonly(np.isnan(imputed) & ~np.isnan(fw.floors)),
        gate=gate,
        ungated=ungated,
        targets=None if d.targets is None else readonly(np.array(d.targets, copy=True)),
    )


def resolve_spec(
    framework: Framework | IndexSpec,
    rank_tolerance: float | None = None,
    period_fraction: float | None = None,
    overrides: Mapping[str, Mapping[str, Any] | str | None] | None = None,
) -> IndexSpec:
    """The spec a run uses: ``framework``'s (an `IndexSpec`, or a `Framework` with the default options)
    with the rank tolerance, period fraction and whole-stage method overrides given (None: as it is)."""
    spec = framework if isinstance(framework, IndexSpec) else IndexSpec(framework)
    if rank_tolerance is not None:
        spec = IndexSpec(spec.framework, rank_tolerance)
    if period_fraction is not None:
        spec = spec.for_period(period_fraction)
    if overrides and any(v is not None for v in overrides.values()):
        spec = IndexSpec(spec.framework.with_methods(**overrides), spec.rank_tolerance)
    return spec


def _checked_data(fw: Framework, data: IndexData | pd.DataFrame) -> IndexData:
    """``data`` validated for ``fw``: its indicators, bounds for this period length, per-unit targets."""
    d = data if isinstance(data, IndexData) else data_from_frame(data, fw)
    if d.indicators != fw.indicators:
        raise InputError(f"`data` must hold the indicators of framework {fw.code}, got {list(d.indicators)}")
    if d.period_fraction is not None and d.period_fraction != fw.period_fraction:
        check_bounds(fw, d)  # validated for another period length: check this period's bounds
    if d.targets is not None:
        check_targets(fw, d.targets, d.units)
    return d


def _prepared(fw: Framework, d: IndexData) -> tuple[FloatArray, FloatArray, FloatArray, tuple[str, ...]]:
    """The data as given, imputed and treated (read-only), and the treatment notes. A stage whose every
    method is ``none`` hands on the array before it: the same values, and nothing is copied."""
    raw = readonly(np.array(d.values, dtype=np.float64, copy=True))
    if _stage_is_none(fw, "impute"):
        imputed = raw
    else:
        imputed = readonly(impute_matrix(fw, d.values, attributes=d.attributes, history=d.history))
    if _stage_is_none(fw, "treat"):
        return raw, imputed, imputed, ("",) * imputed.shape[1]
    treated, notes = treat_matrix(fw, imputed)
    return raw, imputed, readonly(treated), notes


def _stage_is_none(fw: Framework, stage: str) -> bool:
    return all(spec.method == "none" for spec, _cols in fw.plan[stage])


def gate_of(fw: Framework, data: IndexData) -> GateResult | None:
    """The compliance gate of ``fw`` applied to the units of ``data`` (None: the framework has no gate).

    Applied after aggregation (docs/domain.md#scoring): the total is capped, the indicator and dimension
    scores are left as they are, so the scorecard still shows what the institution achieved.
    """
    if not fw.rules.gate:
        return None
    n = len(data.units)
    return apply_gate(fw.rules, gate_facts(fw.rules, data.attributes, n), n)


def _previous_ranks(units: Sequence[str], previous: IndexResult) -> FloatArray:
    where = {u: i for i, u in enumerate(previous.units)}
    ranks = previous.ranks[:, -1]
    return np.array([ranks[where[u]] if u in where else np.nan for u in units], dtype=np.float64)


__all__ = [
    "DEFAULT_TOLERANCE",
    "aggregate_tree",
    "apply_floors",
    "compute",
    "contributions",
    "directions",
    "gate_of",
    "impute_matrix",
    "normalise_matrix",
    "resolve_spec",
    "treat_matrix",
    "unit_weights",
]
