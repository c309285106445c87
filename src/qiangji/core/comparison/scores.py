"""Proficiency-testing scores z, z′ and ζ (ISO 13528:2022 clause 9) with the ISO/IEC 17043 bands."""

from __future__ import annotations

from dataclasses import dataclass

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

__all__ = ["ScoreResult", "z_scores", "zeta_scores", "zprime_scores"]


@dataclass(frozen=True)
class ScoreResult:
    """Scores of one kind with the denominator used and the verdicts.

    Bands (ISO 13528 9.4.2, ISO/IEC 17043): |s| ≤ 2 satisfactory, 2 < |s| < 3 questionable,
    |s| ≥ 3 unsatisfactory. ``formula`` names the clause and formula, for a report.
    """

    kind: str
    scores: FloatArray
    difference: FloatArray
    denominator: FloatArray
    x_pt: float
    formula: str
    verdicts: tuple[Verdict, ...]
    notes: tuple[str, ...] = ()


def _result(
    kind: str, x: FloatArray, x_pt: float, den: FloatArray, formula: str, notes: tuple[str, ...] = ()
) -> ScoreResult:
    d = x - x_pt
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(den > 0, d / np.where(den > 0, den, 1.0), np.nan)
    if np.any(den <= 0):
        degenerate(f"{kind}: a denominator is zero; the score is NaN")
    return ScoreResult(kind, s, d, den, x_pt, formula, classify(s, warning=2.0, action=3.0), notes)


def z_scores(x: ArrayLike, x_pt: float, sigma_pt: float) -> ScoreResult:
    """z_i = (x_i − x_pt)/σ_pt (ISO 13528:2022 9.4, formula 14).

    ISO 13528 9.2.1 allows z only if u(x_pt) < 0.3σ_pt; otherwise use :func:`zprime_scores`.
    If x_pt and σ_pt come from the same n results, max|z| = (n − 1)/√n, so z cannot reach 2 for n ≤ 5.
    """
    xs = as_values(x, "x")
    s = check_positive(sigma_pt, "sigma_pt")
    notes = (
        ("n ≤ 5: |z| < 2 whenever x_pt and σ_pt are the mean and SD of these results",)
        if xs.size <= 5
        else ()
    )
    return _result("z", xs, _scalar(x_pt, "x_pt"), np.full(xs.size, s), "ISO 13528:2022 9.4 (14)", notes)


def zprime_scores(x: ArrayLike, x_pt: float, sigma_pt: float, u_xpt: float) -> ScoreResult:
    """z′_i = (x_i − x_pt)/sqrt(σ_pt² + u²(x_pt)) (ISO 13528:2022 9.5, formula 15)."""
    xs = as_values(x, "x")
    s = check_positive(sigma_pt, "sigma_pt")
    u = check_positive(u_xpt, "u_xpt", allow_zero=True)
    den = np.full(xs.size, float(np.hypot(s, u)))
    return _result("z'", xs, _scalar(x_pt, "x_pt"), den, "ISO 13528:2022 9.5 (15)")


def zeta_scores(x: ArrayLike, u: ArrayLike, x_pt: float, u_xpt: float) -> ScoreResult:
    """ζ_i = (x_i − x_pt)/sqrt(u²(x_i) + u²(x_pt)), standard uncertainties (ISO 13528:2022 9.6, formula 19).

    ISO 13528:2022 Table E.6, L04: x = 0.013, u = 0.0015, x_pt = 0.044, u(x_pt) = 0.0041 → ζ = −7.10.
    """
    xs = as_values(x, "x")
    us = as_uncertainties(u, "u", xs.size, allow_zero=True)
    ux = check_positive(u_xpt, "u_xpt", allow_zero=True)
    return _result("zeta", xs, _scalar(x_pt, "x_pt"), np.hypot(us, ux), "ISO 13528:2022 9.6 (19)")


def _scalar(value: float, name: str) -> float:
    return float(as_values(value, name)[0])
