"""The names of the comparison methods and options, without the methods: what a form, a model or a
label needs to know (the method codes, their labels, the options a round may store) loads without scipy.
:mod:`.consensus` checks that its methods are exactly these codes."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from qiangji.core.comparison._common import gettext_noop as _

METHOD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "pilot": _("主导实验室参考值"),
        "mean": _("算术平均值"),
        "weighted_mean": _("加权平均值（χ² 一致性检验）"),
        "median": _("中位值（蒙特卡洛不确定度）"),
        "algorithm_a": _("稳健平均值（ISO 13528 算法A）"),
        "q_hampel": _("Q/Hampel 稳健估计"),
        "dersimonian_laird": _("DerSimonian–Laird 随机效应模型"),
        "mandel_paule": _("Mandel–Paule 随机效应模型"),
        "largest_consistent_subset": _("最大一致子集加权平均"),
    }
)

#: The options of an evaluation (keyword arguments of ``point.evaluate_point``) a round may store.
OPTION_NAMES = ("alpha", "mean_uncertainty", "birge_inflation", "n_mc", "seed", "correlated", "U_ts")

__all__ = ["METHOD_LABELS", "OPTION_NAMES"]
