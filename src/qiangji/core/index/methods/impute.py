"""Imputation methods: estimate missing indicator values.

Each imputer takes ``x`` shaped ``(units, indicators)`` (NaN = missing) and returns a filled copy; cells it
cannot estimate stay NaN (aggregation then skips them). ``groups`` (one label per unit, or ``None``) and
``history`` (``(periods, units, indicators)``, oldest first, or ``None``) come from the data set.

Sources: JRC/OECD *Handbook on Constructing Composite Indicators* (2008), §1.3 (single imputation:
unconditional mean/median, cold-deck / last value carried forward); COINr ``R/impute.R``
(``i_mean``, ``i_median``, ``i_mean_grp``, ``i_median_grp``, ``Impute.coin(use_group = …)``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from qiangji.core.errors import InputError
from qiangji.core.index.methods._arrays import FloatArray, col_mean
from qiangji.core.index.methods.registry import Registry

Imputer = Callable[..., FloatArray]
imputers: Registry[Imputer] = Registry("impute")


def _fill(x: FloatArray, values: FloatArray) -> FloatArray:
    return np.where(np.isnan(x), values, x)


def _col_median(x: FloatArray) -> FloatArray:
    out = np.full((1, x.shape[1]), np.nan)
    for j in range(x.shape[1]):
        col = x[:, j][~np.isnan(x[:, j])]
        if col.size:
            out[0, j] = np.median(col)
    return out


@imputers.register("none")
def none(
    x: FloatArray, *, groups: Sequence[str] | None = None, history: FloatArray | None = None
) -> FloatArray:
    """No imputation: missing stays missing (docs/domain.md#scoring: "never silently imputed")."""
    return x.copy()


@imputers.register("constant", absolute=("value",))
def constant(
    x: FloatArray, *, value: float, groups: Sequence[str] | None = None, history: FloatArray | None = None
) -> FloatArray:
    """Constant: a missing xᵤⱼ becomes ``value`` (e.g. 0 for "not reported scores 0", docs/domain.md#scoring).

    JRC/OECD Handbook §1.3 (single imputation by a fixed value).
    """
    return _fill(x, np.asarray(float(value)))


@imputers.register("mean")
def mean(
    x: FloatArray, *, groups: Sequence[str] | None = None, history: FloatArray | None = None
) -> FloatArray:
    """Indicator mean: a missing xᵤⱼ becomes the mean of indicator j over the units present.

    COINr ``i_mean``.
    """
    return _fill(x, col_mean(x, axis=0))


@imputers.register("median")
def median(
    x: FloatArray, *, groups: Sequence[str] | None = None, history: FloatArray | None = None
) -> FloatArray:
    """Indicator median: a missing xᵤⱼ becomes the median of indicator j (COINr ``i_median``)."""
    return _fill(x, _col_median(x))


def _by_group(
    x: FloatArray, groups: Sequence[str] | None, stat: Callable[[FloatArray], FloatArray]
) -> FloatArray:
    if groups is None:
        raise InputError("`by` must name a unit attribute column for group imputation, got no groups")
    labels = np.asarray(groups, dtype=object)
    out = x.copy()
    for g in sorted({str(v) for v in labels if v is not None}):
        rows = labels == g
        out[rows] = _fill(x[rows], stat(x[rows]))
    return out


@imputers.register("group_mean")
def group_mean(
    x: FloatArray, *, by: str, groups: Sequence[str] | None = None, history: FloatArray | None = None
) -> FloatArray:
    """Group mean: a missing xᵤⱼ becomes the mean of indicator j over the units of u's group, the group
    given by the unit attribute ``by`` (COINr ``i_mean_grp``). A unit without a group stays missing."""
    return _by_group(x, groups, lambda v: col_mean(v, axis=0))


@imputers.register("group_median")
def group_median(
    x: FloatArray, *, by: str, groups: Sequence[str] | None = None, history: FloatArray | None = None
) -> FloatArray:
    """Group median: as ``group_mean`` with the median (COINr ``i_median_grp``)."""
    return _by_group(x, groups, _col_median)


@imputers.register("last")
def last(
    x: FloatArray, *, groups: Sequence[str] | None = None, history: FloatArray | None = None
) -> FloatArray:
    """Last available period: a missing xᵤⱼ becomes the unit's most recent earlier value of indicator j
    (last observation carried forward; JRC/OECD Handbook §1.3; COINr ``impute_panel(imp_type = "latest")``).
    """
    out = x.copy()
    if history is None:
        return out
    for period in history[::-1]:
        out = _fill(out, period)
    return out
