"""Normalised error En (JJF 1117; ISO 13528:2022 9.7, formula 20; Cox 2002)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qiangji.core.comparison._common import (
    ArrayLike,
    FloatArray,
    Verdict,
    as_mask,
    as_uncertainties,
    as_values,
    check_positive,
    classify,
    degenerate,
)

__all__ = ["EnResult", "en_numbers"]


@dataclass(frozen=True)
class EnResult:
    """En numbers with their denominators and the form used for each result.

    ``form[i]`` is ``"independent"`` (U_i² + U_ref² + U_ts²) or ``"correlated"`` (U_i² − U_ref² + U_ts²,
    the reference includes result i). ``verdicts``: |En| ≤ 1 satisfactory, otherwise unsatisfactory.
    """

    en: FloatArray
    difference: FloatArray
    denominator: FloatArray
    form: tuple[str, ...]
    x_ref: float
    U_ref: float
    U_ts: float
    verdicts: tuple[Verdict, ...]


def en_numbers(
    x: ArrayLike,
    U: ArrayLike,
    x_ref: float,
    U_ref: float,
    *,
    correlated: bool | ArrayLike = False,
    U_ts: float = 0.0,
) -> EnResult:
    """En_i = (x_i − X_ref) / sqrt(U_i² ± U_ref² + U_ts²), all U at the same coverage (k = 2).

    Parameters
    ----------
    x, U : results and their expanded uncertainties (convert U to k = 2 first: U·2/k).
    x_ref, U_ref : reference value and its expanded uncertainty.
    correlated : True (or a mask) for results included in a weighted-mean reference, for which
        u²(x_i − X_ref) = u_i² − u_ref² (Cox 2002 §4); False for an independent reference (JJF 1117).
    U_ts : expanded uncertainty of the transfer standard's instability (JJF 1117,
    docs/comparison-formulas.md#en).

    A correlated denominator that is not positive gives NaN with a DegenerateDataWarning.

    Examples
    --------
    ISO 13528:2022 Table E.6, L04: x = 0.013, U = 0.003, x_pt = 0.044, U(x_pt) = 0.0082 → En = −3.55.
    """
    xs = as_values(x, "x")
    Us = as_uncertainties(U, "U", xs.size, allow_zero=True)
    ref = float(as_values(x_ref, "x_ref")[0])
    U_r = check_positive(U_ref, "U_ref", allow_zero=True)
    U_t = check_positive(U_ts, "U_ts", allow_zero=True)
    corr = as_mask(correlated, "correlated", xs.size)
    var = Us**2 + np.where(corr, -1.0, 1.0) * U_r**2 + U_t**2
    d = xs - ref
    with np.errstate(invalid="ignore", divide="ignore"):
        den = np.where(var > 0, np.sqrt(np.maximum(var, 0.0)), np.nan)
        en = d / den
    if np.any(np.isnan(den)):
        degenerate("En: a denominator is zero or negative (U_i ≤ U_ref in the correlated form); En is NaN")
    form = tuple("correlated" if c else "independent" for c in corr)
    return EnResult(en, d, den, form, ref, U_r, U_t, classify(en, warning=None, action=1.0))
