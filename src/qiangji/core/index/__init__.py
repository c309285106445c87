"""The capability-construction index engine (pure: numpy, pandas, scipy, PyYAML; never Django).

Pipeline (JRC/OECD *Handbook on Constructing Composite Indicators*, 2008; COINr)::

    framework = load_framework("tz-cap-2025.1.yaml")       # validated, compiled tree
    data = load_data("2025Q4.xlsx", framework)              # validated (all errors at once)
    result = compute(framework, data)                        # impute → treat → normalise → aggregate → rank
    result.table()                                           # unit, node, level, score, rank

Method families are registries (``methods.normalisers["minmax"]`` …); a method choice is data, stored in
the framework and serialised with the run (``IndexSpec.to_json``).

For vectorised (Monte-Carlo) use, the kernels broadcast over leading axes:

* normalisers: ``f(y, direction=d, **params)`` with ``y`` shaped ``(..., units, indicators)``
  (``y = direction · x``, NaN = missing), column-wise;
* aggregators: ``f(values, weights, min_data=…, **params)`` with ``values`` ``(..., units, children)`` and
  ``weights`` ``(..., children)`` or broadcastable → ``(..., units)``; missing children are skipped and the
  weights renormalised over the children present;
* the compiled tree of ``Framework`` is public: ``nodes`` (post-order, index node last), ``index``,
  ``indicators`` (column order), ``column``, ``children``, ``weights``, ``parent``, ``level``, ``groups``
  (aggregation order) and ``plan`` (indicator columns grouped by method spec, per stage);
* ``pipeline.normalise_matrix(fw, x)`` and ``pipeline.aggregate_tree(fw, normalised, weights={node: w})``
  run those stages for R replications at once (``x`` shaped ``(R, units, indicators)``);
* ``rank.rank_scores(scores, axis=-1)`` ranks along any axis.
"""

from qiangji.core.index.data import IndexData, data_from_frame, load_data
from qiangji.core.index.framework import Framework, MethodSpec, Node, load_framework, parse_method
from qiangji.core.index.pipeline import aggregate_tree, compute, normalise_matrix
from qiangji.core.index.rank import publication_ranks, rank_scores
from qiangji.core.index.result import IndexResult
from qiangji.core.index.spec import IndexSpec

__all__ = [
    "Framework",
    "IndexData",
    "IndexResult",
    "IndexSpec",
    "MethodSpec",
    "Node",
    "aggregate_tree",
    "compute",
    "data_from_frame",
    "load_data",
    "load_framework",
    "normalise_matrix",
    "parse_method",
    "publication_ranks",
    "rank_scores",
]
