"""The pipeline on a hand-computed example, and its contracts (immutability, reproducibility)."""

import copy
import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from qiangji.core.errors import InputError
from qiangji.core.index import Framework, IndexSpec, compute, load_framework
from qiangji.core.index.pipeline import aggregate_tree, normalise_matrix
from tests.core.index.conftest import SMALL, TZ_FRAMEWORK

NAN = np.nan

# Hand computation (framework SMALL: IX = 2·A + 1·b, A = 1·a1 + 3·a2, a2 lower-is-better; min-max 0–100):
#   a1 = 1, 2, 3, 5 → (x − 1)/4 → 0, 25, 50, 100
#   a2 = 5, –, 1, 3 → y = −x: −5, –, −1, −3 → (y + 5)/4 → 0, –, 100, 50
#   b  = 6, 3, 9, – → (x − 3)/6 → 50, 0, 100, –
#   A  = (a1 + 3·a2)/4 over present: 0, 25 (a1 only), 87.5, 62.5
#   IX = (2·A + b)/3 over present: 50/3, 50/3, 275/3, 62.5 (b missing: A only)
#   ranks of IX: U3 1, U4 2, U1 and U2 tie at 50/3 → 3, 3; tie-break by A (25 > 0): U2 3rd, U1 4th
FRAME = pd.DataFrame(
    {"unit": ["U1", "U2", "U3", "U4"], "a1": [1, 2, 3, 5], "a2": [5, None, 1, 3], "b": [6, 3, 9, None]}
)


@pytest.fixture
def result(small):
    return compute(small, FRAME)


def test_it_computes_the_hand_example(result) -> None:
    assert_allclose(result.normalised, [[0, 0, 50], [25, NAN, 0], [50, 100, 100], [100, 50, NAN]])
    scores = result.scores_frame()
    assert_allclose(scores["A"], [0, 25, 87.5, 62.5])
    assert_allclose(scores["IX"], [50 / 3, 50 / 3, 275 / 3, 62.5], rtol=1e-15)
    assert result.ranks_frame()["IX"].tolist() == [3, 3, 1, 2]
    assert result.publication_rank.tolist() == [4, 3, 1, 2]
    assert result.ranks_frame()["b"].tolist()[:3] == [2, 3, 1]


def test_it_gives_effective_weights_and_contributions(result) -> None:
    w = result.weights_frame()
    # U2: a2 missing → a1 carries all of A; A = 2/3, b = 1/3. U4: b missing → A = 1, a1 = 1/4, a2 = 3/4
    assert_allclose(w.loc["U2", ["a1", "a2", "A", "b", "IX"]], [2 / 3, 0, 2 / 3, 1 / 3, 1])
    assert_allclose(w.loc["U4", ["a1", "a2", "A", "b"]], [1 / 4, 3 / 4, 1, 0])
    c = result.contributions_frame()
    # U4: 1/4 · 100 + 3/4 · 50 = 25 + 37.5 = 62.5; U3: 1/6 · 50 + 1/2 · 100 + 1/3 · 100
    assert_allclose(c.loc["U4"], [25, 37.5, 0])
    assert_allclose(c.loc["U3"], [50 / 6, 50, 100 / 3])
    assert_allclose(c.sum(axis=1), result.scores[:, -1], rtol=1e-14)


def test_it_scales_contributions_for_non_linear_aggregation(small) -> None:
    r = compute(small, FRAME, normalise={"method": "minmax", "low": 1, "high": 100}, aggregate="geometric")
    assert_allclose(r.contributions.sum(axis=1), r.scores[:, -1], rtol=1e-13)


def test_it_holds_every_stage_and_level(result) -> None:
    assert_array_equal(result.stage("raw").to_numpy(), [[1, 5, 6], [2, NAN, 3], [3, 1, 9], [5, 3, NAN]])
    assert list(result.level(1).columns) == ["a1", "a2", "b"]
    assert list(result.level(2).columns) == ["A"]
    assert list(result.level(3).columns) == ["IX"]
    with pytest.raises(InputError, match="`level` must be between 1 and 3"):
        result.level(4)
    table = result.table()
    assert list(table.columns) == ["unit", "node", "level", "score", "rank"]
    assert len(table) == 4 * 5
    row = table[(table.unit == "U4") & (table.node == "IX")].iloc[0]
    assert (row.level, row.score, row["rank"]) == (3, 62.5, 2)


def test_it_is_immutable(result) -> None:
    for name in ("raw", "imputed", "treated", "normalised", "scores", "ranks", "weights", "contributions"):
        with pytest.raises(ValueError):
            getattr(result, name)[0, 0] = 1.0
    with pytest.raises(AttributeError):
        result.units = ("x",)  # type: ignore[misc]
    frame = result.scores_frame()
    frame.iloc[0, 0] = -1
    assert result.scores[0, 0] == 0


