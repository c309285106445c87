"""Uncertain-input spec and replay tables (qiangji.core.index.mc.spec, .replay)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from qiangji.core.errors import InputError
from qiangji.core.index.mc.replay import merge, read_replay_methods, read_replay_weights
from qiangji.core.index.mc.spec import MethodChoice, UncertaintySpec


def spec() -> UncertaintySpec:
    return UncertaintySpec(
        weight_noise={1: 0.25, 2: 0.1},
        alternatives={
            "aggregate": MethodChoice.of(["arithmetic", "geometric"]),
            "normalise": MethodChoice.of([{"method": "minmax", "low": 1, "high": 100}, "zscore"], [0.7, 0.3]),
        },
        value_noise=0.05,
        value_noise_by_indicator={"D1.1": 0.0},
    )


def test_it_round_trips_through_json() -> None:
    original = spec()
    again = UncertaintySpec.from_dict(json.loads(original.to_json()))
    assert again == original
    assert again.alternatives["normalise"].methods[0] == {"method": "minmax", "low": 1, "high": 100}


def test_it_lists_the_factors_in_a_fixed_order() -> None:
    names = [f.name for f in spec().factors()]
    assert names == ["weights:1", "weights:2", "normalise", "aggregate", "values"]


def test_it_has_no_factor_for_a_single_alternative_or_zero_noise() -> None:
    quiet = UncertaintySpec(
        weight_noise={1: 0.0}, alternatives={"aggregate": MethodChoice.of(["arithmetic"])}
    )
    assert quiet.factors() == ()


def test_it_rejects_probabilities_that_do_not_sum_to_one() -> None:
    with pytest.raises(InputError, match="`probabilities` must be 2 non-negative numbers summing to 1"):
        MethodChoice.of(["arithmetic", "geometric"], [0.5, 0.6])


def test_it_rejects_weight_noise_of_one_or_more() -> None:
    with pytest.raises(InputError, match=r"`weight_noise` at level 1 must be a fraction 0 ≤ f < 1, got 1\.0"):
        UncertaintySpec(weight_noise={1: 1.0})


def test_it_rejects_an_unknown_stage_and_noise_kind() -> None:
    with pytest.raises(InputError) as err:
        UncertaintySpec(alternatives={"weight": MethodChoice.of(["x"])}, value_noise_kind="percent")
    assert len(err.value.errors) == 2


def test_it_rejects_unknown_keys_in_a_hand_written_spec() -> None:
    with pytest.raises(InputError, match="got \\['noise'\\]"):
        UncertaintySpec.from_dict({"noise": 0.1})


def test_it_pivots_a_weights_table_in_framework_node_order() -> None:
    table = pd.DataFrame({"run": [2, 2, 1, 1], "node": ["B", "A", "A", "B"], "weight": [3, 1, 2, 2]})
    replay = read_replay_weights(table, nodes=["A", "B", "C"])
    assert replay.runs == (1, 2)
    assert replay.weight_nodes == ("A", "B")
    assert_array_equal(replay.weights, [[2, 2], [1, 3]])


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pd.DataFrame({"run": [1], "nodes": ["A"], "weight": [1]}), "columns must include run, node, weight"),
        (
            pd.DataFrame({"run": [1], "node": ["Z"], "weight": [1]}),
            "`node` must be a node of the framework, got Z",
        ),
        (
            pd.DataFrame({"run": ["x"], "node": ["A"], "weight": [1]}),
            "row 2 `run` must be an integer, got 'x'",
        ),
        (
            pd.DataFrame({"run": [1, 1], "node": ["A", "B"], "weight": [1, -1]}),
            "row 3 `weight` must be a non-neg",
        ),
        (
            pd.DataFrame({"run": [1, 1], "node": ["A", "A"], "weight": [1, 2]}),
            "row 3 repeats node A in run 1",
        ),
        (pd.DataFrame({"run": [1, 1, 2], "node": ["A", "B", "A"], "weight": [1, 1, 1]}), "run 2 lacks B"),
    ],
)
def test_it_names_the_row_or_column_of_a_bad_weights_table(table: pd.DataFrame, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_replay_weights(table, nodes=["A", "B"], source="w.csv")


def test_it_reads_a_methods_table_sorted_by_run() -> None:
    table = pd.DataFrame(
        {"run": [2, 1], "aggregate": ["geometric", "arithmetic"], "normalise": ["zscore", "minmax"]}
    )
    replay = read_replay_methods(table)
    assert replay.runs == (1, 2)
    assert replay.methods == {"aggregate": ("arithmetic", "geometric"), "normalise": ("minmax", "zscore")}


def test_it_rejects_a_methods_table_with_a_misnamed_column() -> None:
    table = pd.DataFrame({"run": [1], "aggregation": ["geometric"]})
    with pytest.raises(InputError, match="columns must be `run` and one or more of impute, treat"):
        read_replay_methods(table, source="m.csv")


def test_it_rejects_a_repeated_run_in_a_methods_table() -> None:
    with pytest.raises(InputError, match="row 3 repeats run 1"):
        read_replay_methods(pd.DataFrame({"run": [1, 1], "aggregate": ["arithmetic", "geometric"]}))


def test_it_requires_the_two_tables_to_list_the_same_runs() -> None:
    w = read_replay_weights(pd.DataFrame({"run": [1, 2], "node": ["A", "A"], "weight": [1, 1]}), nodes=["A"])
    m = read_replay_methods(pd.DataFrame({"run": [1, 3], "aggregate": ["arithmetic", "geometric"]}))
    with pytest.raises(InputError, match=r"differ in run\(s\) \[2, 3\]"):
        merge(w, m)
    assert merge(w, None) is w
    assert np.array_equal(
        merge(w, read_replay_methods(pd.DataFrame({"run": [2, 1], "aggregate": ["a", "b"]}))).weights,
        w.weights,
    )
