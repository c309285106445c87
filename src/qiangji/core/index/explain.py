"""Explanations of a result: leaderboard, strengths and weaknesses, rank change.

Strengths and weaknesses follow COINr ``get_str_weak``: for each unit, its indicators ordered by the
unit's rank on each (1 = best among the units); the ``n`` best are strengths, the ``n`` worst weaknesses.
Ties between indicators are broken by framework order. An indicator on which every unit with data
has the same value (a zero shared by everyone) ranks nobody: it is neither a strength nor a weakness of
any unit, and is left out.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from qiangji.core.errors import InputError
from qiangji.core.index.methods._arrays import FloatArray

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made: `qiangji index compute` needs none
    import pandas as pd

    from qiangji.core.index.result import IndexResult


def nullable_int(values: FloatArray) -> pd.Series:
    """Whole-number floats (NaN = missing) as a pandas nullable ``Int64`` series."""
    import pandas as pd

    return pd.Series(np.asarray(values, dtype=np.float64)).astype("Int64")


def ranking(result: IndexResult) -> pd.DataFrame:
    """One row per unit in publication order: rank, publication rank, unit, name, index score, children."""
    import pandas as pd

    fw = result.framework
    frame = pd.DataFrame(
        {
            "rank": nullable_int(result.ranks[:, -1]),
            "publication_rank": nullable_int(result.publication_rank),
            "unit": list(result.units),
        }
    )
    if result.names is not None:
        frame["name"] = list(result.names)
    frame[fw.code] = result.scores[:, -1]
    for child in fw.children[-1]:
        frame[fw.nodes[child].code] = result.scores[:, child]
    if result.previous_rank is not None:
        frame["change"] = nullable_int(result.previous_rank - result.ranks[:, -1])
    order = np.lexsort((np.arange(len(result.units)), np.nan_to_num(result.publication_rank, nan=np.inf)))
    return frame.iloc[order].reset_index(drop=True)


def strengths_weaknesses(result: IndexResult, n: int = 3) -> pd.DataFrame:
    """Long table ``unit, kind, order, indicator, rank, value``: ``kind`` is ``strength`` or ``weakness``;
    ``order`` 1 is the strongest (or weakest); ``value`` is the raw value. Missing indicators are skipped."""
    import pandas as pd

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"`n` must be an integer not less than 1, got {n!r}")
    fw = result.framework
    leaf_ranks = result.ranks[:, fw.column >= 0]
    informative = ~_all_tied(result.raw)
    rows: list[tuple[str, str, int, str, float, float]] = []
    for u, unit in enumerate(result.units):
        r = leaf_ranks[u]
        have = np.flatnonzero(~np.isnan(r) & informative)
        best = have[np.lexsort((have, r[have]))]
        worst = have[np.lexsort((have, -r[have]))]
        for kind, picks in (("strength", best[:n]), ("weakness", worst[:n])):
            rows += [
                (unit, kind, k + 1, fw.indicators[j], float(r[j]), float(result.raw[u, j]))
                for k, j in enumerate(picks)
            ]
    frame = pd.DataFrame(rows, columns=["unit", "kind", "order", "indicator", "rank", "value"])
    frame["rank"] = frame["rank"].astype("Int64")
    return frame


def _all_tied(raw: FloatArray) -> np.ndarray:
    """Per indicator (column): True when every non-missing value is the same (or none is present)."""
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: nanmin warns
        low, high = np.nanmin(raw, axis=0), np.nanmax(raw, axis=0)
    return np.asarray(~(low < high), dtype=np.bool_)


def rank_change(result: IndexResult) -> pd.DataFrame:
    """``unit, rank, previous_rank, change`` with ``change = previous_rank − rank`` (positive = up)."""
    import pandas as pd

    if result.previous_rank is None:
        raise InputError("`previous` must be given to compute() to get the rank change, got None")
    now = result.ranks[:, -1]
    return pd.DataFrame(
        {
            "unit": list(result.units),
            "rank": nullable_int(now),
            "previous_rank": nullable_int(result.previous_rank),
            "change": nullable_int(result.previous_rank - now),
        }
    )
