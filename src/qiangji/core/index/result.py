"""The immutable result of an index computation: every stage, scores, ranks, weights and explanations.

Arrays are read-only numpy arrays (units in data order; indicators in ``framework.indicators`` order;
nodes in post-order, ``framework.nodes``). The ``*_frame`` helpers return fresh pandas copies, so a caller
can never change the result.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from qiangji.core.errors import InputError
from qiangji.core.index import explain
from qiangji.core.index.framework import Framework
from qiangji.core.index.methods._arrays import FloatArray, min_rank
from qiangji.core.index.rules import GateResult
from qiangji.core.index.spec import IndexSpec

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made: `qiangji index compute` needs none
    import pandas as pd

STAGE_NAMES = ("raw", "imputed", "treated", "normalised")


def _csv_field(text: str) -> str:
    """``text`` as one field of a ``csv.writer`` row (quoted only where the csv rules need it)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([text])
    return buf.getvalue()[:-1]


def _reprs(values: NDArray[Any], present: NDArray[np.bool_] | None = None) -> list[str]:
    """``repr`` of each value (``""`` for NaN, or where ``present`` is False), as ``repr(v)`` gives it: the
    list's ``repr`` calls the same C function for each item without a Python call per value."""
    if not values.size:
        return []
    texts = repr(values.tolist())[1:-1].split(", ")
    if present is None:
        return ["" if t == "nan" else t for t in texts]
    return [t if ok else "" for t, ok in zip(texts, present.tolist(), strict=True)]


