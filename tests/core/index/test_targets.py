"""Per-unit targets (issue 19 point 3): a unit's own full-marks amount replaces the framework's, for the
indicators whose framework allows it; hand-computed values."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import qiangji.core.index
from qiangji.core.errors import InputError
from qiangji.core.index import Framework, compute, data_from_frame, load_framework
from qiangji.core.index.mc.spec import UncertaintySpec
from qiangji.core.index.progress import progress_index
from qiangji.core.index.targets import allowed, target_matrix, with_targets
from qiangji.core.index.uncertainty import run_uncertainty

FRAMEWORKS = Path(qiangji.core.index.__file__).parent / "frameworks"

# TG ─ p (weight 3, ↑, goalposts 0…40, per-unit targets), q (weight 1, ↑, target 10, per-unit targets),
# r (weight 1, ↑, target 10, no per-unit targets)
TG: dict[str, Any] = {
    "code": "TG",
    "version": "t",
    "method": {"normalise": {"method": "target", "target": 10}},
    "nodes": [
        {
            "code": "p",
            "direction": 1,
            "weight": 3,
            "per_unit_targets": True,
            "method": {"normalise": {"method": "goalposts", "low": 0, "high": 40}},
        },
        {"code": "q", "direction": 1, "weight": 1, "per_unit_targets": True},
        {"code": "r", "direction": 1, "weight": 1},
    ],
}


def fw_with(**node_changes: Any) -> Framework:
    data = copy.deepcopy(TG)
    data["nodes"][0].update(node_changes)
    return Framework.from_dict(data)


def frame(rows: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": list(rows),
            "p": [v[0] for v in rows.values()],
            "q": [v[1] for v in rows.values()],
            "r": [v[2] for v in rows.values()],
        }
    )


ROWS = {"A": (30.0, 5.0, 10.0), "B": (30.0, 5.0, 10.0), "C": (10.0, 8.0, 10.0)}


def test_a_units_target_replaces_the_full_marks_goalpost() -> None:
    fw = fw_with()
    data = with_targets(data_from_frame(frame(ROWS), fw), fw, {"A": {"p": 20}, "C": {"p": 50, "q": 16}})
    res = compute(fw, data)
    # A: p = min(30 / 20, 1) = 100 (its own target), q = 5 / 10 = 50, r = 100
    # B: p = 30 / 40 = 75 (the framework's goalpost), q = 50, r = 100
    # C: p = 10 / 50 = 20, q = 8 / 16 = 50, r = 100
    assert_allclose(res.normalised, [[100, 50, 100], [75, 50, 100], [20, 50, 100]])
    # totals (3 · p + q + r) / 5: A 450 / 5 = 90, B 375 / 5 = 75, C 210 / 5 = 42
    assert_allclose(res.scores[:, -1], [90, 75, 42])
    assert_array_equal(res.targets, [[20, np.nan, np.nan], [np.nan] * 3, [50, 16, np.nan]])


def test_without_targets_the_result_is_the_frameworks_own_bit_for_bit() -> None:
    fw = fw_with()
    plain = compute(fw, data_from_frame(frame(ROWS), fw))
    empty = data_from_frame(frame(ROWS), fw)
    nan = compute(fw, dataclasses.replace(empty, targets=np.full((3, 3), np.nan)))
    for stage in ("normalised", "scores", "contributions"):
        assert getattr(plain, stage).tobytes() == getattr(nan, stage).tobytes()
    # C without its targets: p = 10 / 40 = 25, q = 80: (75 + 80 + 100) / 5 = 51
    assert plain.scores[2, -1] == pytest.approx(51)


def test_a_yearly_target_is_pro_rated_for_a_quarter_like_the_goalposts() -> None:
    fw = fw_with(per="year").for_period(0.25)
    rows = {"A": (3.0, 5.0, 10.0), "B": (3.0, 5.0, 10.0)}
    data = with_targets(data_from_frame(frame(rows), fw), fw, {"A": {"p": 20}})
    res = compute(fw, data)
    # the quarter's goalpost 40 × 0.25 = 10: B 3 / 10 = 30; A's yearly target 20 × 0.25 = 5: 3 / 5 = 60
    assert_allclose(res.normalised[:, 0], [60, 30])


def test_the_monte_carlo_replications_use_the_targets() -> None:
    fw = fw_with()
    rows = {"X": (36.0, 10.0, 10.0), "Y": (20.0, 5.0, 10.0)}
    base = data_from_frame(frame(rows), fw)
    spec = UncertaintySpec(weight_noise={1: 0.25})
    # without targets X (90, 100, 100) beats Y (50, 50, 100) whatever the weights; with Y held to 20 and 5
    # Y scores 100 everywhere and beats X whatever the weights
    plain = run_uncertainty(fw, base, spec, runs=200, seed=1).table(rank_probability_columns=0)
    held = with_targets(base, fw, {"Y": {"p": 20, "q": 5}})
    planned = run_uncertainty(fw, held, spec, runs=200, seed=1).table(rank_probability_columns=0)
    assert list(plain.set_index("unit").loc[["X", "Y"], "rank_median"]) == [1, 2]
    assert list(planned.set_index("unit").loc[["X", "Y"], "rank_median"]) == [2, 1]


def test_progress_rescores_the_baseline_with_the_units_current_target() -> None:
    fw = fw_with()
    now = compute(fw, with_targets(data_from_frame(frame({"A": (30, 5, 10)}), fw), fw, {"A": {"p": 20}}))
    then = data_from_frame(frame({"A": (10, 5, 10)}), fw)
    prog = progress_index(now, then, baseline_fraction=1.0, baseline_period="2025")
    # now: (3 · 100 + 50 + 100) / 5 = 90; then on the same target 20: p = 50, (150 + 50 + 100) / 5 = 60
    assert_allclose([prog.current[0], prog.baseline[0], prog.change[0]], [90, 60, 30])


def test_a_target_for_an_indicator_that_does_not_allow_one_is_refused() -> None:
    fw = fw_with()
    with pytest.raises(InputError) as exc:
        target_matrix(fw, ("A", "B"), {"A": {"r": 5}, "B": {"p": 0}, "Z": {"p": 5}})
    errors = "\n".join(exc.value.errors)
    assert "`targets` unit must be one of the data's units, got 'Z'" in errors
    assert "unit 'A', indicator `r`: framework TG t does not accept a per-unit target" in errors
    assert "unit 'B', indicator `p`: target must be greater than 0, got 0" in errors


def test_the_flag_is_checked_when_the_framework_is_read() -> None:
    with pytest.raises(InputError) as exc:
        fw_with(per_unit_targets="yes")
    assert "`per_unit_targets` must be true or false, got 'yes'" in "\n".join(exc.value.errors)
    with pytest.raises(InputError) as exc:
        fw_with(direction=-1)
    assert "`per_unit_targets` needs a higher-is-better indicator" in "\n".join(exc.value.errors)


def test_2026_1_allows_plan_targets_on_the_amounts_and_2025_1_on_none() -> None:
    assert allowed(load_framework(FRAMEWORKS / "tz-cap-2026.1.yaml")) == (
        "D1.1",
        "D1.3",
        "D2.1",
        "D4.1",
        "D4.2",
    )
    old = load_framework(FRAMEWORKS / "tz-cap-2025.1.yaml")
    assert allowed(old) == ()
    with pytest.raises(InputError, match="does not accept a per-unit target"):
        target_matrix(old, ("A",), {"A": {"D1.1": 20}})