def test_it_lists_strengths_and_weaknesses(result) -> None:
    sw = result.strengths_weaknesses(n=1)
    u4 = sw[sw.unit == "U4"].set_index("kind")
    # U4 ranks: a1 1st, a2 2nd (b missing) → strength a1, weakness a2
    assert (u4.loc["strength", "indicator"], u4.loc["weakness", "indicator"]) == ("a1", "a2")
    assert u4.loc["weakness", "value"] == 3


def test_it_gives_the_rank_change_against_a_previous_result(small, result) -> None:
    before = FRAME.assign(a1=[5, 2, 3, 1])
    prev = compute(small, before)
    now = compute(small, FRAME, previous=prev)
    change = now.rank_change().set_index("unit")
    assert_array_equal(change["previous_rank"], prev.ranks[:, -1])
    assert_array_equal(change["change"], prev.ranks[:, -1] - now.ranks[:, -1])
    assert "change" in now.ranking().columns
    with pytest.raises(InputError, match="`previous` must be given"):
        result.rank_change()


def test_it_is_reproducible_bit_for_bit_after_a_json_round_trip() -> None:
    fw = load_framework(TZ_FRAMEWORK)
    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"unit": [f"U{i:02d}" for i in range(40)]})
    for code in fw.indicators:
        lo, hi = fw.node(code).bounds
        frame[code] = rng.uniform(lo, 3 if code == "D5.1" else (hi or 50), size=40).round(
            0 if code == "D5.1" else 3
        )
    frame.loc[rng.integers(0, 40, 10), "D1.1"] = None
    first = compute(fw, frame)
    text = first.spec.to_json()
    again = compute(IndexSpec.from_json(json.loads(json.dumps(text))), frame)
    assert again.spec.to_json() == text
    for name in ("normalised", "scores", "ranks", "weights", "contributions", "publication_rank"):
        a, b = getattr(first, name), getattr(again, name)
        assert a.tobytes() == b.tobytes(), name


def test_it_runs_stages_for_replications_at_once(small) -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 10, size=(5, 8, 3))
    x[0, 1, 2] = NAN
    normalised = normalise_matrix(small, x)
    weights = {4: rng.uniform(0.5, 2, size=(5, 2))}
    scores = aggregate_tree(small, normalised, weights=weights)
    for r in range(5):
        single = aggregate_tree(small, normalise_matrix(small, x[r]), weights={4: weights[4][r]})
        assert_array_equal(scores[r], single)


def test_it_imputes_and_treats_per_indicator() -> None:
    data = copy.deepcopy(SMALL)
    data["nodes"][1]["method"] = {"impute": "mean", "treat": "log1p"}
    r = compute(Framework.from_dict(data), FRAME)
    assert r.imputed[3, 2] == 6.0  # mean of 6, 3, 9
    assert_allclose(r.treated[:, 2], np.log1p([6, 3, 9, 6]))
    assert r.treatment == ("", "", "log1p")


def test_it_names_the_node_of_a_failing_aggregation(small) -> None:
    with pytest.raises(InputError, match="node `A` \\(geometric aggregation\\)"):
        compute(small, FRAME, aggregate="geometric")


def test_it_uses_group_imputation_from_a_unit_attribute() -> None:
    data = copy.deepcopy(SMALL)
    data["method"] = {"impute": {"method": "group_mean", "by": "size"}}
    frame = FRAME.assign(size=["big", "big", "small", "small"])
    r = compute(Framework.from_dict(data), frame)
    assert r.imputed[1, 1] == 5.0  # only U1 (5) among the "big" units
    assert r.imputed[3, 2] == 9.0  # only U3 (9) among the "small" units


def test_it_makes_a_node_missing_below_its_min_data() -> None:
    data = copy.deepcopy(SMALL)
    data["nodes"][0]["min_data"] = 1.0  # A needs both a1 and a2
    r = compute(Framework.from_dict(data), FRAME)
    # U2 lacks a2 → A missing; IX then rests on b alone (0 for U2)
    assert np.isnan(r.scores_frame().loc["U2", "A"])
    assert r.scores_frame().loc["U2", "IX"] == 0.0
    assert r.weights_frame().loc["U2", "b"] == 1.0


def test_it_carries_the_last_period_forward() -> None:
    data = copy.deepcopy(SMALL)
    data["method"] = {"impute": "last"}
    long = pd.DataFrame(
        {
            "unit": ["U1", "U2", "U1", "U1", "U1", "U2", "U2"],
            "period": ["2024", "2024", "2025", "2025", "2025", "2025", "2025"],
            "indicator": ["a2", "a2", "a1", "a2", "b", "a1", "b"],
            "value": [9, 4, 1, 5, 6, 2, 3],
        }
    )
    r = compute(Framework.from_dict(data), long)
    assert r.raw[1, 1] != r.raw[1, 1]  # U2 has no a2 in 2025 …
    assert r.imputed[1, 1] == 4.0  # … so its 2024 value is carried forward
    assert r.imputed[0, 1] == 5.0  # U1 keeps its 2025 value
