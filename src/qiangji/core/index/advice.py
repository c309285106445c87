"""Improvement advice: the smallest change of one indicator that lifts a unit's rank by k places.

For a unit u and each indicator j, with every other value held, the raw value xᵤⱼ is moved toward the
better end of its bounds (up for direction +1, down for −1) and the whole pipeline (impute → treat →
normalise → aggregate → rank) is recomputed. Normalisation depends on the other units (min–max, z-score,
…), so the index score is not linear in xᵤⱼ and may even stay flat over a stretch (moving off the column
minimum of a min–max indicator changes nothing until the value passes the next unit). The search
assumes only what holds for the monotone normalisers and means of :mod:`qiangji.core.index.methods`: a
better raw value never worsens the unit's rank.

Search (vectorised): candidates between the current value and the bound are evaluated in one batched
call of ``normalise_matrix``/``aggregate_tree`` (shape ``(candidates, units, indicators)``); the first
candidate that reaches the target rank brackets the answer and the bracket is refined by the same
batched grid until it is narrower than ``tol`` × (bound − current). Ranks are competition ranks with the
framework's tolerance (ties share the better rank), as published.

"Points per unit of effort" of an indicator is the index gain per unit of raw change, measured over the
step to its first target (the change for the first of ``places``), or to its bound when no target is
reachable, divided by the indicator's effort cost (``effort``, default 1 per raw unit).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qiangji.core.errors import InputError
from qiangji.core.index.data import IndexData, data_from_frame
from qiangji.core.index.framework import Framework
from qiangji.core.index.methods._arrays import FloatArray, min_rank
from qiangji.core.index.pipeline import aggregate_tree, impute_matrix, normalise_matrix, treat_matrix
from qiangji.core.index.spec import IndexSpec

GRID = 48
MAX_WHOLE = 2048  # whole-number indicators with at most this many values to the bound are tried exhaustively
Evaluator = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


@dataclass(frozen=True)
class Step:
    """Reaching ``places`` better: raw ``value`` (``change`` from now), new rank and index points gained."""

    places: int
    value: float
    change: float
    rank: float
    gain: float


@dataclass(frozen=True)
class IndicatorAdvice:
    """Advice on one indicator; ``steps[k]`` is ``None`` when k places cannot be gained within bounds."""

    indicator: str
    current: float
    direction: int
    limit: float
    steps: Mapping[int, Step | None]
    points_per_unit: float
    points_per_effort: float


@dataclass(frozen=True)
class AdviceResult:
    """Advice for one unit: its rank and score now and one :class:`IndicatorAdvice` per indicator."""

    unit: str
    rank: float
    score: float
    places: tuple[int, ...]
    indicators: tuple[IndicatorAdvice, ...]

    def smallest(self, places: int, effort: Mapping[str, float] | None = None) -> list[IndicatorAdvice]:
        """Indicators that can gain ``places``, smallest effort (|change| × cost) first."""
        cost = effort or {}
        ok = [a for a in self.indicators if a.steps.get(places) is not None]
        return sorted(ok, key=lambda a: abs(a.steps[places].change) * cost.get(a.indicator, 1.0))  # type: ignore[union-attr]

    def by_efficiency(self) -> list[IndicatorAdvice]:
        """Indicators by index points per unit of effort, most efficient first (zero gains left out)."""
        ok = [a for a in self.indicators if a.points_per_effort > 0]
        return sorted(ok, key=lambda a: -a.points_per_effort)

    def table(self) -> pd.DataFrame:
        """One row per indicator: current, limit, value/change/rank per target, points per unit/effort."""
        rows = []
        for a in self.indicators:
            row: dict[str, object] = {"indicator": a.indicator, "current": a.current, "limit": a.limit}
            for k in self.places:
                s = a.steps.get(k)
                row[f"value_{k}"] = math.nan if s is None else s.value
                row[f"change_{k}"] = math.nan if s is None else s.change
            row["points_per_unit"] = a.points_per_unit
            row["points_per_effort"] = a.points_per_effort
            rows.append(row)
        return pd.DataFrame(rows)


def improvement_advice(
    framework: Framework | IndexSpec,
    data: IndexData | pd.DataFrame,
    unit: str,
    *,
    places: Sequence[int] = (1, 3),
    effort: Mapping[str, float] | None = None,
    integer: Collection[str] = (),
    tol: float = 1e-6,
) -> AdviceResult:
    """Smallest single-indicator changes that lift ``unit`` by each of ``places`` (module docstring).

    ``integer`` names indicators counted in whole numbers (their targets are rounded to the next whole
    value in the better direction). Indicators without a current value are left out.
    """
    spec = framework if isinstance(framework, IndexSpec) else IndexSpec(framework)
    fw = spec.framework
    d = data if isinstance(data, IndexData) else data_from_frame(data, fw)
    u = _check(fw, d, unit, places, effort, tol)
    cols = [c for c in range(len(fw.indicators)) if not math.isnan(d.values[u, c])]
    advice = [_indicator(fw, spec, d, u, c, places, effort or {}, integer, tol) for c in cols]
    score, rank = _evaluator(fw, spec, d, u, 0)(d.values[u, :1])
    return AdviceResult(unit, float(rank[0]), float(score[0]), tuple(places), tuple(advice))


def _check(
    fw: Framework,
    d: IndexData,
    unit: str,
    places: Sequence[int],
    effort: Mapping[str, float] | None,
    tol: float,
) -> int:
    if unit not in d.units:
        raise InputError(f"`unit` must be one of the data's units, got {unit!r}")
    if not places or any(int(k) != k or k < 1 for k in places):
        raise InputError(f"`places` must be whole numbers ≥ 1, got {list(places)}")
    for code, cost in (effort or {}).items():
        if code not in fw.indicators or not cost > 0:
            raise InputError(
                f"`effort` must map indicators of the framework to costs > 0, got {code}: {cost}"
            )
    if not 0 < tol < 0.1:
        raise InputError(f"`tol` must be in (0, 0.1), got {tol}")
    return d.units.index(unit)


def _evaluator(fw: Framework, spec: IndexSpec, d: IndexData, u: int, c: int) -> Evaluator:
    """``values (R,)`` → (index scores of unit u, ranks of unit u), with x[u, c] replaced by each value."""
    staged = any(s.method != "none" for stage in ("impute", "treat") for s, _cols in fw.plan[stage])

    def run(values: FloatArray) -> tuple[FloatArray, FloatArray]:
        x = np.repeat(d.values[None, :, :], len(values), axis=0)
        x[:, u, c] = values
        if staged:
            x = np.stack([_prepare(fw, d, x[r]) for r in range(len(values))])
        scores = aggregate_tree(fw, normalise_matrix(fw, x))[..., -1]
        ranks = min_rank(scores, axis=-1, descending=True, tol=spec.rank_tolerance)
        return scores[:, u], ranks[:, u]

    return run


def _prepare(fw: Framework, d: IndexData, x: FloatArray) -> FloatArray:
    imputed = impute_matrix(fw, x, attributes=d.attributes, history=d.history)
    return treat_matrix(fw, imputed)[0]


def _limit(fw: Framework, d: IndexData, c: int, direction: int) -> float:
    node = fw.nodes[int(np.flatnonzero(fw.column == c)[0])]
    low, high = node.bounds or (None, None)
    col = d.values[:, c][~np.isnan(d.values[:, c])]
    spread = max(float(np.ptp(col)), float(np.max(np.abs(col))), 1.0)
    if direction > 0:
        return float(high) if high is not None else float(col.max()) + spread
    return float(low) if low is not None else float(col.min()) - spread


def _indicator(
    fw: Framework,
    spec: IndexSpec,
    d: IndexData,
    u: int,
    c: int,
    places: Sequence[int],
    effort: Mapping[str, float],
    integer: Collection[str],
    tol: float,
) -> IndicatorAdvice:
    code = fw.indicators[c]
    node = fw.nodes[int(np.flatnonzero(fw.column == c)[0])]
    direction = node.direction or 1
    x0, limit = float(d.values[u, c]), _limit(fw, d, c, direction)
    run = _evaluator(fw, spec, d, u, c)
    (s0, *_), (r0, *_) = run(np.array([x0]))
    whole = code in integer or node.methods["normalise"].method == "ordinal"
    steps: dict[int, Step | None] = {}
    for k in places:
        target = r0 - k
        steps[k] = None if target < 1 else _search(run, k, x0, limit, target, s0, whole, tol)
    first = steps[places[0]]
    if first is not None:
        ppu = first.gain / abs(first.change) if first.change else 0.0
    elif limit != x0 and (limit - x0) * direction > 0:
        ppu = (float(run(np.array([limit]))[0][0]) - s0) / abs(limit - x0)
    else:
        ppu = 0.0
    ppu = max(ppu, 0.0)
    return IndicatorAdvice(code, x0, direction, limit, steps, ppu, ppu / effort.get(code, 1.0))


def _search(
    run: Evaluator, k: int, x0: float, limit: float, target: float, s0: float, whole: bool, tol: float
) -> Step | None:
    """The value nearest x0 (toward ``limit``) whose rank is ≤ ``target``, or ``None`` if none is."""
    if (limit - x0) == 0:
        return None
    s_lim, r_lim = run(np.array([limit]))
    if r_lim[0] > target:
        return None
    if whole and abs(limit - x0) <= MAX_WHOLE:
        return _search_whole(run, k, x0, limit, target, s0)
    lo, hi = x0, limit
    width = abs(limit - x0)
    while abs(hi - lo) > tol * width:
        grid = np.linspace(lo, hi, GRID + 1)[1:]
        _s, r = run(grid)
        j = int(np.argmax(r <= target))  # hi itself always qualifies, so some j does
        lo, hi = (lo if j == 0 else float(grid[j - 1])), float(grid[j])
    value = hi
    if whole:
        value = float(math.ceil(hi - 1e-9) if limit > x0 else math.floor(hi + 1e-9))
        if (limit - value) * (limit - x0) < 0:
            value = limit
    s, r = run(np.array([value]))
    if r[0] > target:
        value = limit
        s, r = s_lim, r_lim
    return Step(k, value, value - x0, float(r[0]), float(s[0]) - s0)


def _search_whole(run: Evaluator, k: int, x0: float, limit: float, target: float, s0: float) -> Step | None:
    """Whole-number indicators (counts, ordinal levels): every whole value up to the bound at once."""
    step = 1.0 if limit > x0 else -1.0
    start = math.floor(x0) + 1 if step > 0 else math.ceil(x0) - 1
    grid = np.arange(start, limit + step * 0.5, step, dtype=np.float64)
    if grid.size == 0:
        return None
    s, r = run(grid)
    hits = np.flatnonzero(r <= target)
    if hits.size == 0:
        return None
    j = int(hits[0])
    return Step(k, float(grid[j]), float(grid[j]) - x0, float(r[j]), float(s[j]) - s0)


__all__ = ["AdviceResult", "IndicatorAdvice", "Step", "improvement_advice"]
