"""Monte-Carlo rank uncertainty and variance-based sensitivity of the index, vectorised.

``run_uncertainty(index_spec, data, spec, runs=10_000)`` perturbs the uncertain inputs of `UncertaintySpec`
(weights, method alternatives, measurement noise) and returns, per unit, the nominal rank and the
distribution of its rank over the replications; with ``sensitivity=True`` also the first-order and
total-effect index of each uncertain input on every unit's score and rank and on the mean absolute rank
shift (Saltelli design, Jansen estimators; `qiangji.core.index.sensitivity`). ``index_spec`` is the
`IndexSpec` that `compute` takes, with every option of the run (its ``rank_tolerance`` ranks the nominal
scores and every replication alike); a bare `Framework` stands for a spec with the default options.

This is COINr's ``get_sensitivity`` (Becker et al., COINr 1.x) and step 7 of the JRC/OECD Handbook (2008),
computed without re-running the pipeline per replication: the indicator matrices of the method
alternatives are prepared once and whole chunks of replications are aggregated at once
(`qiangji.core.index.mc.engine`). Every random number of replication r is a pure function of
``(seed, input, r)`` (`qiangji.core.index.mc.streams`), so the result is identical whatever the chunk size.

The uncertainty statistics use independent replications: all ``runs`` of a plain analysis; with
``sensitivity=True``, ``runs`` is the base sample size N of the design (N(k + 2) evaluations for k inputs)
and the statistics use the 2N independent rows of its matrices A and B.
"""

from __future__ import annotations

import functools
import json
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.index.data import IndexData, data_from_frame
from qiangji.core.index.framework import Framework, parse_method
from qiangji.core.index.mc.engine import Model
from qiangji.core.index.mc.replay import Replay
from qiangji.core.index.mc.spec import STAGE_NAMES, Factor, UncertaintySpec
from qiangji.core.index.mc.streams import keyed_normals, keyed_uniforms, stream_base
from qiangji.core.index.methods import STAGES
from qiangji.core.index.pipeline import compute, resolve_spec
from qiangji.core.index.rankstats import RankAccumulator, RankStatsResult, rank_rows, rank_shift
from qiangji.core.index.sensitivity import SensitivityResult, jansen_indices, saltelli_keys
from qiangji.core.index.spec import IndexSpec

__all__ = ["SensitivityAnalysis", "UncertaintyResult", "method_label", "run_uncertainty"]

FloatArray = NDArray[np.float64]
Progress = Callable[[int, int], None]
_T = TypeVar("_T")
_CHUNK_BYTES = 48 * 2**20  # target size of the largest per-chunk array with measurement noise
# without noise the per-chunk arrays are (rows, units): small enough to stay in the core's cache
_CACHE_CHUNK_BYTES = 2**20


