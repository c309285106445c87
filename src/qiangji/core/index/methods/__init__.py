"""Method families of the index pipeline, each a name → function registry.

``imputers``, ``treatments``, ``normalisers`` and ``aggregators`` map a method name (as written in a
framework file) to its function; every function's docstring gives its formula and source. The kernels are
array-based: normalisers work column-wise on ``(..., units, indicators)`` and aggregators take
``(..., units, children)`` values with ``(..., children)`` weights, so a leading replication axis broadcasts.
"""

from typing import Any

from qiangji.core.index.methods.aggregate import aggregators
from qiangji.core.index.methods.impute import imputers
from qiangji.core.index.methods.normalise import normalisers
from qiangji.core.index.methods.registry import Registry
from qiangji.core.index.methods.treat import treatments

STAGES: dict[str, Registry[Any]] = {
    "impute": imputers,
    "treat": treatments,
    "normalise": normalisers,
    "aggregate": aggregators,
}
"""The registries by pipeline stage name, in pipeline order."""

__all__ = ["STAGES", "Registry", "aggregators", "imputers", "normalisers", "treatments"]
