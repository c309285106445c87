"""Framework 2026.1's rules, each against hand-computed values: goalposts, missing floor, compliance gate,
tiers that respect rank uncertainty, progress index (issue 15).

References: JRC/OECD *Handbook on Constructing Composite Indicators* (2008) §1.3 (missing data: case
deletion re-weights implicitly), §1.5 (goalposts / fixed reference points for comparisons over time),
step 7 (uncertainty); Paruolo, Saisana & Saltelli, JRSS A 176 (2013) (ranks within each other's
interval are not distinguishable).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import qiangji.core.index
from qiangji.core.errors import InputError
from qiangji.core.index import Framework, compute, data_from_frame, load_framework
from qiangji.core.index.mc.spec import UncertaintySpec
from qiangji.core.index.pipeline import normalise_matrix
from qiangji.core.index.progress import progress_index
from qiangji.core.index.rules import TierRule
from qiangji.core.index.tiers import assign_tiers, nominal_cuts
from qiangji.core.index.uncertainty import run_uncertainty

FRAMEWORKS = Path(qiangji.core.index.__file__).parent / "frameworks"

# IX ─ p (weight 3, ↑, goalposts 0…40) and q (weight 1, ↑, target 10)
TWO: dict[str, Any] = {
    "code": "IX",
    "version": "t",
    "method": {"normalise": {"method": "target", "target": 10}},
    "missing": {"floor": 0},
    "nodes": [
        {
            "code": "p",
            "direction": 1,
            "weight": 3,
            "method": {"normalise": {"method": "goalposts", "low": 0, "high": 40}},
        },
        {"code": "q", "direction": 1, "weight": 1},
    ],
}


def fw_with(**changes: Any) -> Framework:
    data = copy.deepcopy(TWO)
    data.update(changes)
    return Framework.from_dict(data)


def frame(rows: dict[str, tuple[float, float]], **attrs: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame(
        {"unit": list(rows), "p": [v[0] for v in rows.values()], "q": [v[1] for v in rows.values()]}
    )
    for name, values in attrs.items():
        out[name] = [values.get(u, "0") for u in rows]
    return out


# Goalposts -------------------------------------------------------------------------------------------


def test_it_scores_against_fixed_goalposts_capped_at_the_target() -> None:
    # p: (x − 0) / (40 − 0) × 100, capped: 10 → 25, 40 → 100, 55 → 100; q: min(x / 10, 1) × 100
    res = compute(fw_with(), frame({"A": (10, 5), "B": (40, 10), "C": (55, 20)}))
    assert_allclose(res.normalised, [[25, 50], [100, 100], [100, 100]])
    # total = (3 · 25 + 1 · 50) / 4 = 31.25
    assert_allclose(res.scores[:, -1], [31.25, 100, 100])


def test_it_gives_the_same_score_to_the_same_value_whatever_the_other_units() -> None:
    # min-max would move A's score when C joins; goalposts do not: totals compare across periods
    alone = compute(fw_with(), frame({"A": (10, 5), "B": (20, 6)}))
    more = compute(fw_with(), frame({"A": (10, 5), "B": (20, 6), "C": (39, 9)}))
    assert alone.scores[0, -1] == more.scores[0, -1] == 31.25


def test_2026_1_pro_rates_the_yearly_goalposts_for_a_quarter() -> None:
    fw = load_framework(FRAMEWORKS / "tz-cap-2026.1.yaml", period_fraction=0.25)
    col = fw.indicators.index("D1.3")  # goalposts 0 … 50,000 a year → 0 … 12,500 a quarter
    x = np.full((2, len(fw.indicators)), np.nan)
    x[:, col] = [6250, 20000]
    assert_allclose(normalise_matrix(fw, x)[:, col], [50.0, 100.0])


def test_2026_1_is_on_fixed_scales_and_keeps_the_codes_and_bounds_of_2025_1() -> None:
    new = load_framework(FRAMEWORKS / "tz-cap-2026.1.yaml")
    old = load_framework(FRAMEWORKS / "tz-cap-2025.1.yaml")
    assert new.fixed_scales and not old.fixed_scales
    assert new.indicators == old.indicators
    assert [n.bounds for n in new.leaves] == [n.bounds for n in old.leaves]
    assert new.node("D1.1").label("zh") == "已授权强制检定项目数"
    assert old.rules.gate == () and old.rules.floor is None and old.rules.tiers.rule == "thirds"


# Missing values ------------------------------------------------------------------------------------------


def test_it_scores_a_missing_value_at_the_floor_and_flags_it() -> None:
    # A: p = 32 → 80, q missing → floor 0: total (3 · 80 + 1 · 0) / 4 = 60 (not 80 re-weighted)
    res = compute(fw_with(), frame({"A": (32, np.nan), "B": (40, 10)}))
    assert_allclose(res.scores[:, -1], [60.0, 100.0])
    assert res.floored is not None
    assert res.floored.tolist() == [[False, True], [False, False]]
    assert_allclose(res.weights[0, :2], [0.75, 0.25])  # nothing renormalised


def test_without_a_floor_a_missing_value_is_dropped_as_before() -> None:
    res = compute(fw_with(missing=None), frame({"A": (32, np.nan), "B": (40, 10)}))
    assert_allclose(res.scores[:, -1], [80.0, 100.0])


def test_an_indicator_opts_out_of_the_floor_with_a_documented_reason() -> None:
    data = copy.deepcopy(TWO)
    data["nodes"][1]["missing"] = {"floor": None, "reason": "不适用时不计分"}
    res = compute(Framework.from_dict(data), frame({"A": (32, np.nan), "B": (40, 10)}))
    assert_allclose(res.scores[:, -1], [80.0, 100.0])
    assert Framework.from_dict(data).node("q").missing.reason == "不适用时不计分"  # type: ignore[union-attr]
    data["nodes"][1]["missing"] = {"floor": 100, "reason": "N/A 按满分"}
    assert_allclose(compute(Framework.from_dict(data), frame({"A": (32, np.nan)})).scores[:, -1], [85.0])


def test_an_opt_out_without_a_reason_is_refused() -> None:
    data = copy.deepcopy(TWO)
    data["nodes"][1]["missing"] = {"floor": None}
    with pytest.raises(InputError) as exc:
        Framework.from_dict(data)
    assert "node `q`: `missing` must give a documented `reason`" in str(exc.value.errors)


# Compliance gate -----------------------------------------------------------------------------------------

GATE = [
    {"code": "G1", "fact": "open_critical", "above": 0, "cap_score": 59, "reason": {"zh": "重大问题未关闭"}},
    {"code": "G2", "fact": "overdue_major", "above": 0, "cap_tier": 2, "reason": "严重问题逾期"},
]


def test_the_gate_caps_the_total_after_aggregation_and_says_why() -> None:
    fw = fw_with(gate=GATE)
    rows = {"A": (40, 10), "B": (32, 8), "C": (20, 5)}
    res = compute(fw, frame(rows, open_critical={"A": "1"}, overdue_major={"B": "2"}))
    # A scores 100, capped at 59: below B (80), still above C ((3 · 50 + 50) / 4 = 50)
    assert_allclose(res.scores[:, -1], [59.0, 80.0, 50.0])
    assert res.ungated is not None
    assert_allclose(res.ungated, [100.0, 80.0, 50.0])
    assert res.publication_rank.tolist() == [2.0, 1.0, 3.0]
    assert res.gate is not None
    assert res.gate.rules == (("G1",), ("G2",), ())
    assert res.gate.cap_tier == (None, 2, None)
    assert_allclose(res.scores[0, :2], [100.0, 100.0])  # indicator scores show what A achieved


def test_the_gate_needs_its_fact_column_and_a_cap() -> None:
    with pytest.raises(InputError, match="open_critical"):
        data_from_frame(frame({"A": (40, 10)}), fw_with(gate=GATE))
    with pytest.raises(InputError) as exc:
        fw_with(gate=[{"code": "G1", "fact": "x", "above": 0, "reason": "r"}])
    assert "gate rule #1 must cap something" in str(exc.value.errors)


def test_the_gate_caps_every_monte_carlo_replication() -> None:
    fw = fw_with(gate=GATE[:1])
    data = data_from_frame(frame({"A": (40, 10), "B": (36, 9), "C": (30, 8)}, open_critical={"A": "1"}), fw)
    spec = UncertaintySpec(weight_noise={1: 0.25})
    table = run_uncertainty(fw, data, spec, runs=200, seed=3).table(rank_probability_columns=0)
    a = table.set_index("unit").loc["A"]
    # capped at 59 A is last in every replication (B and C score ≥ 75), whatever the weights
    assert a["rank_p05"] == a["rank_p95"] == 3


# Tiers --------------------------------------------------------------------------------------------------


def test_thirds_are_the_2025_1_rule() -> None:
    assert nominal_cuts(9, 3) == [3, 6]
    assert assign_tiers(TierRule(), [90.0] * 9) == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert assign_tiers(TierRule(), [90.0] * 7) == [1, 1, 1, 2, 2, 2, 3]  # k = ⌈7/3⌉ = 3


def test_rank_interval_tiers_never_separate_overlapping_intervals() -> None:
    # tiers.py docstring: cuts allowed only after position 4; the cut after 2 moves there, the one after 4
    # has no allowed position after it and is dropped
    p05, p95 = [1, 1, 3, 3, 5, 5], [2, 3, 4, 4, 6, 6]
    tiers = assign_tiers(TierRule("rank_interval"), [90, 85, 80, 75, 70, 65], p05, p95)
    assert tiers == [1, 1, 1, 1, 2, 2]
    # two tier-neighbours both at 6–7 (the example) stay together
    p05, p95 = [1, 1, 3, 3, 4, 6, 6, 8, 8], [2, 2, 5, 5, 5, 7, 7, 9, 9]
    tiers = assign_tiers(TierRule("rank_interval"), [9.0] * 9, p05, p95)
    # allowed after 2, 5, 7; cut 3 → 2 (nearest), cut 6 → 7 (5 and 7 equally near: the lower one)
    assert tiers == [1, 1, 2, 2, 2, 2, 2, 3, 3]


def test_score_gap_tiers_cut_only_between_scores_far_enough_apart() -> None:
    # nominal cuts after 2 and 4; gaps 90→88 2, 88→80 8, 80→79 1, 79→70 9, 70→69 1: with gap 5 the cuts
    # may fall after 2 or 4 only, so they stay
    scores = [90.0, 88.0, 80.0, 79.0, 70.0, 69.0]
    assert assign_tiers(TierRule("score_gap", gap=5), scores) == [1, 1, 2, 2, 3, 3]
    # with gap 8.5 only after 4 (9): the first cut moves there, the second is dropped
    assert assign_tiers(TierRule("score_gap", gap=8.5), scores) == [1, 1, 1, 1, 2, 2]


def test_a_gate_tier_cap_moves_the_unit_down_only() -> None:
    assert assign_tiers(TierRule(), [9.0] * 6, caps=[2, None, None, 3, None, None]) == [2, 1, 2, 3, 3, 3]


def test_tier_rules_are_validated() -> None:
    with pytest.raises(InputError) as exc:
        fw_with(tiers={"rule": "score_gap"})
    assert "`tiers.gap` must be a positive number" in str(exc.value.errors)
    with pytest.raises(InputError) as exc:
        fw_with(tiers={"rule": "quartiles"})
    assert "`tiers.rule` must be one of thirds, rank_interval, score_gap" in str(exc.value.errors)


# Progress index -----------------------------------------------------------------------------------------


def test_the_progress_index_is_the_change_on_the_current_scales() -> None:
    fw = fw_with()
    now = compute(fw, frame({"A": (20, 10), "B": (40, 10), "C": (8, 2)}))
    then = data_from_frame(frame({"A": (8, 5), "B": (40, 8), "D": (1, 1)}), fw)
    prog = progress_index(now, then, baseline_fraction=1.0, baseline_period="2025")
    # now: A (3·50 + 100)/4 = 62.5, B 100, C (3·20 + 20)/4 = 20
    # then: A (3·20 + 50)/4 = 27.5, B (300 + 80)/4 = 95
    assert_allclose(prog.current, [62.5, 100.0, 20.0])
    assert_allclose(prog.baseline, [27.5, 95.0, np.nan])
    assert_allclose(prog.change, [35.0, 5.0, np.nan])
    assert_allclose(prog.rank, [1.0, 2.0, np.nan])


def test_the_progress_index_rescores_a_quarter_baseline_with_pro_rated_goalposts() -> None:
    data = copy.deepcopy(TWO)
    data["nodes"][0]["per"] = "year"
    fw = Framework.from_dict(data)
    now = compute(fw, frame({"A": (40, 10)}))  # a year: 40 of 40 → 100
    then = data_from_frame(frame({"A": (5, 10)}), fw.for_period(0.25))  # a quarter: 5 of 10 → 50
    prog = progress_index(now, then, baseline_fraction=0.25, baseline_period="2025Q4")
    assert_allclose(prog.baseline, [(3 * 50 + 100) / 4])


def test_the_progress_index_needs_fixed_scales() -> None:
    old = load_framework(FRAMEWORKS / "tz-cap-2025.1.yaml")
    rng = np.random.default_rng(1)
    cols = {c: rng.uniform(0, 3, 3).round() for c in old.indicators}
    res = compute(old, pd.DataFrame({"unit": ["A", "B", "C"], **cols}))
    with pytest.raises(InputError, match="fixed scales"):
        progress_index(res, res_data(old, cols), baseline_fraction=1.0, baseline_period="2025")


def res_data(fw: Framework, cols: dict[str, Any]) -> Any:
    return data_from_frame(pd.DataFrame({"unit": ["A", "B", "C"], **cols}), fw)
