"""Rank statistics of a Monte-Carlo sample of index scores, vectorised over replications.

Ranks are computed for a whole (replications × units) score matrix at once (rank 1 = highest score,
ties share the lowest rank, i.e. pandas ``method="min"``). The statistics are accumulated as integer
counts (a units × ranks histogram and integer sums), so that the result does not depend on how the
replications were split into chunks, and memory does not grow with the number of replications.

References
----------
Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity analysis techniques as tools
for the quality assessment of composite indicators. J. R. Stat. Soc. A 168(2), 307-323.
OECD/JRC (2008). Handbook on Constructing Composite Indicators, step 7 (robustness and sensitivity).
Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages. Am. Stat. 50(4), 361-365
(definition 7, the linear interpolation used here and by ``numpy.quantile``).
"""

from __future__ import annotations

import mmap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qiangji.core.errors import InputError

__all__ = ["RankAccumulator", "RankStatsResult", "rank_rows", "rank_shift", "rank_statistics"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_PIECE_BYTES = 2**21  # largest array the accumulator holds (see `RankAccumulator`)


def rank_rows(scores: NDArray[np.floating], *, tol: float = 0.0) -> NDArray[np.int32]:
    """Rank every row of ``scores`` (rank 1 = highest; ties share the lowest rank; NaN → 0, unranked).

    ``rank_u = 1 + #{v : score_v > score_u}``, computed for all rows with one ``argsort``. With ``tol``,
    sorted from best, a score starts a new rank only when it is below the previous one by more than
    ``tol · max(1, |previous|)``, as `qiangji.core.index.rank.rank_scores` (publication ranks) does.

    Examples
    --------
    >>> rank_rows(np.array([[3.0, 5.0, 3.0, np.nan]])).tolist()
    [[2, 1, 2, 0]]
    """
    values = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    n = values.shape[-1]
    missing = np.isnan(values)
    has_missing = bool(missing.any())
    key = np.where(missing, -np.inf, values) if has_missing else values  # NaN sorts last (from best)
    order = np.argsort(key, axis=-1)[..., ::-1]  # best first; tied scores get one rank, so any order
    ordered = np.take_along_axis(key, order, axis=-1)
    with np.errstate(invalid="ignore"):
        drop = ordered[..., :-1] - ordered[..., 1:]  # ≥ 0
        # a tie is possible only where the drop is within the largest threshold of its row
        bound = tol * np.maximum(1.0, np.abs(ordered[..., [0, -1]]).max(axis=-1, keepdims=True))
        maybe = drop <= bound
    sorted_ranks = np.broadcast_to(np.arange(1, n + 1, dtype=np.int32), values.shape)
    tied = (
        np.flatnonzero(maybe.any(axis=-1) | missing.any(axis=-1))
        if has_missing
        else np.flatnonzero(maybe.any(axis=-1))
    )
    if tied.size:  # near-ties are rare: resolve them exactly, row by row set
        sorted_ranks = sorted_ranks.copy()
        sorted_ranks[tied] = _ranks_with_ties(ordered[tied], drop[tied], tol)
        if has_missing:
            sorted_ranks[np.take_along_axis(missing, order, axis=-1)] = 0
    ranks = np.empty(values.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, sorted_ranks, axis=-1)
    return ranks


def _ranks_with_ties(ordered: FloatArray, drop: FloatArray, tol: float) -> NDArray[np.int32]:
    """Competition ranks of rows sorted best first: a new rank starts after a drop beyond the tolerance."""
    n = ordered.shape[-1]
    starts = np.ones(ordered.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        starts[..., 1:] = drop > tol * np.maximum(1.0, np.abs(ordered[..., :-1])) if tol else drop != 0
    position = np.where(starts, np.arange(n, dtype=np.int32), np.int32(0))
    out: NDArray[np.int32] = np.maximum.accumulate(position, axis=-1) + np.int32(1)
    return out


@dataclass(frozen=True)
class RankStatsResult:
    """Per-unit rank statistics over Monte-Carlo replications.

    Attributes
    ----------
    nominal : nominal rank of each unit (0 if its nominal score is NaN).
    mean, median, p05, p95 : mean rank and linear-interpolation quantiles (Hyndman & Fan type 7) over the
        replications in which the unit was ranked; NaN if it never was.
    shift_mean : mean of ``|rank - nominal|`` over those replications.
    probabilities : ``probabilities[u, r - 1] = P(rank of u = r)``, over all replications.
    top : the ``k`` values of ``top_probabilities``.
    top_probabilities : ``top_probabilities[u, i] = P(rank of u ≤ top[i])``.
    n_ranked : replications in which each unit had a score.
    n_runs : number of replications.
    """

    nominal: NDArray[np.int32]
    mean: FloatArray
    median: FloatArray
    p05: FloatArray
    p95: FloatArray
    shift_mean: FloatArray
    probabilities: FloatArray
    top: tuple[int, ...]
    top_probabilities: FloatArray
    n_ranked: IntArray
    n_runs: int


class RankAccumulator:
    """Integer accumulator of rank counts; feed chunks of ranks with `add`, then call `result`.

    The order and size of the chunks do not change the result: everything is an integer count.

    Every array is held in pieces of at most `_PIECE_BYTES`: one units × ranks table (72 MB for 3,000
    units) would be counted into with a cache miss per increment, and numpy asks the kernel to back
    arrays of 4 MiB or more with huge pages, whose first touch can stall on memory compaction (1-2 s
    for such a table in a fresh process on a busy machine; see `_plain_pages`).
    """

    def __init__(
        self, nominal: NDArray[np.int32], top: Sequence[int] = (1, 3), *, buffer_bytes: int = 16 * 2**20
    ) -> None:
        self.nominal = np.asarray(nominal, dtype=np.int32)
        self.n_units = n = int(self.nominal.shape[0])
        self.top = _check_top(top)
        self.n_runs = 0
        # counts of a block of units; column 0 counts the replications in which a unit was unranked
        self._block = max(1, min(64, _PIECE_BYTES // (8 * (n + 1))))
        self._counts = [
            np.zeros((min(self._block, n - lo), n + 1), dtype=np.int64) for lo in range(0, n, self._block)
        ]
        # ranks are buffered and counted in large batches: one count of a batch costs O(units²) besides
        # its input; the buffer is a list of slabs of rows
        dtype = np.int16 if n < 2**15 else np.int32
        row_bytes = np.dtype(dtype).itemsize * max(n, 1)
        slab_rows = max(1, min(buffer_bytes, _PIECE_BYTES) // row_bytes)
        slabs = max(1, buffer_bytes // (slab_rows * row_bytes))
        self._slabs = [np.empty((slab_rows, n), dtype=dtype) for _ in range(slabs)]
        self._filled = 0

    def add(self, ranks: NDArray[np.int32]) -> None:
        """Count a (chunk × units) rank matrix (0 = unranked)."""
        if ranks.ndim != 2 or ranks.shape[1] != self.n_units:
            raise InputError(f"`ranks` must have shape (runs, {self.n_units}), got {ranks.shape}")
        slab_rows = self._slabs[0].shape[0]
        start = 0
        while start < ranks.shape[0]:
            slab, row = divmod(self._filled, slab_rows)
            take = min(ranks.shape[0] - start, slab_rows - row)
            self._slabs[slab][row : row + take] = ranks[start : start + take]
            self._filled += take
            start += take
            if self._filled == slab_rows * len(self._slabs):
                self._flush()
        self.n_runs += int(ranks.shape[0])

    def _flush(self) -> None:
        """Count the buffered ranks a block of units at a time.

        One `np.bincount` over all units would scatter its increments over the whole units × ranks table
        (a cache miss each); a block of units keeps its part of the table in cache.
        """
        if not self._filled:
            return
        width = self.n_units + 1
        offsets = np.arange(self._block, dtype=np.int64) * width
        slab_rows = self._slabs[0].shape[0]
        full, rest = divmod(self._filled, slab_rows)
        parts = [*self._slabs[:full], *([self._slabs[full][:rest]] if rest else [])]
        for i, counts in enumerate(self._counts):
            lo, m = i * self._block, counts.shape[0]
            flat = np.concatenate([(p[:, lo : lo + m] + offsets[:m]).ravel() for p in parts])
            counts += np.bincount(flat, minlength=m * width).reshape(m, width)
        self._filled = 0

    def result(self) -> RankStatsResult:
        """Turn the counts into `RankStatsResult`, a block of units at a time (no units² temporaries)."""
        self._flush()
        n, runs = self.n_units, max(self.n_runs, 1)
        n_ranked = np.zeros(n, dtype=np.int64)
        mean, shift_mean = np.empty(n), np.empty(n)
        quantiles = [np.empty(n) for _ in range(3)]
        top = np.zeros((n, len(self.top)), dtype=np.int64)
        probabilities = _plain_pages((n, n))
        r = np.arange(1, n + 1, dtype=np.int64)
        for i, counts in enumerate(self._counts):
            part = slice(i * self._block, i * self._block + counts.shape[0])
            freq = counts[:, 1:]
            count = n_ranked[part] = freq.sum(axis=1)
            # integer sums of integer products: exact (below 2**53) whatever the order of the terms
            distance = np.abs(r[None, :] - self.nominal[part, None])
            with np.errstate(invalid="ignore", divide="ignore"):
                mean[part] = (freq @ r) / count
                shift_mean[part] = np.einsum("ur,ur->u", freq, distance) / count
            cum = np.cumsum(freq, axis=1)
            for out, q in zip(quantiles, _quantiles_from_counts(cum, count, (0.5, 0.05, 0.95)), strict=True):
                out[part] = q
            top[part] = np.stack([cum[:, min(k, n) - 1] for k in self.top], axis=1)
            probabilities[part] = freq / runs
        shift_mean[self.nominal == 0] = np.nan
        return RankStatsResult(
            nominal=self.nominal,
            mean=mean,
            median=quantiles[0],
            p05=quantiles[1],
            p95=quantiles[2],
            shift_mean=shift_mean,
            probabilities=probabilities,
            top=self.top,
            top_probabilities=top / runs,
            n_ranked=n_ranked,
            n_runs=self.n_runs,
        )


def rank_statistics(
    scores: NDArray[np.floating], nominal_scores: NDArray[np.floating], *, top: Sequence[int] = (1, 3)
) -> tuple[RankStatsResult, FloatArray]:
    """Rank statistics of a (runs × units) score matrix against the nominal scores.

    Returns the per-unit `RankStatsResult` and, per replication, the mean absolute rank shift over units
    ``mean_u |rank_u - nominal_u|`` (the robustness summary of Saisana et al. 2005, eq. 10).

    Examples
    --------
    >>> stats, shift = rank_statistics(np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([2.0, 1.0]))
    >>> stats.mean.tolist(), shift.tolist()
    ([1.5, 1.5], [1.0, 0.0])
    """
    matrix = np.asarray(scores, dtype=np.float64)
    nominal = np.asarray(nominal_scores, dtype=np.float64)
    if nominal.ndim != 1:
        raise InputError(f"`nominal_scores` must be one-dimensional, got shape {nominal.shape}")
    if matrix.ndim != 2 or matrix.shape[1] != nominal.shape[0]:
        raise InputError(f"`scores` must have shape (runs, {nominal.shape[0]}), got {matrix.shape}")
    acc = RankAccumulator(rank_rows(nominal[None, :])[0], top=top)
    ranks = rank_rows(matrix)
    acc.add(ranks)
    return acc.result(), rank_shift(ranks, acc.nominal)


def rank_shift(ranks: NDArray[np.int32], nominal: NDArray[np.int32]) -> FloatArray:
    """Mean absolute rank shift of each replication, ``mean_u |rank_u − nominal_u|`` over ranked units."""
    diff = np.abs(ranks - nominal[None, :])
    if ranks.size and ranks.min() > 0 and nominal.min() > 0:
        return np.asarray(diff.sum(axis=1, dtype=np.int64) / ranks.shape[1], dtype=np.float64)
    both = (ranks > 0) & (nominal > 0)[None, :]
    total = np.where(both, diff, 0).sum(axis=1, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(total / both.sum(axis=1), dtype=np.float64)


def _quantiles_from_counts(cum: IntArray, n: IntArray, ps: Sequence[float]) -> list[FloatArray]:
    """Type-7 quantiles of each row's sample, given the cumulative counts of ranks 1..n_units.

    The sorted sample's k-th value (0-based) is the smallest rank r with ``cum[r] > k``; the quantile is
    ``x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋ + 1] - x[⌊h⌋])`` with ``h = (n - 1)p`` (Hyndman & Fan 1996, def. 7).
    """
    rows, width = cum.shape
    # one searchsorted for all rows: row u's counts are shifted by u·(total + 1), keeping them sorted
    shift = np.arange(rows, dtype=np.int64) * (int(cum[:, -1].max(initial=0)) + 1)
    flat = (cum + shift[:, None]).ravel()
    base = np.arange(rows, dtype=np.int64) * width - 1

    def value(k: IntArray) -> IntArray:
        found: IntArray = np.searchsorted(flat, k + shift, side="right") - base
        return found

    out = []
    for p in ps:
        h = (n - 1) * p
        lo = np.floor(h).astype(np.int64)
        x_lo, x_hi = value(lo), value(np.minimum(lo + 1, np.maximum(n - 1, 0)))
        out.append(np.where(n > 0, x_lo + (h - lo) * (x_hi - x_lo), np.nan).astype(np.float64))
    return out


def _plain_pages(shape: tuple[int, int]) -> FloatArray:
    """An uninitialised float array like `np.empty`, backed by ordinary pages when it is large.

    numpy advises the kernel to back arrays of 4 MiB or more with transparent huge pages; where the
    kernel then compacts memory on the first touch, a fresh process can stall for seconds filling one
    units × units table. An anonymous mapping is zero-filled page by page instead.
    """
    size = shape[0] * shape[1] * np.dtype(np.float64).itemsize
    if size < _PIECE_BYTES:
        return np.empty(shape)
    return np.frombuffer(mmap.mmap(-1, size), dtype=np.float64).reshape(shape)


def _check_top(top: Sequence[int]) -> tuple[int, ...]:
    values = tuple(int(k) for k in top)
    bad = [k for k in values if k < 1]
    if bad:
        raise InputError(f"`top` must hold integers not less than 1, got {list(top)}")
    return tuple(sorted(set(values)))