@dataclass(frozen=True)
class SensitivityAnalysis:
    """Sensitivity indices per factor (``factors``) on the score and rank of each unit and on the shift."""

    factors: tuple[str, ...]
    score: SensitivityResult  # (factors, units)
    rank: SensitivityResult  # (factors, units)
    shift: SensitivityResult  # (factors,)


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """Result of `run_uncertainty`; ``table()`` is the per-unit output of ``qiangji index uncertainty``."""

    units: tuple[str, ...]
    names: tuple[str, ...] | None
    spec: UncertaintySpec
    seed: int
    nominal_score: FloatArray
    ranks: RankStatsResult
    run_ids: NDArray[np.int64]
    run_blocks: tuple[str, ...]
    run_shift: FloatArray
    run_methods: dict[str, tuple[str, ...]]
    run_weights: FloatArray
    """Each run's node weights ``(runs, nodes)``, normalised within their parent (index node: 1)."""
    scores: FloatArray | None
    sensitivity: SensitivityAnalysis | None

    def table(self, *, rank_probability_columns: int = 50) -> pd.DataFrame:
        """One row per unit: nominal score and rank, rank mean/median/p05/p95, mean |shift|, P(top k).

        With at most ``rank_probability_columns`` units, ``p_rank_r`` columns give P(rank = r) too.
        """
        r = self.ranks
        cols: dict[str, object] = {"unit": list(self.units)}
        if self.names is not None:
            cols["name"] = list(self.names)
        cols |= {
            "score": self.nominal_score,
            "rank": np.where(r.nominal > 0, r.nominal, np.nan),
            "rank_median": r.median,
            "rank_p05": r.p05,
            "rank_p95": r.p95,
            "rank_mean": r.mean,
            "rank_shift_mean": r.shift_mean,
        }
        cols |= {f"p_top_{k}": r.top_probabilities[:, i] for i, k in enumerate(r.top)}
        if len(self.units) <= rank_probability_columns:
            cols |= {f"p_rank_{j + 1}": r.probabilities[:, j] for j in range(len(self.units))}
        cols["n_runs"] = r.n_ranked
        return pd.DataFrame(cols)

    def probability_table(self) -> pd.DataFrame:
        """Long ``unit,rank,probability`` for every rank a unit took at least once."""
        u, j = np.nonzero(self.ranks.probabilities)
        return pd.DataFrame(
            {
                "unit": np.asarray(self.units, dtype=object)[u],
                "rank": j + 1,
                "probability": self.ranks.probabilities[u, j],
            }
        )

    def runs_table(self) -> pd.DataFrame:
        """One row per replication: ``run``, design ``block``, mean |rank shift|, the methods drawn."""
        frame = pd.DataFrame(
            {"run": self.run_ids, "block": list(self.run_blocks), "rank_shift_mean": self.run_shift}
        )
        for stage, names in self.run_methods.items():
            frame[stage] = list(names)
        return frame

    def sensitivity_table(self) -> pd.DataFrame:
        """Long table ``output,unit,factor,first,first_p05,first_p95,total,total_p05,total_p95``."""
        if self.sensitivity is None:
            raise InputError("`sensitivity` must be requested (sensitivity=True) to tabulate its indices")
        sa = self.sensitivity
        parts = [_sa_frame("rank_shift_mean", [""], sa.factors, sa.shift, column=False)]
        parts += [
            _sa_frame(name, self.units, sa.factors, res)
            for name, res in (("score", sa.score), ("rank", sa.rank))
        ]
        return pd.concat(parts, ignore_index=True)


def run_uncertainty(
    index_spec: IndexSpec | Framework,
    data: IndexData | pd.DataFrame,
    spec: UncertaintySpec | None = None,
    *,
    runs: int,
    seed: int = 0,
    replay: Replay | None = None,
    sensitivity: bool = False,
    n_boot: int = 200,
    top: Sequence[int] = (1, 3),
    chunk_size: int | None = None,
    keep_scores: bool = False,
    rank_tolerance: float | None = None,
    progress: Progress | None = None,
    workers: int = 2,
    period_fraction: float | None = None,
) -> UncertaintyResult:
    """Monte-Carlo rank uncertainty (and sensitivity) of the index; see the module docstring.

    Parameters
    ----------
    index_spec, data : as for `qiangji.core.index.pipeline.compute` (an `IndexSpec`, or a `Framework` with
        the default options).
    spec : the uncertain inputs; the default varies nothing (every interval is the nominal rank).
    runs : replications (with ``sensitivity``, the base sample size N); with ``replay``, the number of
        replayed runs (it must match).
    seed : seed of every random draw and of the bootstrap.
    replay : given weights and/or methods per run instead of draws (`qiangji.core.index.mc.replay`).
    sensitivity : also estimate first-order and total-effect indices (not with ``replay``).
    n_boot : bootstrap replicates for the 5-95 % intervals of the indices.
    top : the k of the ``P(rank ≤ k)`` columns.
    chunk_size : replications per chunk (memory bound); None chooses one. It never changes the result.
    keep_scores : keep every replication's index scores (``scores``, runs × units).
    rank_tolerance : score tolerance of the ranking, as in publication ranks; None takes the spec's.
    progress : called as ``progress(done, total)`` after each chunk.
    workers : threads evaluating chunks side by side (numpy releases the GIL in its kernels); at most
        ``workers`` chunks are in memory at once. Never changes the result.
    period_fraction : the period's length as a fraction of a year (0.25: a quarter), as for ``compute``:
        the nominal run and every replication use the framework compiled ``for_period`` (pro-rated targets
        and bounds of the ``per: year`` flow indicators). None keeps the framework's own.
    """
    run = resolve_spec(index_spec, rank_tolerance, period_fraction)
    d = data if isinstance(data, IndexData) else data_from_frame(data, run.framework)
    plan = _Plan(run.framework, d, spec or UncertaintySpec(), replay, runs, seed, sensitivity)
    nominal_score, nominal_rank = _nominal(run, d)
    draws = _Draws(
        plan, nominal_rank, top=top, keep_scores=keep_scores or sensitivity, keep_ranks=sensitivity
    )
    _replicate(plan, draws, run.rank_tolerance, chunk_size, workers, progress)
    sa = _sensitivity_of(plan, draws, n_boot, seed) if sensitivity else None
    return _result(plan, nominal_score, draws, sa, keep_scores=keep_scores)