def readonly(a: NDArray[Any]) -> NDArray[Any]:
    """Mark ``a`` read-only and return it."""
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class IndexResult:
    """Result of ``compute``; see the attributes for the stages and ``table()`` for the long output."""

    spec: IndexSpec
    units: tuple[str, ...]
    names: tuple[str, ...] | None
    raw: FloatArray
    """Raw indicator values, ``(units, indicators)``."""
    imputed: FloatArray
    treated: FloatArray
    normalised: FloatArray
    scores: FloatArray
    """Scores of every node, ``(units, nodes)``; indicators hold their normalised values."""
    weights: FloatArray
    """Effective weight of each node in each unit's index score, ``(units, nodes)``."""
    contributions: FloatArray
    """Contribution of each indicator to each unit's index score, ``(units, indicators)``."""
    treatment: tuple[str, ...]
    """What the treatment did to each indicator (``""``: nothing)."""
    publication_rank: FloatArray
    """Strict ranks with the framework's tie-break rule, ``(units,)``."""
    previous_rank: FloatArray | None = None
    """Index rank of each unit in the previous result given to ``compute`` (NaN: not ranked then)."""
    floored: NDArray[np.bool_] | None = None
    """Cells whose missing value scored the indicator's floor (flagged), ``(units, indicators)``."""
    gate: GateResult | None = None
    """The compliance gate applied to each unit (None: the framework has no gate)."""
    ungated: FloatArray | None = None
    """Index score before the gate, ``(units,)``; ``contributions`` add up to it."""
    targets: FloatArray | None = None
    """Per-unit targets used, ``(units, indicators)`` in the framework file's terms (NaN: the framework's)."""

    @cached_property
    def ranks(self) -> FloatArray:
        """Competition ranks at every node (1 best, ties share the lowest rank), ``(units, nodes)``.

        Ranked with the spec's tolerance when first read: a caller that needs only scores (a what-if, a
        period comparison) does not pay for sorting every node's column.
        """
        return readonly(min_rank(self.scores, axis=-2, descending=True, tol=self.spec.rank_tolerance))

    @property
    def framework(self) -> Framework:
        """The framework the result was computed with (after any method overrides)."""
        return self.spec.framework

    @property
    def codes(self) -> tuple[str, ...]:
        """Node codes in post-order (the columns of ``scores``)."""
        return tuple(n.code for n in self.framework.nodes)

    def stage(self, name: str) -> pd.DataFrame:
        """One indicator-level stage (``raw``, ``imputed``, ``treated``, ``normalised``) as a DataFrame."""
        if name not in STAGE_NAMES:
            raise InputError(f"`stage` must be one of {', '.join(STAGE_NAMES)}, got {name!r}")
        return self._frame(getattr(self, name), self.framework.indicators)

    def level(self, level: int) -> pd.DataFrame:
        """Scores of the nodes at ``level`` (1 = normalised indicators, top = the index)."""
        cols = np.flatnonzero(self.framework.level == level)
        if not cols.size:
            raise InputError(f"`level` must be between 1 and {self.framework.top_level}, got {level}")
        return self._frame(self.scores[:, cols], [self.codes[c] for c in cols])

    def scores_frame(self) -> pd.DataFrame:
        """Scores of every node, units × node codes."""
        return self._frame(self.scores, self.codes)

    def ranks_frame(self) -> pd.DataFrame:
        """Ranks at every node, units × node codes (nullable integers)."""
        return self._frame(self.ranks, self.codes).astype("Int64")

    def weights_frame(self) -> pd.DataFrame:
        """Effective weights of every node per unit, units × node codes."""
        return self._frame(self.weights, self.codes)

    def contributions_frame(self) -> pd.DataFrame:
        """Indicator contributions to the index score, units × indicators."""
        return self._frame(self.contributions, self.framework.indicators)

    @property
    def index_scores(self) -> pd.Series:
        """The index score of each unit."""
        import pandas as pd

        return pd.Series(
            self.scores[:, -1], index=pd.Index(self.units, name="unit"), name=self.framework.code
        )

    def table(self) -> pd.DataFrame:
        """The long output of docs/design.md#outputs: ``unit, node, level, score, rank`` (node post-order per
        unit)."""
        import pandas as pd

        n_units, n_nodes = self.scores.shape
        return pd.DataFrame(
            {
                "unit": np.repeat(np.asarray(self.units, dtype=object), n_nodes),
                "node": np.tile(np.asarray(self.codes, dtype=object), n_units),
                "level": np.tile(self.framework.level, n_units),
                "score": self.scores.ravel(),
                "rank": explain.nullable_int(self.ranks.ravel()),
            }
        )

    def to_csv(self, path: str | Path) -> None:
        """Write ``table()`` as UTF-8 CSV; scores with ``repr`` (shortest exact round trip), missing empty.

        The text is built column-wise and written at once (a ``csv.writer`` row per unit and node costs
        most of a command's time); unit and node codes are quoted by ``csv`` itself, once each, so the
        file is byte for byte what writing row by row gives.
        """
        units = [_csv_field(u) for u in self.units]
        nodes = [
            f"{_csv_field(c)},{lv}," for c, lv in zip(self.codes, self.framework.level.tolist(), strict=True)
        ]
        scores = _reprs(self.scores.ravel())
        present = ~np.isnan(self.ranks.ravel())
        ranks = _reprs(np.where(present, self.ranks.ravel(), 0).astype(np.int64), present)
        keys = [f"{u},{n}" for u in units for n in nodes]
        body = "".join([f"{k}{s},{r}\n" for k, s, r in zip(keys, scores, ranks, strict=True)])
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write("unit,node,level,score,rank\n")
            fh.write(body)

    def ranking(self) -> pd.DataFrame:
        """The leaderboard: one row per unit in publication order, with the index's direct children."""
        return explain.ranking(self)

    def strengths_weaknesses(self, n: int = 3) -> pd.DataFrame:
        """Each unit's ``n`` best- and worst-ranked indicators (COINr ``get_str_weak``)."""
        return explain.strengths_weaknesses(self, n)

    def rank_change(self) -> pd.DataFrame:
        """Index rank now, previous rank and change (positive = moved up); needs ``previous``."""
        return explain.rank_change(self)

    def _frame(self, values: FloatArray, columns: Any) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            np.array(values, copy=True), index=pd.Index(self.units, name="unit"), columns=list(columns)
        )
