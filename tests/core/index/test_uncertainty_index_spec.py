"""`compute` and `run_uncertainty` take the same `IndexSpec`: every option of the run reaches both."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.testing import assert_array_equal

from qiangji.core.index import Framework, IndexSpec, compute, data_from_frame
from qiangji.core.index.mc.spec import UncertaintySpec
from qiangji.core.index.uncertainty import run_uncertainty

WEIGHTS = UncertaintySpec(weight_noise={1: 0.2})


def close_pair() -> tuple[Framework, pd.DataFrame]:
    """U1 and U2 score 50.0 and 50.2 whatever the weights (each unit's indicators are equal); U3 40."""
    fw = Framework.from_dict(
        {
            "code": "IX",
            "method": {"normalise": {"method": "none"}},
            "nodes": [{"code": c, "direction": 1, "weight": 1} for c in ("a", "b")],
        }
    )
    rows = {"U1": [50.0, 50.0], "U2": [50.2, 50.2], "U3": [40.0, 40.0]}
    return fw, pd.DataFrame(rows, index=["a", "b"]).T.rename_axis("unit").reset_index()


def test_it_ranks_the_nominal_run_and_every_replication_with_the_specs_tolerance() -> None:
    fw, frame = close_pair()
    spec = IndexSpec(fw, rank_tolerance=0.01)  # 0.01 · 50.2 > 0.2: U1 and U2 tie
    table = run_uncertainty(spec, frame, WEIGHTS, runs=200, seed=3).table()
    assert table["rank"].tolist() == [1, 1, 3]
    assert table["rank_p05"].tolist() == table["rank_p95"].tolist() == [1, 1, 3]
    assert_array_equal(compute(spec, frame).ranks[:, -1], [1, 1, 3])


def test_it_keeps_the_default_tolerance_for_a_bare_framework() -> None:
    fw, frame = close_pair()
    table = run_uncertainty(fw, frame, WEIGHTS, runs=200, seed=3).table()
    assert table["rank_median"].tolist() == [2, 1, 3]
    same = run_uncertainty(IndexSpec(fw), frame, WEIGHTS, runs=200, seed=3).table()
    assert same.equals(table)


def test_it_lets_an_explicit_tolerance_override_the_spec() -> None:
    fw, frame = close_pair()
    table = run_uncertainty(IndexSpec(fw, 0.01), frame, WEIGHTS, runs=50, seed=3, rank_tolerance=0.0).table()
    assert table["rank_median"].tolist() == [2, 1, 3]


def test_it_takes_the_period_from_the_spec_as_compute_does() -> None:
    fw = Framework.from_dict(
        {
            "code": "IX",
            "nodes": [
                {
                    "code": "h",
                    "direction": 1,
                    "weight": 1,
                    "per": "year",
                    "bounds": [0, 40],
                    "method": {"normalise": {"method": "target", "target": 40}},
                },
                {"code": "k", "direction": 1, "weight": 1},
            ],
        }
    )
    frame = pd.DataFrame({"unit": ["A", "B"], "h": [10.0, 5.0], "k": [1.0, 2.0]})
    quarter = IndexSpec(fw).for_period(0.25)
    nominal = run_uncertainty(quarter, data_from_frame(frame, quarter.framework), runs=10, seed=1)
    assert_array_equal(nominal.nominal_score, compute(quarter, frame).scores[:, -1])
    assert not np.array_equal(nominal.nominal_score, compute(fw, frame).scores[:, -1])
