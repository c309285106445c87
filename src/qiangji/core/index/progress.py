"""The progress index (进步指数): each unit's change since the programme's baseline period, on fixed scales.

A level ranking rewards size and history; a strengthening programme also asks who moved most. The progress
index rescores the baseline period's raw values with the *current* run's framework (its goalposts and
targets, pro-rated to the baseline period's length) and subtracts:

    progressᵤ = Tᵤ(current) − Tᵤ(baseline rescored),

both totals before the compliance gate (the gate governs the level ranking and is shown beside the
progress table, not netted into a change). Rescoring rather than reading the published baseline total
keeps both totals on one scale even when the baseline was published under an earlier framework version
(JRC/OECD *Handbook on Constructing Composite Indicators*, 2008, §1.5: only normalisations with fixed
reference points, such as goalposts or distance to a target, compare a unit with itself over time; a
min-max rescaled per period does not). It therefore needs a framework whose scales are all fixed
(``Framework.fixed_scales``).

Per-unit targets (`qiangji.core.index.targets`) of the current result score the baseline too: a unit's
change is measured against the one full-marks amount it is held to now, not a plan's change of target.

Ranked with the usual competition ranks (1 = most progress; ties share the lowest rank); a unit absent
from the baseline has no progress (NaN) and no rank.

Example: a unit at 62.5 points now whose baseline values score 50.0 on the current scales has progress
+12.5; another at 80.0 now and 78.0 then, +2.0: the first ranks 1 in progress though 2nd in level.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from qiangji.core.errors import InputError
from qiangji.core.index.data import IndexData
from qiangji.core.index.framework import Framework
from qiangji.core.index.methods._arrays import FloatArray
from qiangji.core.index.pipeline import aggregate_tree, impute_matrix, normalise_matrix, treat_matrix
from qiangji.core.index.rank import rank_scores
from qiangji.core.index.result import IndexResult, readonly


@dataclass(frozen=True, eq=False)
class ProgressResult:
    """Progress of each unit of the current result (module docstring); arrays in the result's unit order."""

    units: tuple[str, ...]
    baseline_period: str
    baseline: FloatArray
    """Baseline total rescored on the current framework's scales (NaN: the unit was not in the baseline)."""
    current: FloatArray
    """Current total before the gate."""
    change: FloatArray
    rank: FloatArray
    """1 = most progress; NaN without a baseline."""


def ungated_totals(fw: Framework, data: IndexData) -> FloatArray:
    """Index totals of ``data`` through the framework's stages, without the compliance gate."""
    if data.indicators != fw.indicators:
        raise InputError(
            f"`data` must hold the indicators of framework {fw.code}, got {list(data.indicators)}"
        )
    imputed = impute_matrix(fw, data.values, attributes=data.attributes, history=data.history)
    treated, _notes = treat_matrix(fw, imputed)
    scores: FloatArray = aggregate_tree(fw, normalise_matrix(fw, treated, targets=data.targets))[:, -1]
    return scores


def progress_index(
    current: IndexResult, baseline: IndexData, *, baseline_fraction: float, baseline_period: str
) -> ProgressResult:
    """The progress of every unit of ``current`` since ``baseline`` (its raw data and period fraction)."""
    fw = current.framework
    if not fw.fixed_scales:
        raise InputError(
            f"`framework` must score every indicator on fixed scales (goalposts, targets, ordinal) for a "
            f"progress index, got framework {fw.code} {fw.version} with data-relative normalisers"
        )
    held = None if current.targets is None else _aligned(current.targets, current.units, baseline.units)
    baseline = dataclasses.replace(baseline, targets=held)
    then = ungated_totals(fw.for_period(baseline_fraction), baseline)
    where = {u: i for i, u in enumerate(baseline.units)}
    base = np.array([then[where[u]] if u in where else np.nan for u in current.units], dtype=np.float64)
    now = np.array(current.scores[:, -1] if current.ungated is None else current.ungated, dtype=np.float64)
    change = now - base
    return ProgressResult(
        units=current.units,
        baseline_period=baseline_period,
        baseline=readonly(base),
        current=readonly(now),
        change=readonly(change),
        rank=readonly(rank_scores(change, tol=current.spec.rank_tolerance)),
    )


def _aligned(targets: FloatArray, of: tuple[str, ...], units: tuple[str, ...]) -> FloatArray:
    """``targets`` of the units ``of`` re-ordered to ``units`` (NaN for a unit not among ``of``)."""
    where = {u: i for i, u in enumerate(of)}
    out = np.full((len(units), targets.shape[1]), np.nan)
    for k, u in enumerate(units):
        if u in where:
            out[k] = targets[where[u]]
    return out


__all__ = ["ProgressResult", "progress_index", "ungated_totals"]
