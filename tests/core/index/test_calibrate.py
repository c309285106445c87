"""Weight-calibration advice (issue 15, point 2): proposed weights whose importances match a target."""

import numpy as np
import pytest

from qiangji.core.errors import InputError
from qiangji.core.index import Framework, compute
from qiangji.core.index import audit_stats as st
from qiangji.core.index.calibrate import calibrate_weights
from qiangji.core.index.data import IndexData


def result_for(weights=(3, 1, 1), aggregate="arithmetic", n=120):
    rng = np.random.default_rng(11)
    common = rng.normal(size=n)
    values = np.column_stack(
        [10 + 0.2 * rng.normal(size=n), 50 + 10 * rng.normal(size=n), 50 + 4 * (common + rng.normal(size=n))]
    )
    fw = Framework.from_dict(
        {
            "code": "IX",
            "method": {"normalise": {"method": "minmax", "low": 1, "high": 100}, "aggregate": aggregate},
            "nodes": [
                {"code": f"D{i}", "weight": w, "children": [{"code": f"x{i}", "direction": 1}]}
                for i, w in enumerate(weights)
            ],
        }
    )
    return compute(fw, IndexData(tuple(f"u{i}" for i in range(n)), fw.indicators, values))


@pytest.mark.parametrize("importance", ["var_share", "main_effect"])
def test_it_proposes_weights_whose_importances_match_the_nominal_ones(importance) -> None:
    result = result_for()
    advice = calibrate_weights(result, importance=importance)
    np.testing.assert_allclose(advice.nominal, [0.6, 0.2, 0.2])
    assert np.abs(advice.before - advice.nominal).max() > 0.05  # the nominal weights miss their target
    np.testing.assert_allclose(advice.after, advice.target, atol=1e-4)
    assert advice.converged and advice.objective < 1e-8
    assert advice.proposed.sum() == pytest.approx(1.0) and (advice.proposed >= 0).all()
    assert advice.children == ("D0", "D1", "D2") and advice.n_units == 120


def test_it_checks_the_advice_against_an_independent_recomputation() -> None:
    result = result_for()
    advice = calibrate_weights(result, importance="main_effect", target={"D0": 1, "D1": 1, "D2": 2})
    x = result.scores[:, [result.framework.index[c] for c in advice.children]]
    effects = st.main_effects(x, x @ advice.proposed)  # recompute the index with the proposed weights
    np.testing.assert_allclose(effects / effects.sum(), advice.after, atol=1e-9)
    np.testing.assert_allclose(advice.target, [0.25, 0.25, 0.5])


def test_it_works_with_a_non_linear_aggregation() -> None:
    advice = calibrate_weights(result_for(aggregate="geometric"), importance="var_share")
    np.testing.assert_allclose(advice.after, advice.target, atol=1e-3)


def test_it_is_deterministic_and_changes_nothing() -> None:
    result = result_for()
    before = result.framework.to_json()
    a = calibrate_weights(result)
    b = calibrate_weights(result)
    assert a.proposed.tobytes() == b.proposed.tobytes()
    assert result.framework.to_json() == before
    with pytest.raises(ValueError):
        a.proposed[0] = 1.0  # read-only
    assert [row["child"] for row in a.table()] == ["D0", "D1", "D2"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"importance": "corr"}, "`importance` must be one of main_effect, var_share, got 'corr'"),
        ({"target": [1, 2]}, "`target` must have 3 values"),
        ({"target": {"D0": 1, "D1": 1}}, "`target` must give every child of the node"),
        ({"target": [1, -1, 1]}, "`target` must be non-negative numbers with a positive sum"),
        ({"node": "x0"}, "`node` must be a group with at least 2 children, got 'x0'"),
        ({"node": "nope"}, "`node` must be a code of framework IX"),
        ({"max_iter": 0}, "`max_iter` must be an integer not less than 1, got 0"),
    ],
)
def test_it_rejects_bad_arguments(kwargs, message) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        calibrate_weights(result_for(), **kwargs)
