"""Weight-calibration advice: weights whose importances match the intended ones (advice, never applied).

Nominal weights are not importances (Paruolo, Saisana & Saltelli 2013): with correlated, heteroscedastic
dimensions a 30 % weight can carry 11 % of the variance of the index. ``calibrate_weights`` searches the
children weights of one group (by default the index's dimensions) for a set whose normalised importances
``Îᵢ(w) / Σⱼ Îⱼ(w)`` come closest, in squared difference, to a target (by default the nominal weights
themselves: "make each dimension count as much as its weight says"), as COINr's ``get_opt_weights``
(``R/weights.R``) does with correlations and Becker et al. (2017, §2.4) with correlation ratios:

    minimise  Σᵢ (Îᵢ(w) / Σⱼ Îⱼ(w) − tᵢ)²   over  w ≥ 0, Σ w = 1.

The importance is the main effect ``Sᵢ`` or the variance share ``cov(wᵢDᵢ, T) / V(T)``
(`qiangji.core.index.audit_stats`), computed on the units with every child present, the group's score
re-aggregated with the candidate weights by the group's own aggregation method. The search is SciPy's
SLSQP from the target (COINr starts Nelder–Mead from the target too), with finite-difference gradients:
deterministic, the same data giving the same advice. The data may make a target unreachable (Paruolo et al.
2013, §5): ``after`` shows what the proposed weights achieve, and ``objective`` the remaining distance.

The result is advice for the people who own the framework: nothing here changes a framework or a run.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.index import audit_stats as st
from qiangji.core.index.framework import Framework
from qiangji.core.index.methods import aggregators
from qiangji.core.index.methods._arrays import FloatArray
from qiangji.core.index.result import IndexResult, readonly

__all__ = ["IMPORTANCES", "CalibrationResult", "calibrate_weights"]

IMPORTANCES = ("main_effect", "var_share")


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """Proposed weights for the children of ``node``; arrays aligned with ``children``, each summing to 1."""

    node: str
    children: tuple[str, ...]
    importance: str
    nominal: FloatArray
    """The framework's weights, normalised."""
    target: FloatArray
    proposed: FloatArray
    before: FloatArray
    """Normalised importances with the nominal weights."""
    after: FloatArray
    """Normalised importances with the proposed weights."""
    objective: float
    """Σ (after − target)² at the proposed weights."""
    converged: bool
    message: str
    n_units: int

    def table(self) -> list[dict[str, float | str]]:
        """One row per child: nominal, target, proposed weight and the importances before and after."""
        return [
            {
                "child": c,
                "nominal": float(self.nominal[i]),
                "target": float(self.target[i]),
                "proposed": float(self.proposed[i]),
                "before": float(self.before[i]),
                "after": float(self.after[i]),
            }
            for i, c in enumerate(self.children)
        ]


