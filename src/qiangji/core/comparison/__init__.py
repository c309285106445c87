"""Evaluation of measurement comparisons (计量比对, JJF 1117) and proficiency tests (ISO 13528).

Pure functions on arrays; every result is a frozen dataclass that carries its calculation trail.
Formulas and sources: docs/comparison-formulas.md and each function's docstring.

The names below load on first use (PEP 562): the methods need scipy, which takes 0.7 s to import, and a
process that only reads a column declaration or a limit (every web process and command) should not pay
for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qiangji.core.comparison._common import Verdict, check_results, result_problem
    from qiangji.core.comparison.columns import RESULT_COLUMNS, LabScore, ResultColumn
    from qiangji.core.comparison.consensus import (
        REFERENCE_METHODS,
        ChiSquaredTest,
        ReferenceValueResult,
        chi_squared_test,
        reference_value,
    )
    from qiangji.core.comparison.drift import DriftResult, drift_reference
    from qiangji.core.comparison.en import EnResult, en_numbers
    from qiangji.core.comparison.equivalence import DegreesOfEquivalence, degrees_of_equivalence
    from qiangji.core.comparison.lcs import ConsistentSubset, largest_consistent_subset
    from qiangji.core.comparison.names import METHOD_LABELS, OPTION_NAMES
    from qiangji.core.comparison.point import PointEvaluation, evaluate_point, plain
    from qiangji.core.comparison.robust import (
        AlgorithmAIteration,
        AlgorithmAResult,
        AlgorithmSResult,
        RobustEstimate,
        algorithm_a,
        algorithm_s,
        algorithm_s_factors,
        huber_consistency_factor,
        made,
        median_niqr,
        niqr,
        q_hampel,
        q_method,
    )
    from qiangji.core.comparison.scores import ScoreResult, z_scores, zeta_scores, zprime_scores
    from qiangji.core.magnitudes import MAX_MAGNITUDE, MIN_UNCERTAINTY

#: Where each public name is defined (a module name relative to this package).
_WHERE = {
    **dict.fromkeys(("MAX_MAGNITUDE", "MIN_UNCERTAINTY"), "..magnitudes"),
    **dict.fromkeys(("Verdict", "check_results", "result_problem"), "._common"),
    **dict.fromkeys(("RESULT_COLUMNS", "LabScore", "ResultColumn"), ".columns"),
    **dict.fromkeys(
        (
            "REFERENCE_METHODS",
            "ChiSquaredTest",
            "ReferenceValueResult",
            "chi_squared_test",
            "reference_value",
        ),
        ".consensus",
    ),
    **dict.fromkeys(("DriftResult", "drift_reference"), ".drift"),
    **dict.fromkeys(("EnResult", "en_numbers"), ".en"),
    **dict.fromkeys(("DegreesOfEquivalence", "degrees_of_equivalence"), ".equivalence"),
    **dict.fromkeys(("ConsistentSubset", "largest_consistent_subset"), ".lcs"),
    **dict.fromkeys(("METHOD_LABELS", "OPTION_NAMES"), ".names"),
    **dict.fromkeys(("PointEvaluation", "evaluate_point", "plain"), ".point"),
    **dict.fromkeys(
        (
            "AlgorithmAIteration",
            "AlgorithmAResult",
            "AlgorithmSResult",
            "RobustEstimate",
            "algorithm_a",
            "algorithm_s",
            "algorithm_s_factors",
            "huber_consistency_factor",
            "made",
            "median_niqr",
            "niqr",
            "q_hampel",
            "q_method",
        ),
        ".robust",
    ),
    **dict.fromkeys(("ScoreResult", "z_scores", "zeta_scores", "zprime_scores"), ".scores"),
}
__all__ = [
    "MAX_MAGNITUDE",
    "METHOD_LABELS",
    "MIN_UNCERTAINTY",
    "OPTION_NAMES",
    "REFERENCE_METHODS",
    "RESULT_COLUMNS",
    "AlgorithmAIteration",
    "AlgorithmAResult",
    "AlgorithmSResult",
    "ChiSquaredTest",
    "ConsistentSubset",
    "DegreesOfEquivalence",
    "DriftResult",
    "EnResult",
    "LabScore",
    "PointEvaluation",
    "ReferenceValueResult",
    "ResultColumn",
    "RobustEstimate",
    "ScoreResult",
    "Verdict",
    "algorithm_a",
    "algorithm_s",
    "algorithm_s_factors",
    "check_results",
    "chi_squared_test",
    "degrees_of_equivalence",
    "drift_reference",
    "en_numbers",
    "evaluate_point",
    "huber_consistency_factor",
    "largest_consistent_subset",
    "made",
    "median_niqr",
    "niqr",
    "plain",
    "q_hampel",
    "q_method",
    "reference_value",
    "result_problem",
    "z_scores",
    "zeta_scores",
    "zprime_scores",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
