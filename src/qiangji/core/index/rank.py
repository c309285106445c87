"""Ranking: rank 1 is best; ties share the lowest rank (1, 2, 2, 4); a tie-break rule for publication.

Scores are compared with a tolerance so that floating-point noise (e.g. 70.00000000000001 against 70.0
from a different order of additions) does not split a tie: sorted from best, a score starts a new rank
when it is below the previous one by more than ``tol · max(1, |previous|)`` (``DEFAULT_TOLERANCE`` = 1e-9,
i.e. about 1e-7 points on a 0–100 scale).

For publication a ranking must be strict (docs/domain.md#ranking-practice: "ties must be resolved by a
documented rule").
``publication_ranks`` orders units by the index score (with the tolerance), then by the score of each
node listed in the framework's ``tie_break`` in turn (higher first, missing last; docs/domain.md#scoring:
D6, then D3, then D2), then by unit code; it gives 1, 2, 3, … with no ties. A unit without an index score
has no rank (NaN).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qiangji.core.index.framework import Framework
from qiangji.core.index.methods._arrays import FloatArray, min_rank

DEFAULT_TOLERANCE = 1e-9


def rank_scores(scores: FloatArray, *, axis: int = -1, tol: float = DEFAULT_TOLERANCE) -> FloatArray:
    """Competition ranks of ``scores`` along ``axis``, highest score = 1, ties sharing the lowest rank.

    Missing scores get NaN. Any other axes broadcast (e.g. ``(replications, units)``).

    >>> rank_scores(np.array([90.0, 80.0, 80.0, 70.0])).tolist()
    [1.0, 2.0, 2.0, 4.0]
    """
    return min_rank(scores, axis=axis, descending=True, tol=tol)


def publication_ranks(
    fw: Framework, units: Sequence[str], scores: FloatArray, *, tol: float = DEFAULT_TOLERANCE
) -> FloatArray:
    """Strict ranks 1…n for publication (see the module docstring), from node scores ``(units, nodes)``."""
    index = scores[:, -1]
    keys: list[NDArray[Any]] = [np.asarray(units, dtype=str)]
    for code in reversed(fw.tie_break):
        r = rank_scores(scores[:, fw.index[code]], tol=tol)
        keys.append(np.where(np.isnan(r), np.inf, r))
    keys.append(np.where(np.isnan(index), np.inf, rank_scores(index, tol=tol)))
    order = np.lexsort(keys)
    out = np.empty(len(units))
    out[order] = np.arange(1, len(units) + 1, dtype=np.float64)
    out[np.isnan(index)] = np.nan
    return out
