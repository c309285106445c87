"""Degrees of equivalence (CIPM MRA; Cox 2002 §4): unilateral d_i with U(d_i), and the bilateral matrix."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from qiangji.core.comparison._common import (
    ArrayLike,
    FloatArray,
    Verdict,
    as_uncertainties,
    as_values,
    check_positive,
    classify,
    degenerate,
)
from qiangji.core.comparison.consensus import ReferenceValueResult

__all__ = ["DegreesOfEquivalence", "degrees_of_equivalence"]


@dataclass(frozen=True)
class DegreesOfEquivalence:
    """d_i = x_i − X_ref, U(d_i) = k·u(d_i), En_i = d_i/U(d_i), and d_ij = x_i − x_j with U(d_ij).

    ``form[i]`` names how u(d_i) was formed (see :func:`degrees_of_equivalence`); the pilot laboratory
    of a pilot-referenced round is ``"reference"`` with d = 0 and no verdict. The bilateral p × p matrices
    are formed when first read (a unilateral evaluation of many results never needs them).
    """

    d: FloatArray
    u_d: FloatArray
    U_d: FloatArray
    en: FloatArray
    form: tuple[str, ...]
    verdicts: tuple[Verdict, ...]
    x: FloatArray
    u: FloatArray
    k: float
    reference: float
    u_reference: float

    @cached_property
    def bilateral_d(self) -> FloatArray:
        """d_ij = x_i − x_j."""
        return self.x[:, None] - self.x[None, :]

    @cached_property
    def bilateral_U(self) -> FloatArray:
        """U(d_ij) = k·sqrt(u_i² + u_j²) (independent results)."""
        return self.k * np.sqrt(self.u[:, None] ** 2 + self.u[None, :] ** 2)


def _variance(form: str, u2: FloatArray, ur2: float, tau2: float, n: int) -> FloatArray:
    if form == "correlated":
        return u2 - ur2
    if form == "arithmetic_mean":
        return (1.0 - 2.0 / n) * u2 + ur2
    if form == "random_effects":
        return u2 + tau2 - ur2
    return u2 + ur2


def degrees_of_equivalence(
    x: ArrayLike,
    u: ArrayLike,
    ref: ReferenceValueResult | tuple[float, float],
    *,
    correlated: bool | Literal["auto"] = "auto",
    k: float = 2.0,
) -> DegreesOfEquivalence:
    """Unilateral and bilateral degrees of equivalence with En = d_i/U(d_i).

    u²(d_i) for a result that entered X_ref, by the reference's ``doe_form``
    (docs/comparison-formulas.md#equivalence):
    ``"correlated"`` (weighted mean, Cox 2002) u_i² − u_ref²; ``"arithmetic_mean"`` (1 − 2/n)u_i² + u_ref²;
    ``"random_effects"`` (DL/MP, analytic, τ fixed) u_i² + τ² − u_ref²; otherwise (median, Algorithm A,
    for which no analytic covariance is used, and every result outside X_ref) u_i² + u_ref².
    ``correlated=False`` uses u_i² + u_ref² for all (as CCQM-K30 did); ``True``/``"auto"`` use the
    reference's form. A tuple ``(value, u)`` is an independent reference. Bilateral:
    U(d_ij) = k·sqrt(u_i² + u_j²) (independent results).

    A non-positive u²(d_i) gives NaN with a DegenerateDataWarning.
    """
    xs = as_values(x, "x")
    us = as_uncertainties(u, "u", xs.size)
    kk = check_positive(k, "k")
    if isinstance(ref, ReferenceValueResult):
        value, ur, inc, form, tau = ref.value, ref.u, ref.included, ref.doe_form, ref.tau
        if inc.size != xs.size:
            raise ValueError(f"`ref` must come from the same {xs.size} results, got {inc.size}")
    else:
        value, ur = float(ref[0]), check_positive(ref[1], "ref u", allow_zero=True)
        inc, form, tau = np.zeros(xs.size, dtype=np.bool_), "independent", 0.0
    use = form if correlated is not False else "independent"
    n_inc = max(int(inc.sum()), 1)
    var = np.where(inc, _variance(use, us**2, ur**2, tau**2, n_inc), us**2 + ur**2)
    forms = [use if i else "independent" for i in inc]
    d = xs - value
    if form == "pilot":
        p = int(np.flatnonzero(inc)[0])
        var[p], d[p], forms[p] = np.nan, 0.0, "reference"
    with np.errstate(invalid="ignore"):
        u_d = np.where(var > 0, np.sqrt(np.where(var > 0, var, 0.0)), np.nan)
    if np.any(np.isnan(u_d) & ~np.array([f == "reference" for f in forms])):
        degenerate("degrees of equivalence: u²(d_i) ≤ 0 for some result (u_i ≤ u_ref); U(d_i) is NaN")
    en = d / (kk * u_d)
    verdicts = classify(en, warning=None, action=1.0)
    return DegreesOfEquivalence(d, u_d, kk * u_d, en, tuple(forms), verdicts, xs.copy(), us, kk, value, ur)
