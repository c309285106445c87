"""One point's evaluation from plain inputs (no Django): the bridge between stored rows and the core.

``compute(inputs, method, options)`` calls :mod:`qiangji.core.comparison` and returns plain numbers and a
JSON-ready trail. The same function serves the first evaluation and its replay, so a stored evaluation
recomputes identically. Every u is a standard uncertainty U/k; every U passed on is at k = 2.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from qiangji.core.canonical import json_ready, nan_to_none
from qiangji.core.comparison import (
    DriftResult,
    ReferenceValueResult,
    algorithm_a,
    check_results,
    degrees_of_equivalence,
    drift_reference,
    en_numbers,
    z_scores,
    zeta_scores,
    zprime_scores,
)
from qiangji.core.errors import InputError

CORE_OPTIONS = ("alpha", "mean_uncertainty", "birge_inflation", "n_mc", "seed")


@dataclass(frozen=True)
class LabRow:
    """One laboratory's numbers at the point (``None`` where a score does not apply)."""

    index: int
    x_ref: float
    U_ref: float | None
    d: float
    U_d: float | None
    en: float | None
    zeta: float | None
    z: float | None
    z_kind: str
    form: str
    verdict: str


@dataclass(frozen=True)
class PointOutcome:
    value: float | None
    u: float | None
    doe_form: str
    rows: tuple[LabRow, ...]
    trail: dict[str, Any] = field(default_factory=dict)


def plain(v: Any) -> Any:
    """A JSON-ready copy (`qiangji.core.canonical.json_ready`: NaN and infinities to None), verdicts as
    their values."""
    if isinstance(v, Mapping):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple | np.ndarray):
        return [plain(x) for x in v]
    if hasattr(v, "value") and hasattr(v, "zh"):  # a Verdict
        return v.value
    return json_ready(v)


_num = nan_to_none