def calibrate_weights(
    result: IndexResult,
    *,
    node: str | None = None,
    target: Mapping[str, float] | Sequence[float] | None = None,
    importance: str = "main_effect",
    max_iter: int = 200,
) -> CalibrationResult:
    """Propose weights for the children of ``node`` (default: the index) matching ``target`` importances.

    ``target`` maps each child code to a relative importance (or lists them in framework order); default
    the nominal weights. ``importance`` is ``"main_effect"`` or ``"var_share"``.
    """
    fw = result.framework
    g = fw.index[fw.code] if node is None else fw.index[fw.node(node).code]
    kids = fw.children[g]
    if kids.size < 2:
        raise InputError(f"`node` must be a group with at least 2 children, got {fw.nodes[g].code!r}")
    if importance not in IMPORTANCES:
        raise InputError(f"`importance` must be one of {', '.join(IMPORTANCES)}, got {importance!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise InputError(f"`max_iter` must be an integer not less than 1, got {max_iter!r}")
    children = tuple(fw.nodes[c].code for c in kids)
    nominal = fw.weights[g] / fw.weights[g].sum()
    t = _target(target, children, nominal)
    x = result.scores[:, kids]
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[0] < 3:
        raise InputError(f"`result` must have at least 3 units with every child of {children} present")
    measure = _measure(fw, g, x, importance)
    return _optimise(fw.nodes[g].code, children, importance, nominal, t, measure, max_iter, x.shape[0])


def _target(
    target: Mapping[str, float] | Sequence[float] | None, children: tuple[str, ...], nominal: FloatArray
) -> FloatArray:
    if target is None:
        return nominal.copy()
    if isinstance(target, Mapping):
        unknown = sorted(set(target) - set(children))
        if unknown or set(target) != set(children):
            raise InputError(
                f"`target` must give every child of the node {list(children)}, got {sorted(target)}"
            )
        values = np.array([target[c] for c in children], dtype=np.float64)
    else:
        values = np.asarray(list(target), dtype=np.float64)
        if values.shape != (len(children),):
            raise InputError(f"`target` must have {len(children)} values (one per child), got {values.size}")
    if not np.all(np.isfinite(values)) or np.any(values < 0) or values.sum() <= 0:
        raise InputError(f"`target` must be non-negative numbers with a positive sum, got {values.tolist()}")
    out: FloatArray = values / values.sum()
    return out


def _measure(fw: Framework, g: int, x: FloatArray, importance: str) -> Callable[[FloatArray], FloatArray]:
    """``w ↦`` normalised importances of the children for weights ``w`` (normalised), on rows ``x``."""
    spec = fw.nodes[g].methods["aggregate"]
    linear = spec.method == "arithmetic"
    if importance == "main_effect" and linear:
        # T = X w is linear in w and the smoother is linear in its response: E[T | Dᵢ] = (Lᵢ X) w, so the
        # k smoothers are applied once, to every column of X, and each step is a matrix product
        xc = x - x.mean(axis=0)
        fc = [_centred_fit(x[:, i], x) for i in range(x.shape[1])]

        def linear_effects(w: FloatArray) -> FloatArray:
            t = xc @ w
            return _normalised(np.array([float((f @ w) @ (f @ w)) for f in fc]) / float(t @ t))

        return linear_effects

    def effects(w: FloatArray) -> FloatArray:
        t = aggregators[spec.method](x, w, **spec.params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateDataWarning)
            if importance == "var_share":
                return _normalised(st.variance_shares(x, t, w))
            return _normalised(st.main_effects(x, t))

    return effects


def _centred_fit(d: FloatArray, x: FloatArray) -> FloatArray:
    """``Lᵢ X`` centred, for the smoother of ``d``; zeros if ``d`` is constant (it explains nothing)."""
    if np.ptp(d) == 0:
        return np.zeros(x.shape)
    fit = st.local_linear(d, x, st.bandwidth(d))
    out: FloatArray = fit - fit.mean(axis=0)
    return out


def _normalised(v: FloatArray) -> FloatArray:
    total = float(np.sum(v))
    out: FloatArray = v / total if total > 0 and np.all(np.isfinite(v)) else np.full(v.shape, np.nan)
    return out


def _optimise(
    node: str,
    children: tuple[str, ...],
    importance: str,
    nominal: FloatArray,
    target: FloatArray,
    measure: Callable[[FloatArray], FloatArray],
    max_iter: int,
    n_units: int,
) -> CalibrationResult:
    from scipy.optimize import minimize  # imported here: the audit command never needs it

    def objective(w: FloatArray) -> float:
        total = float(w.sum())
        if total <= 0:
            return 4.0  # above any reachable value (Σ (a − t)² ≤ 2 for two distributions)
        got = measure(np.clip(w, 0.0, None) / total)
        return float(((got - target) ** 2).sum()) if np.all(np.isfinite(got)) else 4.0

    out = minimize(
        objective,
        target.copy(),
        method="SLSQP",
        bounds=[(0.0, 1.0)] * len(children),
        constraints=[{"type": "eq", "fun": lambda w: float(w.sum()) - 1.0}],
        options={"maxiter": max_iter, "ftol": 1e-12},
    )
    proposed = np.clip(np.asarray(out.x, dtype=np.float64), 0.0, None)
    proposed = proposed / proposed.sum()
    return CalibrationResult(
        node=node,
        children=children,
        importance=importance,
        nominal=readonly(nominal.copy()),
        target=readonly(target),
        proposed=readonly(proposed),
        before=readonly(measure(nominal)),
        after=readonly(measure(proposed)),
        objective=objective(proposed),
        converged=bool(out.success),
        message=str(out.message),
        n_units=n_units,
    )