def _replicate(
    plan: _Plan, draws: _Draws, tol: float, chunk_size: int | None, workers: int, progress: Progress | None
) -> None:
    """Evaluate every replication of ``plan`` chunk by chunk (``workers`` threads) into ``draws``."""
    evaluate = functools.partial(_evaluate, plan, tol)
    done = 0
    for rows, s, r in _in_threads(evaluate, _chunks(plan, chunk_size), workers):
        draws.add(rows, s, r)
        done += rows.size
        if progress is not None:
            progress(done, plan.total)


def _sensitivity_of(plan: _Plan, draws: _Draws, n_boot: int, seed: int) -> SensitivityAnalysis | None:
    """First-order and total-effect indices from the kept scores and ranks (None if none were kept)."""
    if draws.scores is None or draws.ranks is None:
        return None
    return _sensitivity(plan, draws.scores, draws.ranks, draws.shift, n_boot, seed)


def _nominal(spec: IndexSpec, data: IndexData) -> tuple[FloatArray, NDArray[np.int32]]:
    """The index score and rank of every unit with the framework as written (no perturbation)."""
    nominal = compute(spec, data)
    score = np.asarray(nominal.scores[:, -1], dtype=np.float64)
    return score, rank_rows(score[None], tol=spec.rank_tolerance)[0]


def _chunks(plan: _Plan, chunk_size: int | None) -> Iterator[NDArray[np.int64]]:
    """The design rows in chunks of ``chunk_size`` (None or 0: `_Plan.auto_chunk`).

    The rows are taken grouped by their combination of method alternatives (in run order within one), so
    that a chunk is evaluated as one block instead of being split by combination.
    """
    chunk = chunk_size or plan.auto_chunk()
    if chunk < 1:
        raise InputError(f"`chunk_size` must be an integer not less than 1, got {chunk_size}")
    order = np.argsort(plan.combinations(), kind="stable").astype(np.int64)
    return (order[lo : lo + chunk] for lo in range(0, plan.total, chunk))


def _evaluate(
    plan: _Plan, tol: float, rows: NDArray[np.int64]
) -> tuple[NDArray[np.int64], FloatArray, NDArray[np.int32]]:
    """One chunk: its rows, their index scores ``(rows, units)`` and the ranks of those scores."""
    s = plan.scores(rows)
    return rows, s, rank_rows(s, tol=tol)


class _Draws:
    """What the replications leave behind, filled chunk by chunk (in any order of chunks).

    Rank statistics accumulate over the independent rows only (a Saltelli design's A and B blocks); the
    rank shift of every row, and with ``keep_scores``/``keep_ranks`` every row's scores/ranks, are kept.
    """

    def __init__(
        self,
        plan: _Plan,
        nominal_rank: NDArray[np.int32],
        *,
        top: Sequence[int],
        keep_scores: bool,
        keep_ranks: bool,
    ) -> None:
        total, units = plan.total, len(plan.data.units)
        self.nominal_rank, self.n_independent = nominal_rank, plan.n_independent
        self.acc = RankAccumulator(nominal_rank, top=top)
        self.shift = np.empty(total)
        self.scores = np.empty((total, units)) if keep_scores else None
        self.ranks = np.empty((total, units), dtype=np.int32) if keep_ranks else None

    def add(self, rows: NDArray[np.int64], scores: FloatArray, ranks: NDArray[np.int32]) -> None:
        self.shift[rows] = rank_shift(ranks, self.nominal_rank)
        independent = rows < self.n_independent
        self.acc.add(ranks if independent.all() else ranks[independent])
        if self.scores is not None:
            self.scores[rows] = scores
        if self.ranks is not None:
            self.ranks[rows] = ranks