def compute(inputs: Mapping[str, Any], method: str, options: Mapping[str, Any]) -> PointOutcome:
    """Reference value, En (with the transfer-standard term U_ts), ζ and z for every laboratory.

    Every result (and pilot check) is checked against the core's bounds first, so a stored 1e308 is an
    InputError naming the laboratory, not an overflow inside a statistic.
    """
    check_results(inputs["labs"], inputs["x"], inputs["u"])
    checks = inputs.get("pilot_checks") or []
    check_results([f"pilot check {c[0]}" for c in checks], [c[1] for c in checks], [c[2] for c in checks])
    x = np.asarray(inputs["x"], dtype=np.float64)
    u = np.asarray(inputs["u"], dtype=np.float64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if method == "pilot" and len(inputs.get("pilot_checks", [])) >= 2:
            out = _drift(inputs, x, u, float(options.get("U_ts", 0.0)))
        else:
            out = _consensus(inputs, x, u, method, options)
    out.trail["warnings"] = [str(w.message) for w in caught]
    return out


def _consensus(
    inputs: Mapping[str, Any], x: np.ndarray, u: np.ndarray, method: str, options: Mapping[str, Any]
) -> PointOutcome:
    from qiangji.core.comparison import reference_value

    if method == "pilot" and inputs.get("pilot") is None:
        raise InputError("the pilot laboratory has no result at this point and no transfer-standard checks")
    core = {k: options[k] for k in CORE_OPTIONS if k in options}
    ref = reference_value(x, u, method=method, included=inputs["included"], pilot=inputs.get("pilot"), **core)
    correlated = options.get("correlated", "auto")
    doe = degrees_of_equivalence(x, u, ref, correlated=correlated if correlated is False else "auto")
    ok = ~np.isnan(doe.U_d)
    en = np.full(x.size, np.nan)
    verdicts = ["not evaluated"] * x.size
    if ok.any():
        res = en_numbers(doe.d[ok], doe.U_d[ok], 0.0, 0.0, U_ts=float(options.get("U_ts", 0.0)))
        en[ok] = res.en
        for i, v in zip(np.flatnonzero(ok), res.verdicts, strict=True):
            verdicts[i] = v.value
    zeta = zeta_scores(x, u, ref.value, ref.u).scores
    sigma_pt, source = _sigma_pt(inputs, x, method)
    z, z_kind = _z(sigma_pt, x, ref.value, ref.u)
    rows = tuple(
        LabRow(
            i,
            ref.value,
            ref.U,
            float(doe.d[i]),
            _num(doe.U_d[i]),
            _num(en[i]),
            None if doe.form[i] == "reference" else _num(zeta[i]),
            None if z is None or doe.form[i] == "reference" else _num(z[i]),
            z_kind,
            doe.form[i],
            verdicts[i],
        )
        for i in range(x.size)
    )
    trail = {**_reference_trail(ref, options), "sigma_pt": sigma_pt, "sigma_pt_source": source}
    return PointOutcome(ref.value, ref.u, ref.doe_form, rows, trail)


def _sigma_pt(inputs: Mapping[str, Any], x: np.ndarray, method: str) -> tuple[float | None, str]:
    """σ_pt for the z-scores: the point's own (fixed in advance), else — for a consensus value, not the
    pilot's — the robust standard deviation s* (ISO 13528 Algorithm A) of the results that entered the
    reference value. With few laboratories such a σ_pt keeps |z| small (max |z| = (n − 1)/√n): the page
    says where σ_pt came from, and En remains the verdict."""
    given = inputs.get("sigma_pt")
    if given:
        return float(given), "given"
    included = np.asarray(inputs["included"], dtype=bool)
    if method == "pilot" or included.sum() < 3:
        return None, ""
    sd = algorithm_a(x[included]).sd
    return (float(sd), "robust_sd") if sd > 0 else (None, "")


def _z(sigma_pt: float | None, x: np.ndarray, x_pt: float, u_xpt: float) -> tuple[np.ndarray | None, str]:
    """z if u(x_pt) ≤ 0.3σ_pt, else z′ (ISO 13528:2022 9.2.1, 9.5); nothing without σ_pt."""
    if not sigma_pt:
        return None, ""
    if u_xpt <= 0.3 * sigma_pt:
        return z_scores(x, x_pt, sigma_pt).scores, "z"
    return zprime_scores(x, x_pt, sigma_pt, u_xpt).scores, "z'"


def _reference_trail(ref: ReferenceValueResult, options: Mapping[str, Any]) -> dict[str, Any]:
    trail: dict[str, Any] = {
        "kind": "reference_value",
        "method": ref.method,
        "value": ref.value,
        "u": ref.u,
        "U": ref.U,
        "doe_form": ref.doe_form,
        "included": [bool(b) for b in ref.included],
        "diagnostics": plain(dict(ref.diagnostics)),
        "tau": ref.tau,
        "U_ts": float(options.get("U_ts", 0.0)),
        "en_formula": "En = d / sqrt(U(d)² + U_ts²), U(d) = 2·u(d) by the DoE form",
    }
    if ref.chi2 is not None:
        trail["chi2"] = plain(asdict(ref.chi2))
    if ref.algorithm_a is not None:
        a = ref.algorithm_a
        trail["algorithm_a"] = plain(
            {"stop": a.stop, "tol": a.tol, "factor": a.factor, "converged": a.converged, "rows": a.table()}
        )
    return plain(trail)  # type: ignore[no-any-return]


def _drift(inputs: Mapping[str, Any], x: np.ndarray, u: np.ndarray, U_ts: float) -> PointOutcome:
    """Each laboratory against the pilot's drift line at its own measurement date (JJF 1117; EWC 2005)."""
    checks: Sequence[Sequence[Any]] = inputs["pilot_checks"]
    pilot = inputs.get("pilot")
    labs = [i for i in range(x.size) if i != pilot]
    dates = inputs["dates"]
    line: DriftResult = drift_reference(
        [c[0] for c in checks], [c[1] for c in checks], [c[2] for c in checks], [dates[i] for i in labs]
    )
    rows: list[LabRow] = []
    at = dict(zip(labs, range(len(labs)), strict=True))
    for i in range(x.size):
        if i not in at:
            rows.append(
                LabRow(i, float(x[i]), None, 0.0, None, None, None, None, "", "reference", "not evaluated")
            )
            continue
        v, s = float(line.value[at[i]]), float(line.u[at[i]])
        e = en_numbers([x[i]], [2 * u[i]], v, 2 * s, U_ts=U_ts)
        zeta = float(zeta_scores([x[i]], [u[i]], v, s).scores[0])
        rows.append(
            LabRow(
                i,
                v,
                2 * s,
                float(e.difference[0]),
                float(e.denominator[0]),
                _num(e.en[0]),
                _num(zeta),
                None,
                "",
                "drift",
                e.verdicts[0].value,
            )
        )
    trail = {
        "kind": "drift",
        "method": "pilot",
        "checks": [list(c) for c in checks],
        "intercept": line.intercept,
        "slope_per_day": line.slope,
        "u_slope": line.u_slope,
        "t_mean_days": line.t_mean,
        "chi2": line.chi2,
        "dof": line.dof,
        "p_value": line.p_value,
        "residuals": line.residuals,
        "U_ts": U_ts,
        "en_formula": "En = (x_i − X_P(t_i)) / sqrt(U_i² + U_P(t_i)² + U_ts²)",
    }
    return PointOutcome(None, None, "drift", tuple(rows), plain(trail))
