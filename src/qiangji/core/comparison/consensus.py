"""Reference (consensus) values of a comparison: pilot, means, median, robust and random-effects methods.

``reference_value(x, u, method=...)`` dispatches through the ``REFERENCE_METHODS`` registry, so that the
method chosen for a round is data that can be stored with it. Every result carries its diagnostics (χ²
test, Birge ratio, τ, Algorithm A's iterations, the consistent subset) for the report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy import optimize, stats

from qiangji.core.comparison._common import (
    ArrayLike,
    BoolArray,
    FloatArray,
    as_mask,
    as_uncertainties,
    as_values,
    check_choice,
    check_positive,
    degenerate,
)
from qiangji.core.comparison.lcs import largest_consistent_subset
from qiangji.core.comparison.names import METHOD_LABELS
from qiangji.core.comparison.robust import AlgorithmAResult, algorithm_a, q_hampel
from qiangji.core.errors import InputError

__all__ = [
    "METHOD_LABELS",
    "REFERENCE_METHODS",
    "ChiSquaredTest",
    "ReferenceValueResult",
    "chi_squared_test",
    "reference_value",
]


@dataclass(frozen=True)
class ChiSquaredTest:
    """Consistency check of a weighted mean (Cox 2002, Procedure A) with the Birge ratio.

    χ²_obs = Σ(x_i − y)²/u_i², ν = n − 1; consistent ⇔ Pr{χ²(ν) > χ²_obs} ≥ α.
    R_B = sqrt(χ²_obs/ν), flagged above sqrt(1 + sqrt(8/ν)) (Kacker et al. 2002).
    """

    chi2: float
    dof: int
    critical: float
    p_value: float
    alpha: float
    consistent: bool
    birge_ratio: float
    birge_threshold: float


def chi_squared_test(x: FloatArray, u: FloatArray, y: float, *, alpha: float = 0.05) -> ChiSquaredTest:
    """χ² consistency test of results `x` (standard uncertainties `u`) about their weighted mean `y`."""
    dof = x.size - 1
    obs = float(np.sum(((x - y) / u) ** 2))
    p = float(stats.chi2.sf(obs, dof))
    crit = float(stats.chi2.ppf(1 - alpha, dof))
    rb = math.sqrt(obs / dof)
    return ChiSquaredTest(obs, dof, crit, p, alpha, p >= alpha, rb, math.sqrt(1 + math.sqrt(8 / dof)))


@dataclass(frozen=True)
class ReferenceValueResult:
    """A reference value X_ref with standard uncertainty u and the method's diagnostics.

    ``included`` marks the results that entered X_ref. ``doe_form`` says how the uncertainty of
    d_i = x_i − X_ref is formed for an included result (``"pilot"``, ``"independent"``,
    ``"correlated"`` u_i² − u_ref², ``"arithmetic_mean"`` (1 − 2/n)u_i² + u_ref², ``"random_effects"``
    u_i² + τ² − u_ref²). ``diagnostics`` maps names to plain numbers for a report.
    """

    method: str
    value: float
    u: float
    included: BoolArray
    doe_form: str
    diagnostics: Mapping[str, Any] = field(default_factory=dict)
    chi2: ChiSquaredTest | None = None
    tau: float = 0.0
    algorithm_a: AlgorithmAResult | None = None
    pilot: int | None = None

    @property
    def U(self) -> float:
        """Expanded uncertainty, k = 2."""
        return 2.0 * self.u


@dataclass(frozen=True)
class _Round:
    """The inputs a method works on: all results and the mask of those it may use."""

    x: FloatArray
    u: FloatArray
    inc: BoolArray
    options: Mapping[str, Any]

    @property
    def xi(self) -> FloatArray:
        return self.x[self.inc]

    @property
    def ui(self) -> FloatArray:
        return self.u[self.inc]


def _result(r: _Round, method: str, value: float, u: float, form: str, **kw: Any) -> ReferenceValueResult:
    diag = MappingProxyType({"n": int(kw.pop("n", r.inc.sum())), **kw.pop("diagnostics", {})})
    inc = kw.pop("included", r.inc).copy()
    inc.setflags(write=False)
    return ReferenceValueResult(method, float(value), float(u), inc, form, diag, **kw)


def _pilot(r: _Round) -> ReferenceValueResult:
    p = r.options["pilot"]
    if p is None:
        raise InputError("`pilot` must be the index of the pilot laboratory for method 'pilot', got None")
    if not 0 <= p < r.x.size:
        raise InputError(f"`pilot` must be an index between 0 and {r.x.size - 1}, got {p}")
    inc = np.zeros(r.x.size, dtype=np.bool_)
    inc[p] = True
    return _result(r, "pilot", r.x[p], r.u[p], "pilot", included=inc, pilot=p, n=1)


def _mean(r: _Round) -> ReferenceValueResult:
    x, n = r.xi, r.inc.sum()
    u_data = float(np.std(x, ddof=1) / math.sqrt(n))
    u_unc = float(math.sqrt(np.sum(r.ui**2)) / n)
    u = u_data if r.options["mean_uncertainty"] == "data" else u_unc
    if u == 0.0:
        degenerate("mean: all included values are identical; the data-based u is 0")
    diag = {"u_data": u_data, "u_uncertainties": u_unc, "u_basis": r.options["mean_uncertainty"]}
    return _result(r, "mean", float(np.mean(x)), u, "arithmetic_mean", diagnostics=diag)


def _weighted(r: _Round) -> ReferenceValueResult:
    x, u = r.xi, r.ui
    w = 1.0 / u**2
    y = float(np.sum(w * x) / np.sum(w))
    uy = float(1.0 / math.sqrt(np.sum(w)))
    test = chi_squared_test(x, u, y, alpha=r.options["alpha"])
    inflate = r.options["birge_inflation"] and test.birge_ratio > 1
    diag = {
        "chi2": test.chi2,
        "dof": test.dof,
        "p_value": test.p_value,
        "consistent": test.consistent,
        "birge_ratio": test.birge_ratio,
        "u_uninflated": uy,
        "birge_inflated": bool(inflate),
    }
    form = "independent" if inflate else "correlated"
    return _result(
        r, "weighted_mean", y, uy * test.birge_ratio if inflate else uy, form, diagnostics=diag, chi2=test
    )


def _row_medians(a: FloatArray) -> FloatArray:
    """Median of each row, in place: one partition at the middle (plus the lower half's max if even)."""
    mid = a.shape[1] // 2
    a.partition(mid, axis=1)
    if a.shape[1] % 2:
        return a[:, mid].copy()
    out: FloatArray = 0.5 * (a[:, :mid].max(axis=1) + a[:, mid])
    return out


def _median(r: _Round) -> ReferenceValueResult:
    """Median with a Monte-Carlo u (Cox 2002, Procedure B): sd of medians of x_i + u_i·N(0, 1) draws."""
    rng = np.random.default_rng(r.options["seed"])
    n_mc = r.options["n_mc"]
    draws = rng.standard_normal((n_mc, r.xi.size))
    draws *= r.ui
    draws += r.xi
    meds = _row_medians(draws)
    diag = {"n_mc": n_mc, "seed": r.options["seed_label"], "mc_mean": float(meds.mean())}
    return _result(
        r, "median", float(np.median(r.xi)), float(np.std(meds, ddof=1)), "independent", diagnostics=diag
    )


def _algorithm_a(r: _Round) -> ReferenceValueResult:
    a = algorithm_a(r.xi)
    diag = {"sd": a.sd, "iterations": len(a.iterations) - 1, "converged": a.converged}
    return _result(r, "algorithm_a", a.mean, a.u, "independent", diagnostics=diag, algorithm_a=a)


def _q_hampel(r: _Round) -> ReferenceValueResult:
    q = q_hampel(r.xi)
    return _result(r, "q_hampel", q.value, q.u, "independent", diagnostics={"sd": q.sd})


def _random_effects(r: _Round, method: str, tau2: float, q: float) -> ReferenceValueResult:
    x, v = r.xi, r.ui**2
    ws = 1.0 / (v + tau2)
    mu = float(np.sum(ws * x) / np.sum(ws))
    dof = x.size - 1
    diag = {"tau2": tau2, "tau": math.sqrt(tau2), "Q": q, "dof": dof, "p_value": float(stats.chi2.sf(q, dof))}
    return _result(
        r, method, mu, 1.0 / math.sqrt(np.sum(ws)), "random_effects", diagnostics=diag, tau=math.sqrt(tau2)
    )


def _cochran_q(x: FloatArray, v: FloatArray) -> tuple[FloatArray, float]:
    w = 1.0 / v
    y = float(np.sum(w * x) / np.sum(w))
    return w, float(np.sum(w * (x - y) ** 2))


def _dersimonian_laird(r: _Round) -> ReferenceValueResult:
    """τ² = max(0, (Q − (n − 1))/(Σw − Σw²/Σw)) (DerSimonian & Laird 1986)."""
    w, q = _cochran_q(r.xi, r.ui**2)
    den = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    if den <= 0.0:  # one weight dominates (u ratios ≳ 1e8): the difference cancels; form it without one
        den = float(np.sum(w * _others(w)) / np.sum(w))
    tau2 = max(0.0, (q - (r.xi.size - 1)) / den)
    return _random_effects(r, "dersimonian_laird", float(tau2), q)


def _others(w: FloatArray) -> FloatArray:
    """Σ_{j≠i} w_j for each i from prefix and suffix sums, without the cancellation of Σw − w_i."""
    before = np.concatenate(([0.0], np.cumsum(w)[:-1]))
    after = np.concatenate((np.cumsum(w[::-1])[::-1][1:], [0.0]))
    out: FloatArray = before + after
    return out


def _pm_excess(tau2: float, x: FloatArray, v: FloatArray) -> float:
    ws = 1.0 / (v + tau2)
    mu = np.sum(ws * x) / np.sum(ws)
    return float(np.sum(ws * (x - mu) ** 2) - (x.size - 1))


def _mandel_paule(r: _Round) -> ReferenceValueResult:
    """τ² ≥ 0 solving Σ(x_i − μ)²/(u_i² + τ²) = n − 1 (Paule & Mandel 1982) by Brent's bracketing method."""
    x, v = r.xi, r.ui**2
    _, q = _cochran_q(x, v)
    tau2 = 0.0
    if _pm_excess(0.0, x, v) > 0:
        hi = max(float(np.var(x)), float(v.max()))
        while _pm_excess(hi, x, v) > 0:
            hi *= 4.0
        tau2 = float(optimize.brentq(_pm_excess, 0.0, hi, args=(x, v), xtol=1e-15 * hi, rtol=1e-14))
    return _random_effects(r, "mandel_paule", tau2, q)


def _lcs(r: _Round) -> ReferenceValueResult:
    sub = largest_consistent_subset(r.xi, r.ui, alpha=r.options["alpha"])
    inc = r.inc.copy()
    inc[np.flatnonzero(r.inc)[~sub.members]] = False
    inner = _weighted(_Round(r.x, r.u, inc, {**r.options, "birge_inflation": False}))
    diag = {
        **inner.diagnostics,
        "subset_size": sub.size,
        "excluded": tuple(int(i) for i in np.flatnonzero(r.inc & ~inc)),
        "candidates_searched": sub.candidates,
    }
    return _result(
        r,
        "largest_consistent_subset",
        inner.value,
        inner.u,
        "correlated",
        included=inc,
        diagnostics=diag,
        chi2=inner.chi2,
    )


Method = Callable[[_Round], ReferenceValueResult]
REFERENCE_METHODS: Mapping[str, Method] = MappingProxyType(
    {
        "pilot": _pilot,
        "mean": _mean,
        "weighted_mean": _weighted,
        "median": _median,
        "algorithm_a": _algorithm_a,
        "q_hampel": _q_hampel,
        "dersimonian_laird": _dersimonian_laird,
        "mandel_paule": _mandel_paule,
        "largest_consistent_subset": _lcs,
    }
)

#: The method codes and labels (message ids) live in .names, which loads without scipy: the web app's
#: choices and report wording and the command line's choices come from there, so they must be these.
if list(METHOD_LABELS) != list(REFERENCE_METHODS):
    raise RuntimeError("METHOD_LABELS must name every method of REFERENCE_METHODS, in the same order")


def reference_value(
    x: ArrayLike,
    u: ArrayLike,
    *,
    method: str,
    included: ArrayLike | None = None,
    pilot: int | None = None,
    alpha: float = 0.05,
    mean_uncertainty: str = "data",
    birge_inflation: bool = False,
    n_mc: int = 10_000,
    seed: int | np.random.Generator = 0,
) -> ReferenceValueResult:
    """Reference value X_ref and its standard uncertainty by one of ``REFERENCE_METHODS``.

    Parameters
    ----------
    x, u : results and their standard uncertainties (u > 0).
    method : ``"pilot"`` (JJF 1117: x_P, u_P; needs ``pilot``), ``"mean"`` (u = s/√n, or
        sqrt(Σu_i²)/n with ``mean_uncertainty="uncertainties"``), ``"weighted_mean"`` (Cox 2002
        Procedure A: y = Σx_i/u_i² / Σ1/u_i², u = (Σ1/u_i²)^−½, χ² test at ``alpha``, Birge ratio;
        ``birge_inflation`` multiplies u by R_B when R_B > 1), ``"median"`` (Procedure B: u is the SD
        of the medians of ``n_mc`` draws x_i + u_i·N(0, 1), seeded), ``"algorithm_a"`` and
        ``"q_hampel"`` (ISO 13528 C.3, C.5.4; u = 1.25 s*/√p), ``"dersimonian_laird"`` and
        ``"mandel_paule"`` (random effects: μ = Σx_i/(u_i² + τ²) / Σ1/(u_i² + τ²),
        u = (Σ1/(u_i² + τ²))^−½), ``"largest_consistent_subset"`` (Cox 2007; see
        :func:`~qiangji.core.comparison.lcs.largest_consistent_subset`).
    included : mask of the results allowed into X_ref (e.g. CCQM-K30 excluded two non-IDMS results);
        the others are still compared with X_ref.
    n_mc : Monte-Carlo draws of the median's u (default 10,000). The Monte-Carlo standard error of
        u is about u/sqrt(2(n_mc − 1)), 0.71 % of u at the default (measured: 0.69–0.72 % over 200
        seeds for rounds of 5, 9 and 100 laboratories), well below the rounding of u to two
        significant figures; fewer draws are faster (the time is proportional to n_mc × n).
    seed : seed or Generator of the median's Monte Carlo (default 0, so a round is reproducible).

    Raises
    ------
    InputError : unknown method, fewer than two included results (except ``"pilot"``), u ≤ 0.
    """
    check_choice(method, "method", tuple(REFERENCE_METHODS))
    xs = as_values(x, "x")
    us = as_uncertainties(u, "u", xs.size)
    inc = as_mask(included, "included", xs.size)
    if method != "pilot" and inc.sum() < 2:
        raise InputError(
            f"`x` must hold at least 2 included results for method {method!r}, got {int(inc.sum())}"
        )
    opts = {
        "pilot": pilot,
        "alpha": check_positive(alpha, "alpha"),
        "mean_uncertainty": check_choice(mean_uncertainty, "mean_uncertainty", ("data", "uncertainties")),
        "birge_inflation": bool(birge_inflation),
        "n_mc": int(check_positive(n_mc, "n_mc")),
        "seed": seed,
        "seed_label": seed if isinstance(seed, int) else "generator",
    }
    return REFERENCE_METHODS[method](_Round(xs, us, inc, opts))
