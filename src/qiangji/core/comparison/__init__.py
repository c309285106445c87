"""Evaluation of measurement comparisons (计量比对, JJF 1117) and proficiency tests (ISO 13528).

Pure functions on arrays; every result is a frozen dataclass that carries its calculation trail.
Formulas and sources: docs/comparison-formulas.md and each function's docstring.
"""

from qiangji.core.comparison._common import (
    MAX_MAGNITUDE,
    MIN_UNCERTAINTY,
    Verdict,
    check_results,
    result_problem,
)
from qiangji.core.comparison.columns import RESULT_COLUMNS, LabScore, ResultColumn
from qiangji.core.comparison.consensus import (
    METHOD_LABELS,
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
from qiangji.core.comparison.point import OPTION_NAMES, PointEvaluation, evaluate_point, plain
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