def _result(
    plan: _Plan,
    nominal_score: FloatArray,
    draws: _Draws,
    sa: SensitivityAnalysis | None,
    *,
    keep_scores: bool,
) -> UncertaintyResult:
    return UncertaintyResult(
        units=plan.data.units,
        names=plan.data.names,
        spec=plan.spec,
        seed=plan.seed,
        nominal_score=nominal_score,
        ranks=draws.acc.result(),
        run_ids=plan.run_ids,
        run_blocks=plan.blocks,
        run_shift=draws.shift,
        run_methods=plan.method_names(),
        run_weights=plan.node_weights(np.arange(plan.total)),
        scores=draws.scores if keep_scores else None,
        sensitivity=sa,
    )


def _in_threads(
    func: Callable[[NDArray[np.int64]], _T], chunks: Iterator[NDArray[np.int64]], workers: int
) -> Iterator[_T]:
    """``map(func, chunks)`` in order, with at most ``workers`` chunks evaluated side by side."""
    if workers < 1:
        raise InputError(f"`workers` must be an integer not less than 1, got {workers}")
    if workers == 1:
        yield from map(func, chunks)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[_T]] = deque()
        for rows in chunks:
            pending.append(pool.submit(func, rows))
            if len(pending) >= workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class _Plan:
    """The design (which key each factor uses in each run) and the draws it implies."""

    def __init__(
        self,
        fw: Framework,
        data: IndexData,
        spec: UncertaintySpec,
        replay: Replay | None,
        runs: int,
        seed: int,
        sensitivity: bool,
    ) -> None:
        _check_spec(fw, spec, replay, sensitivity)
        self.fw, self.data, self.spec, self.replay, self.seed = fw, data, spec, replay, seed
        self.factors = spec.factors()
        self.alternatives = _alternatives(fw, spec, replay)
        self.model = Model(fw, data, self.alternatives)
        if replay is not None and runs != len(replay.runs):
            raise InputError(
                f"`runs` must equal the number of replayed runs ({len(replay.runs)}), got {runs}"
            )
        if runs < 1:
            raise InputError(f"`runs` must be an integer not less than 1, got {runs}")
        design = (
            _saltelli_design(self.factors, runs) if sensitivity else _plain_design(self.factors, runs, replay)
        )
        self.keys, self.blocks, self.n_independent, self.run_ids = design
        self.n_base = runs
        self.total = int(self.keys.shape[0])
        self.noise_scale = _noise_scale(fw, data, spec)
        self._choices = self._all_choices()

    def auto_chunk(self) -> int:
        units = max(len(self.data.units), 1)
        if self.noise_scale is not None:
            return int(np.clip(_CHUNK_BYTES // (8 * units * len(self.fw.indicators)), 16, 4096))
        return int(np.clip(_CACHE_CHUNK_BYTES // (8 * units), 16, 4096))

    def combinations(self) -> NDArray[np.int64]:
        """Each design row's combination of method alternatives, as one number."""
        variant = self.model.variant_index(self._choices)
        return variant * len(self.model.aggregate_specs) + self._choices["aggregate"]

    def scores(self, rows: NDArray[np.int64]) -> FloatArray:
        """Index scores of the design rows ``rows`` (one chunk)."""
        choice = {s: c[rows] for s, c in self._choices.items()}
        variant = self.model.variant_index(choice)
        return self.model.index_scores(self._weights(rows), variant, choice["aggregate"], self._noise(rows))

    def method_names(self) -> dict[str, tuple[str, ...]]:
        """Per stage with alternatives, the method label (`method_label`) each run used."""
        out = {}
        for stage, alts in self.alternatives.items():
            if len(alts) > 1 or (self.replay is not None and stage in (self.replay.methods or {})):
                names = np.asarray([method_label(a) for a in alts], dtype=object)
                out[stage] = tuple(names[self._choices[stage]].tolist())
        return out

    def _factor_keys(self, factor: Factor, rows: NDArray[np.int64]) -> NDArray[np.int64]:
        return np.asarray(self.keys[rows, self.factors.index(factor)], dtype=np.int64)

    def _all_choices(self) -> dict[str, NDArray[np.int64]]:
        rows = np.arange(self.total)
        out = {s: np.zeros(self.total, dtype=np.int64) for s in STAGE_NAMES}
        for factor in self.factors:
            if factor.kind == "stage":
                u = keyed_uniforms(_base(self.seed, factor), self._factor_keys(factor, rows), 1)[:, 0]
                cum = np.cumsum(self.spec.alternatives[factor.stage].probabilities)[:-1]
                out[factor.stage] = np.searchsorted(cum, u, side="right").astype(np.int64)
        if self.replay is not None and self.replay.methods:
            for stage, names in self.replay.methods.items():
                known = list(dict.fromkeys(names))
                out[stage] = np.asarray([known.index(n) for n in names], dtype=np.int64)
        return out

    def node_weights(self, rows: NDArray[np.int64]) -> FloatArray:
        """Weights ``(rows, nodes)`` of the design rows, each normalised within its parent."""
        fw = self.fw
        mult = np.ones((rows.size, len(fw.nodes)))
        for factor in self.factors:
            if factor.kind == "weights":
                nodes = np.flatnonzero((fw.level == factor.level) & (fw.parent >= 0))
                u = keyed_uniforms(_base(self.seed, factor), self._factor_keys(factor, rows), nodes.size)
                f = self.spec.weight_noise[factor.level]
                mult[:, nodes] = 1.0 - f + 2.0 * f * u
        w = np.array([node.weight for node in fw.nodes])[None, :] * mult
        if self.replay is not None and self.replay.weights is not None:
            w[:, [fw.index[c] for c in self.replay.weight_nodes]] = self.replay.weights[rows]
        out = np.ones_like(w)
        for g in fw.groups:
            kids = fw.children[g]
            total = w[:, kids].sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[:, kids] = np.where(total > 0, w[:, kids] / total, 0.0)
        return out

    def _weights(self, rows: NDArray[np.int64]) -> dict[int, FloatArray]:
        w = self.node_weights(rows)
        return {int(g): w[:, self.fw.children[g]] for g in self.fw.groups}

    def _noise(self, rows: NDArray[np.int64]) -> FloatArray | None:
        if self.noise_scale is None:
            return None
        factor = next(f for f in self.factors if f.kind == "values")
        shape = self.noise_scale.shape
        z = keyed_normals(_base(self.seed, factor), self._factor_keys(factor, rows), shape[0] * shape[1])
        return z.reshape(rows.size, *shape) * self.noise_scale


_Design = tuple[NDArray[np.int64], tuple[str, ...], int, NDArray[np.int64]]
"""Keys ``(runs, factors)``, design block of each run, number of independent runs, run numbers."""


def _saltelli_design(factors: Sequence[Factor], runs: int) -> _Design:
    """Blocks A, B and A_B^(i) of `saltelli_keys`, each numbered 1…N; A and B are independent."""
    keys = saltelli_keys(runs, len(factors))
    names = ["A", "B", *(f"AB:{f.name}" for f in factors)]
    blocks = tuple(np.repeat(names, runs).tolist())
    return keys, blocks, 2 * runs, np.tile(np.arange(1, runs + 1, dtype=np.int64), len(names))


def _plain_design(factors: Sequence[Factor], runs: int, replay: Replay | None) -> _Design:
    """Run r draws every factor at key r; replayed runs keep their own numbers."""
    keys = np.repeat(np.arange(runs, dtype=np.int64)[:, None], max(len(factors), 1), axis=1)
    blocks = ("run",) * runs if replay is None else ("replay",) * runs
    run_ids = np.asarray(replay.runs if replay else np.arange(1, runs + 1), dtype=np.int64)
    return keys, blocks, runs, run_ids


def _base(seed: int, factor: Factor) -> np.uint64:
    """Each factor's stream is fixed by its identity, so adding a factor does not change the others."""
    if factor.kind == "weights":
        ident = factor.level
    elif factor.kind == "stage":
        ident = 1000 + STAGE_NAMES.index(factor.stage)
    else:
        ident = 2000
    return stream_base(seed, ident)


def method_label(spec: Mapping[str, object] | None) -> str:
    """``name`` or ``name:key=value,…`` (values as JSON), the form `parse_method` reads back."""
    if spec is None:
        return "framework"
    params = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(spec.items()) if k != "method")
    return f"{spec['method']}:{params}" if params else str(spec["method"])


def _alternatives(
    fw: Framework, spec: UncertaintySpec, replay: Replay | None
) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for stage, choice in spec.alternatives.items():
        out[stage] = [dict(m) for m in choice.methods]
    for stage, names in (replay.methods or {}).items() if replay else ():
        out[stage] = [_replayed(fw, stage, label) for label in dict.fromkeys(names)]
    for stage, alts in out.items():
        for alt in alts:
            if str(alt["method"]) not in STAGES[stage]:
                known = ", ".join(STAGES[stage].names())
                raise InputError(f"`{stage}` alternative must be one of {known}, got {alt['method']!r}")
    return out


def _replayed(fw: Framework, stage: str, label: str) -> dict[str, object]:
    """A replayed method label; a bare name the whole framework uses keeps the framework's parameters."""
    spec = parse_method(label)
    if len(spec) > 1:
        return spec
    positions = fw.groups if stage == "aggregate" else np.flatnonzero(fw.column >= 0)
    own = [fw.nodes[int(i)].methods[stage] for i in positions]
    if all(m == own[0] for m in own) and own[0].method == spec["method"]:
        return own[0].to_dict()
    return spec


def _check_spec(fw: Framework, spec: UncertaintySpec, replay: Replay | None, sensitivity: bool) -> None:
    top = fw.top_level
    bad = [lv for lv in spec.weight_noise if not 1 <= lv < top]
    if bad:
        raise InputError(
            f"`weight_noise` levels must be between 1 and {top - 1} (the index is level {top}), got {bad}"
        )
    if replay is None:
        return
    if sensitivity:
        raise InputError("`sensitivity` needs drawn inputs (a Saltelli design), got replayed runs")
    if replay.weights is not None and any(f > 0 for f in spec.weight_noise.values()):
        raise InputError("`weight_noise` must be 0 when weights are replayed, got both")
    both = sorted(set(replay.methods or {}) & set(spec.alternatives))
    if both:
        raise InputError(f"`alternatives` must not set stages that are replayed, got {', '.join(both)}")


def _noise_scale(fw: Framework, data: IndexData, spec: UncertaintySpec) -> FloatArray | None:
    """Standard deviation of the additive noise per cell: σ_j·|x| (relative) or σ_j (absolute).

    Zero at missing cells: an imputed value is not a measurement. Zero for ordinally mapped indicators: a
    level (e.g. key-lab level 0–3) is a category, not a measurement with an error.
    """
    if not spec.has_value_noise:
        return None
    sd = np.array([spec.value_noise_by_indicator.get(c, spec.value_noise) for c in fw.indicators])
    sd = np.where([fw.node(c).methods["normalise"].method == "ordinal" for c in fw.indicators], 0.0, sd)
    unknown = sorted(set(spec.value_noise_by_indicator) - set(fw.indicators))
    if unknown:
        raise InputError(f"`value_noise_by_indicator` keys must be indicator codes, got {', '.join(unknown)}")
    x = data.values
    scale = np.abs(x) * sd if spec.value_noise_kind == "relative" else np.broadcast_to(sd, x.shape)
    return np.where(np.isnan(x), 0.0, scale)


def _sensitivity(
    plan: _Plan, scores: FloatArray, ranks: NDArray[np.int32], shift: FloatArray, n_boot: int, seed: int
) -> SensitivityAnalysis:
    k = len(plan.factors)
    if k == 0:
        raise InputError("`sensitivity` needs at least one uncertain input, got a spec that varies nothing")
    n = plan.n_base
    with warnings.catch_warnings():
        # a unit whose rank never changes has no variance to apportion: its indices are NaN, by design
        warnings.simplefilter("ignore", DegenerateDataWarning)
        score = jansen_indices(scores, n, k, n_boot=n_boot, seed=seed)
        rank = jansen_indices(ranks.astype(np.float64), n, k, n_boot=n_boot, seed=seed)
    return SensitivityAnalysis(
        factors=tuple(f.name for f in plan.factors),
        score=score,
        rank=rank,
        shift=jansen_indices(shift, n, k, n_boot=n_boot, seed=seed),
    )


def _sa_frame(
    output: str, units: Sequence[str], factors: Sequence[str], res: SensitivityResult, column: bool = True
) -> pd.DataFrame:
    k, m = len(factors), len(units)
    frame = pd.DataFrame({"output": output, "unit": np.tile(np.asarray(units, dtype=object), k)})
    frame["factor"] = np.repeat(np.asarray(factors, dtype=object), m)
    for name in ("first", "first_low", "first_high", "total", "total_low", "total_high"):
        values = getattr(res, name)
        frame[name.replace("_low", "_p05").replace("_high", "_p95")] = values.reshape(k * m if column else k)
    return frame
