"""A comparison's measurement point evaluated from plain inputs: reference value, uncertainties, scores.

:func:`evaluate_point` is the one evaluation of a point, for the web app (the first evaluation and its
replay from the stored inputs) and the command line alike. Every u is a standard uncertainty U/k; every
U it returns is at k = 2. Formulas: docs/comparison-formulas.md §1 (En with U_ts), §3 (z, z′, ζ), §7
(drift), §8 (degrees of equivalence).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from qiangji.core.comparison._common import BoolArray, FloatArray, check_results
from qiangji.core.comparison.columns import LabScore
from qiangji.core.comparison.consensus import ReferenceValueResult, reference_value
from qiangji.core.comparison.drift import DriftResult, drift_reference
from qiangji.core.comparison.en import en_numbers
from qiangji.core.comparison.equivalence import degrees_of_equivalence
from qiangji.core.comparison.names import OPTION_NAMES
from qiangji.core.comparison.robust import algorithm_a
from qiangji.core.comparison.scores import z_scores, zeta_scores, zprime_scores
from qiangji.core.errors import InputError

__all__ = ["OPTION_NAMES", "PointEvaluation", "evaluate_point", "plain"]

PilotCheck = Sequence[Any]  # (date, x, u) of one pilot measurement of the transfer standard


@dataclass(frozen=True)
class PointEvaluation:
    """The evaluation of one point.

    ``value``/``u``: X_ref and its standard uncertainty (None for a drift line, where each laboratory has
    its own ``x_ref``); ``doe_form`` how U(d) of an included result is formed (``"drift"`` for the line);
    ``rows``: one :class:`~qiangji.core.comparison.columns.LabScore` per laboratory, in input order;
    ``trail``: the JSON-ready calculation trail (method diagnostics, σ_pt and its source, the warnings
    raised); ``reference`` or ``drift``: the core result the reference came from.
    """

    value: float | None
    u: float | None
    doe_form: str
    rows: tuple[LabScore, ...]
    trail: dict[str, Any] = field(default_factory=dict)
    reference: ReferenceValueResult | None = None
    drift: DriftResult | None = None


def plain(v: Any) -> Any:
    """A JSON-ready copy: numpy scalars and arrays to Python, NaN and infinities to None."""
    if isinstance(v, Mapping):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple | np.ndarray):
        return [plain(x) for x in v]
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    if hasattr(v, "value") and hasattr(v, "zh"):  # a Verdict
        return v.value
    return v


def _num(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


@dataclass(frozen=True)
class _Point:
    """The inputs, as arrays, and the options every step reads."""

    names: list[str]
    x: FloatArray
    u: FloatArray
    included: Any
    inc: BoolArray
    dates: Sequence[str] | None
    pilot: int | None
    checks: Sequence[PilotCheck]
    sigma_pt: float | None
    method: str
    options: Mapping[str, Any]

    @property
    def U_ts(self) -> float:
        return float(self.options.get("U_ts", 0.0))


def evaluate_point(
    x: Sequence[float],
    u: Sequence[float],
    *,
    method: str,
    labs: Sequence[str] | None = None,
    included: Sequence[bool] | None = None,
    dates: Sequence[str] | None = None,
    pilot: int | None = None,
    pilot_checks: Sequence[PilotCheck] | None = None,
    sigma_pt: float | None = None,
    **options: Any,
) -> PointEvaluation:
    """Reference value, U(d), En (with the transfer-standard term U_ts), ζ and z or z′ for every laboratory.

    Parameters
    ----------
    x, u : each laboratory's result and standard uncertainty (U/k).
    method : one of ``REFERENCE_METHODS``. ``"pilot"`` with two or more ``pilot_checks`` compares each
        laboratory with the pilot's drift line at its own date (JJF 1117; Elster et al. 2005).
    labs : laboratory codes, for messages (default ``L1``, ``L2``, …).
    included : the results allowed into a consensus value (default all).
    dates : each laboratory's measurement date (YYYY-MM-DD), needed on the drift line.
    pilot : index of the pilot laboratory's result, for ``"pilot"``.
    pilot_checks : the pilot's measurements of the transfer standard, (date, x, u) each.
    sigma_pt : σ_pt fixed in advance; without it, a consensus value's z uses the robust s* (Algorithm A)
        of the included results (three or more).
    options : ``OPTION_NAMES``: ``alpha``, ``mean_uncertainty``, ``birge_inflation``, ``n_mc`` and ``seed``
        go to :func:`reference_value`; ``correlated=False`` forms every U(d) as independent (CCQM-K30);
        ``U_ts`` is the expanded uncertainty of the transfer standard's instability, U(x_ts).

    Every result and pilot check is checked against the core's bounds first, so that a stored 1e308 is an
    InputError naming the laboratory, not an overflow inside a statistic. Warnings the statistics raise are
    recorded in ``trail["warnings"]``.

    Examples
    --------
    Pilot reference x_P = 0, U_P = 0.5 (k = 2); a laboratory at 3.0 with U = 1.0:
    En = 3.0/sqrt(1.0² + 0.5²) = 2.68, unsatisfactory (JJF 1117).
    """
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        raise InputError(f"options must be among {', '.join(OPTION_NAMES)}, got {', '.join(unknown)}")
    names = list(labs) if labs is not None else [f"L{i + 1}" for i in range(len(x))]
    check_results(names, x, u)
    checks = list(pilot_checks or [])
    check_results([f"pilot check {c[0]}" for c in checks], [c[1] for c in checks], [c[2] for c in checks])
    xs = np.asarray(x, dtype=np.float64)
    inc = np.ones(xs.size, dtype=np.bool_) if included is None else np.asarray(included, dtype=bool)
    uu = np.asarray(u, dtype=np.float64)
    point = _Point(names, xs, uu, included, inc, dates, pilot, checks, sigma_pt, method, options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = _drift(point) if method == "pilot" and len(checks) >= 2 else _consensus(point)
    out.trail["warnings"] = [str(w.message) for w in caught]
    return out


def _consensus(p: _Point) -> PointEvaluation:
    if p.method == "pilot" and p.pilot is None:
        raise InputError("the pilot laboratory has no result at this point and no transfer-standard checks")
    core = {k: p.options[k] for k in OPTION_NAMES[:5] if k in p.options}
    ref = reference_value(p.x, p.u, method=p.method, included=p.included, pilot=p.pilot, **core)
    correlated = p.options.get("correlated", "auto")
    doe = degrees_of_equivalence(p.x, p.u, ref, correlated=correlated if correlated is False else "auto")
    ok = ~np.isnan(doe.U_d)
    en = np.full(p.x.size, np.nan)
    verdicts = ["not evaluated"] * p.x.size
    if ok.any():
        res = en_numbers(doe.d[ok], doe.U_d[ok], 0.0, 0.0, U_ts=p.U_ts)
        en[ok] = res.en
        for i, v in zip(np.flatnonzero(ok), res.verdicts, strict=True):
            verdicts[i] = v.value
    zeta = zeta_scores(p.x, p.u, ref.value, ref.u).scores
    sigma_pt, source = _sigma_pt(p)
    z, z_kind = _z(sigma_pt, p.x, ref.value, ref.u)
    rows = tuple(
        LabScore(
            i,
            float(p.x[i]),
            2 * float(p.u[i]),
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
        for i in range(p.x.size)
    )
    trail = {**_reference_trail(ref, p.U_ts), "sigma_pt": sigma_pt, "sigma_pt_source": source}
    return PointEvaluation(ref.value, ref.u, ref.doe_form, rows, trail, reference=ref)


def _sigma_pt(p: _Point) -> tuple[float | None, str]:
    """σ_pt for the z-scores: the point's own (fixed in advance), else — for a consensus value, not the
    pilot's — the robust standard deviation s* (ISO 13528 Algorithm A) of the results that entered the
    reference value. With few laboratories such a σ_pt keeps |z| small (max |z| = (n − 1)/√n): the page
    says where σ_pt came from, and En remains the verdict."""
    if p.sigma_pt:
        return float(p.sigma_pt), "given"
    if p.method == "pilot" or p.inc.sum() < 3:
        return None, ""
    sd = algorithm_a(p.x[p.inc]).sd
    return (float(sd), "robust_sd") if sd > 0 else (None, "")


def _z(sigma_pt: float | None, x: FloatArray, x_pt: float, u_xpt: float) -> tuple[FloatArray | None, str]:
    """z if u(x_pt) ≤ 0.3σ_pt, else z′ (ISO 13528:2022 9.2.1, 9.5); nothing without σ_pt."""
    if not sigma_pt:
        return None, ""
    if u_xpt <= 0.3 * sigma_pt:
        return z_scores(x, x_pt, sigma_pt).scores, "z"
    return zprime_scores(x, x_pt, sigma_pt, u_xpt).scores, "z'"


def _reference_trail(ref: ReferenceValueResult, U_ts: float) -> dict[str, Any]:
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
        "U_ts": U_ts,
        "en_formula": "En = d / sqrt(U(d)² + U_ts²), U(d) = 2·u(d) by the DoE form",
    }
    if ref.chi2 is not None:
        trail["chi2"] = plain(asdict(ref.chi2))
    if ref.algorithm_a is not None:
        a = ref.algorithm_a
        trail["algorithm_a"] = plain(
            {"stop": a.stop, "tol": a.tol, "factor": a.factor, "converged": a.converged, "rows": a.table()}
        )
    out: dict[str, Any] = plain(trail)
    return out


def _drift(p: _Point) -> PointEvaluation:
    """Each laboratory against the pilot's drift line at its own measurement date (JJF 1117; EWC 2005):
    En_i = (x_i − X_P(t_i))/sqrt(U_i² + U_P(t_i)² + U_ts²), ζ_i with u(X_P(t_i)); the pilot's own result,
    if it is among the laboratories, is the reference and is not scored."""
    labs = [i for i in range(p.x.size) if i != p.pilot]
    line = drift_reference(
        [c[0] for c in p.checks], [c[1] for c in p.checks], [c[2] for c in p.checks], _lab_dates(p, labs)
    )
    at = dict(zip(labs, range(len(labs)), strict=True))
    rows = tuple(
        _drift_row(p, i, float(line.value[at[i]]), float(line.u[at[i]])) if i in at else _reference_row(p, i)
        for i in range(p.x.size)
    )
    trail = {
        "kind": "drift",
        "method": "pilot",
        "checks": [list(c) for c in p.checks],
        "intercept": line.intercept,
        "slope_per_day": line.slope,
        "u_slope": line.u_slope,
        "t_mean_days": line.t_mean,
        "chi2": line.chi2,
        "dof": line.dof,
        "p_value": line.p_value,
        "residuals": line.residuals,
        "U_ts": p.U_ts,
        "en_formula": "En = (x_i − X_P(t_i)) / sqrt(U_i² + U_P(t_i)² + U_ts²)",
    }
    return PointEvaluation(None, None, "drift", rows, plain(trail), drift=line)


def _lab_dates(p: _Point, labs: list[int]) -> list[str]:
    dates = list(p.dates or [])
    missing = [i for i in labs if i >= len(dates) or not dates[i]]
    if missing:
        lab = p.names[missing[0]]
        raise InputError(f"lab {lab!r} needs a measurement date: the pilot's value is drift-corrected to it")
    return [dates[i] for i in labs]


def _reference_row(p: _Point, i: int) -> LabScore:
    x, U = float(p.x[i]), 2 * float(p.u[i])
    return LabScore(i, x, U, x, None, 0.0, None, None, None, None, "", "reference", "not evaluated")


def _drift_row(p: _Point, i: int, value: float, s: float) -> LabScore:
    e = en_numbers([p.x[i]], [2 * p.u[i]], value, 2 * s, U_ts=p.U_ts)
    zeta = float(zeta_scores([p.x[i]], [p.u[i]], value, s).scores[0])
    return LabScore(
        i,
        float(p.x[i]),
        2 * float(p.u[i]),
        value,
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
