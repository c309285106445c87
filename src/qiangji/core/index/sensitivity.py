"""Variance-based sensitivity indices: Saltelli design, Jansen estimators, bootstrap intervals.

For a model ``Y = f(X_1, …, X_k)`` with independent inputs (or independent *groups* of inputs), the
first-order index ``S_i = V[E(Y | X_i)] / V(Y)`` is the share of the output variance due to ``X_i`` alone,
and the total-effect index ``S_Ti = E[V(Y | X_~i)] / V(Y)`` the share due to ``X_i`` with all its
interactions. With two independent N-row samples A and B of the inputs, and ``A_B^(i)`` = A with the
column(s) of input i taken from B (Saltelli et al. 2010, §3), the Jansen (1999) estimators are

    V_i  = V(Y) − 1/(2N) Σ_j ( f(B)_j − f(A_B^(i))_j )²                 (first order; Table 2 (f))
    V_Ti = 1/(2N) Σ_j ( f(A)_j − f(A_B^(i))_j )²                        (total effect; Table 2 (f))

with ``V(Y)`` the variance of the 2N outputs f(A), f(B). Each costs ``N(k + 2)`` model runs. Bootstrap
intervals resample the N rows j with replacement (Archer, Saltelli & Sobol 1997); every estimator is a
mean over j, so a bootstrap replicate is a weighted mean with multinomial counts, one matrix product.

Here the inputs are *keys*: the design gives, for every run and every factor, which base draw (row j of A,
or of B) it uses; `qiangji.core.index.mc.streams` turns keys into random numbers. So a factor may be a
scalar (a method choice) or a whole group of numbers (all weights of one level), and no A/B matrix of
the group's full width is ever stored (Saltelli et al. 2008, §4.6 for groups).

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S. (2010). Variance based
sensitivity analysis of model output. Design and estimator for the total sensitivity index. Computer
Physics Communications 181, 259-270.
Jansen, M. J. W. (1999). Analysis of variance designs for model output. Comp. Phys. Comm. 117, 35-43.
Ishigami, T. & Homma, T. (1990). An importance quantification technique in uncertainty analysis for
computer models. Proc. ISUMA '90, 398-403.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.index.mc.streams import keyed_uniforms, stream_base

__all__ = ["SensitivityResult", "jansen_indices", "saltelli_keys", "saltelli_sample"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SensitivityResult:
    """First-order and total-effect indices, shape ``(factors, *output_shape)``, with bootstrap bounds.

    ``first_low``/``first_high`` and ``total_low``/``total_high`` are the ``ci`` percentiles of the bootstrap
    distribution (default 5 % and 95 %). ``variance`` is V(Y) per output. NaN where V(Y) = 0.
    """

    first: FloatArray
    total: FloatArray
    first_low: FloatArray
    first_high: FloatArray
    total_low: FloatArray
    total_high: FloatArray
    variance: FloatArray
    n_base: int
    n_boot: int


def saltelli_keys(n_base: int, n_factors: int) -> NDArray[np.int64]:
    """Key matrix of the Saltelli design: ``N(k + 2)`` runs × k factors, in blocks A, B, A_B^(1..k).

    Row j of A uses key ``2j`` for every factor, row j of B key ``2j + 1``; in block A_B^(i) factor i uses
    B's key and the others A's. A run's factor value is the draw of its factor's stream at its key.

    Examples
    --------
    >>> saltelli_keys(1, 2).tolist()
    [[0, 0], [1, 1], [1, 0], [0, 1]]
    """
    _check_positive("n_base", n_base)
    _check_positive("n_factors", n_factors)
    a = 2 * np.arange(n_base, dtype=np.int64)
    keys = np.repeat(a[None, :, None], n_factors + 2, axis=0).repeat(n_factors, axis=2)
    keys[1] += 1
    for i in range(n_factors):
        keys[2 + i, :, i] += 1
    return keys.reshape(-1, n_factors)


def saltelli_sample(n_base: int, n_factors: int, *, seed: int = 0) -> FloatArray:
    """Uniform (0, 1) inputs for the Saltelli design of `saltelli_keys`, one stream per factor.

    Map them onto the inputs' distributions (e.g. ``-π + 2π·u`` for the Ishigami function), run the model
    on every row, and pass the outputs to `jansen_indices`.
    """
    keys = saltelli_keys(n_base, n_factors)
    cols = [keyed_uniforms(stream_base(seed, i), keys[:, i], 1)[:, 0] for i in range(n_factors)]
    return np.stack(cols, axis=1)


def jansen_indices(
    y: NDArray[np.floating],
    n_base: int,
    n_factors: int,
    *,
    n_boot: int = 500,
    seed: int = 0,
    ci: tuple[float, float] = (0.05, 0.95),
) -> SensitivityResult:
    """Jansen first-order and total-effect indices from the outputs of a Saltelli design.

    Parameters
    ----------
    y : outputs in the row order of `saltelli_keys`, shape ``(N(k + 2), *output_shape)``; each output (e.g.
        each unit's score) gets its own indices.
    n_base, n_factors : N and k of the design.
    n_boot : bootstrap replicates (0: no intervals, bounds are NaN).
    seed : seed of the bootstrap resampling.
    ci : lower and upper percentile of the bootstrap interval, as fractions.

    Examples
    --------
    A linear model ``Y = 1·X1 + 2·X2`` with uniform inputs has ``S_1 = S_T1 = 1/5``:

    >>> x = saltelli_sample(4096, 2, seed=3)
    >>> r = jansen_indices(x[:, 0] + 2 * x[:, 1], 4096, 2, n_boot=0)
    >>> [round(float(v), 1) for v in r.first]
    [0.2, 0.8]
    """
    out = np.asarray(y, dtype=np.float64)
    _check_design(out, n_base, n_factors, n_boot, ci)
    terms = _row_terms(out.reshape(n_factors + 2, n_base, -1))  # (N, terms, outputs)
    flat = terms.reshape(n_base, -1)
    means = flat.mean(axis=0, keepdims=True).reshape(1, *terms.shape[1:])
    first, total, variance = _indices(means, n_factors)
    shape = (n_factors, *out.shape[1:])
    bounds = _bootstrap_bounds(flat, terms.shape[1:], n_factors, shape, n_boot=n_boot, seed=seed, ci=ci)
    if np.any(variance[0] == 0):
        warnings.warn("an output has zero variance: its indices are NaN", DegenerateDataWarning, stacklevel=2)
    return SensitivityResult(
        first=first[0].reshape(shape),
        total=total[0].reshape(shape),
        first_low=bounds[0],
        first_high=bounds[1],
        total_low=bounds[2],
        total_high=bounds[3],
        variance=variance[0].reshape(out.shape[1:]),
        n_base=n_base,
        n_boot=n_boot,
    )


def _check_design(y: FloatArray, n_base: int, n_factors: int, n_boot: int, ci: tuple[float, float]) -> None:
    """The arguments of `jansen_indices`: N and k positive, N(k + 2) rows of ``y``, ``n_boot`` ≥ 0, ``ci``."""
    _check_positive("n_base", n_base)
    _check_positive("n_factors", n_factors)
    if y.shape[:1] != (n_base * (n_factors + 2),):
        raise InputError(f"`y` must have {n_base * (n_factors + 2)} rows (N(k + 2)), got shape {y.shape}")
    if n_boot < 0:
        raise InputError(f"`n_boot` must be an integer not less than 0, got {n_boot}")
    if not 0.0 <= ci[0] < ci[1] <= 1.0:
        raise InputError(f"`ci` must be two fractions 0 ≤ low < high ≤ 1, got {ci}")


def _bootstrap_bounds(
    flat: FloatArray,
    term_shape: tuple[int, ...],
    k: int,
    shape: tuple[int, ...],
    *,
    n_boot: int,
    seed: int,
    ci: tuple[float, float],
) -> list[FloatArray]:
    """Bounds ``[S low, S high, S_T low, S_T high]`` at the ``ci`` percentiles of ``n_boot`` resamples.

    ``flat`` is the ``(N, terms × outputs)`` matrix of `_row_terms`. Resampling the N rows with replacement
    (Archer, Saltelli & Sobol 1997) turns each estimator's mean into a mean weighted by multinomial counts,
    so all replicates are one matrix product. Without replicates every bound is NaN.
    """
    if not n_boot:
        return [np.full(shape, np.nan) for _ in range(4)]
    n_base = flat.shape[0]
    counts = np.random.default_rng(seed).multinomial(n_base, np.full(n_base, 1.0 / n_base), size=n_boot)
    means = (counts / n_base) @ flat
    boot_first, boot_total, _ = _indices(means.reshape(n_boot, *term_shape), k)
    return [np.quantile(b, q, axis=0).reshape(shape) for b in (boot_first, boot_total) for q in ci]


def _row_terms(blocks: FloatArray) -> FloatArray:
    """Per-row quantities whose means give the estimators: y_A, y_B, y_A², y_B², (B−AB_i)², (A−AB_i)²."""
    ya, yb, yab = blocks[0], blocks[1], blocks[2:]
    parts = [
        ya[None],
        yb[None],
        (ya * ya)[None],
        (yb * yb)[None],
        (yb[None] - yab) ** 2,
        (ya[None] - yab) ** 2,
    ]
    return np.moveaxis(np.concatenate(parts, axis=0), 0, 1)


def _indices(means: FloatArray, k: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """S_i, S_Ti and V(Y) from (replicates, terms, outputs) means of `_row_terms`."""
    mean_y = (means[:, 0] + means[:, 1]) / 2.0
    variance = np.maximum((means[:, 2] + means[:, 3]) / 2.0 - mean_y**2, 0.0)
    v = variance[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.where(v > 0, (v - means[:, 4 : 4 + k] / 2.0) / v, np.nan)
        total = np.where(v > 0, means[:, 4 + k : 4 + 2 * k] / 2.0 / v, np.nan)
    return first, total, variance


def _check_positive(name: str, value: int) -> None:
    if int(value) != value or value < 1:
        raise InputError(f"`{name}` must be an integer not less than 1, got {value}")
