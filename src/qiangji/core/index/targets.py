"""Per-unit targets: a unit's own full-marks goalpost in place of the framework's.

A framework may let a planning office set, for one unit and one indicator, the amount that unit is expected
to reach (a differentiated plan: a county specialised in flow metering is expected more verifications than
one specialised in mass). An indicator opts in with ``per_unit_targets: true``; its normaliser must state a
full-marks amount, which the unit's target then replaces:

* ``goalposts``: ``high`` → ``s = (x − low) / (tᵤ − low) · scale``, truncated as usual;
* ``target`` (higher is better): ``target`` → ``s = min(x / tᵤ, 1) · scale``.

Any other normaliser (a what-if with min-max, say) ignores the targets: they are amounts on a fixed scale.

Targets are a ``(units, indicators)`` array in the framework file's terms (a ``per: year`` indicator's
target is a yearly amount, pro-rated by the period fraction like the framework's own goalposts); NaN means
the framework's value. All NaN (or none) gives exactly the result without targets, bit for bit.

Example: D1.1 goalposts [0, 30]; a unit with 24 authorised items scores 80; with its plan target 20 it
scores 100 (capped), with a target of 40 it scores 60.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qiangji.core.errors import InputError
from qiangji.core.index.framework import Framework, MethodSpec
from qiangji.core.index.methods._arrays import FloatArray

if TYPE_CHECKING:
    from qiangji.core.index.data import IndexData

#: The parameter of each normaliser that a unit's target replaces (its full-marks amount).
TARGET_PARAM: Mapping[str, str] = {"goalposts": "high", "target": "target"}


def allowed(fw: Framework) -> tuple[str, ...]:
    """Codes of the indicators of ``fw`` that accept a per-unit target."""
    return tuple(n.code for n in fw.leaves if n.per_unit_targets)


def target_matrix(
    fw: Framework, units: Sequence[str], targets: Mapping[str, Mapping[str, float]]
) -> FloatArray:
    """The ``(units, indicators)`` array of ``targets`` (unit → indicator → amount), NaN elsewhere.

    Every problem is collected: an unknown unit, an indicator that does not accept per-unit targets, a
    value that is not a number above the lower goalpost.
    """
    where = {u: i for i, u in enumerate(units)}
    out = np.full((len(units), len(fw.indicators)), np.nan)
    errors: list[str] = []
    for unit in sorted(targets):
        if unit not in where:
            errors.append(f"`targets` unit must be one of the data's units, got {unit!r}")
            continue
        for code, value in sorted(targets[unit].items()):
            if code not in fw.index or not fw.node(code).is_indicator:
                errors.append(f"`targets` of unit {unit!r}: {code!r} is not an indicator of {fw.code}")
                continue
            out[where[unit], fw.indicators.index(code)] = _number(value)
    errors += _cell_errors(fw, out, units)
    if errors:
        raise InputError(f"per-unit targets have {len(errors)} error(s)", errors=errors)
    return out


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.inf  # reported by check_targets as not a finite number


def check_targets(fw: Framework, targets: FloatArray, units: Sequence[str]) -> None:
    """Raise ``InputError`` listing every cell of ``targets`` that ``fw`` does not accept."""
    if targets.shape != (len(units), len(fw.indicators)):
        raise InputError(
            f"`targets` must be shaped (units, indicators) = ({len(units)}, {len(fw.indicators)}), "
            f"got {targets.shape}"
        )
    errors = _cell_errors(fw, targets, units)
    if errors:
        raise InputError(f"per-unit targets have {len(errors)} error(s)", errors=errors)


def _cell_errors(fw: Framework, targets: FloatArray, units: Sequence[str]) -> list[str]:
    errors = []
    for col, node in enumerate(fw.leaves):
        for i in np.flatnonzero(~np.isnan(targets[:, col])).tolist():
            problem = _problem(fw, col, float(targets[i, col]))
            if problem:
                errors.append(f"unit {units[i]!r}, indicator `{node.code}`: {problem}")
    return errors


def _problem(fw: Framework, col: int, value: float) -> str:
    node = fw.leaves[col]
    if not node.per_unit_targets:
        return f"framework {fw.code} {fw.version} does not accept a per-unit target for this indicator"
    if not math.isfinite(value):
        return f"target must be a finite number, got {value}"
    spec = node.methods["normalise"]
    low = float(spec.params.get("low", 0.0)) / node.scale if spec.method == "goalposts" else 0.0
    if value <= low:
        return f"target must be greater than {low:g}, got {value:g}"
    return ""


def unit_params(fw: Framework, spec: MethodSpec, cols: Any, targets: FloatArray | None) -> Mapping[str, Any]:
    """The normaliser parameters of the columns ``cols``, with each unit's target (× the column's period
    scale) in place of the full-marks parameter where it has one; ``spec.params`` itself when none applies.
    """
    name = TARGET_PARAM.get(spec.method)
    if targets is None or name is None:
        return spec.params
    own = targets[:, cols]
    if np.isnan(own).all():
        return spec.params  # untouched: the result is the framework's own, bit for bit
    scale = np.array([fw.leaves[c].scale for c in np.atleast_1d(cols)], dtype=np.float64)
    return {**spec.params, name: np.where(np.isnan(own), float(spec.params[name]), own * scale)}


def applied(fw: Framework, code: str, target: float) -> float:
    """The amount a unit's ``target`` of indicator ``code`` sets for the framework's period (pro-rated)."""
    return target * fw.node(code).scale


def with_targets(data: IndexData, fw: Framework, targets: Mapping[str, Mapping[str, float]]) -> IndexData:
    """``data`` with the per-unit ``targets`` (unit → indicator → amount); none given keeps ``data``."""
    if not targets:
        return data
    return dataclasses.replace(data, targets=target_matrix(fw, data.units, targets))


__all__ = [
    "TARGET_PARAM",
    "allowed",
    "applied",
    "check_targets",
    "target_matrix",
    "unit_params",
    "with_targets",
]
