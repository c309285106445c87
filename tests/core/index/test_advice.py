"""Improvement advice: smallest single-indicator changes for +k places, checked on cases solved by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qiangji.core.errors import InputError
from qiangji.core.index import Framework, compute
from qiangji.core.index.advice import improvement_advice

# Two indicators, equal weights, min–max 0–100, arithmetic mean (the framework defaults).
TWO = {
    "code": "IX",
    "name": {"zh": "小指数"},
    "version": "1",
    "method": {"normalise": {"method": "minmax", "low": 0, "high": 100}},
    "nodes": [
        {"code": "a", "direction": 1, "weight": 1, "bounds": [0, 10]},
        {"code": "b", "direction": 1, "weight": 1, "bounds": [0, 10]},
    ],
}
DATA = pd.DataFrame({"unit": ["U1", "U2", "U3"], "a": [2.0, 6.0, 4.0], "b": [4.0, 2.0, 8.0]})


def advice(places: tuple[int, ...] = (1, 2, 3), **kw: object):  # type: ignore[no-untyped-def]
    return improvement_advice(Framework.from_dict(TWO), DATA, "U1", places=places, **kw)  # type: ignore[arg-type]


def test_it_finds_the_hand_computed_changes() -> None:
    # By hand: a normalised (min 2, max 6) → U1 0, U2 100, U3 50; b (min 2, max 8) → 33.3, 0, 100.
    # Index: U1 16.67, U2 50, U3 75 → U1 is 3rd.
    # Raising a to x ∈ (4, 6]: the column minimum becomes 4, so U1 = ((x−4)·50 + 33.33)/2, U2 = U3 = 50;
    # U1 reaches 50 (a three-way tie, rank 1) at x = 16/3. Below x = 4 nothing changes (U1 stays minimum).
    r = advice()
    assert (r.rank, round(r.score, 6)) == (3.0, round(50 / 3, 6))
    a = next(i for i in r.indicators if i.indicator == "a")
    assert a.steps[1] is not None and a.steps[2] is not None
    assert a.steps[1].value == pytest.approx(16 / 3, abs=1e-4)
    assert a.steps[2].value == pytest.approx(16 / 3, abs=1e-4)
    assert a.steps[1].rank == 1.0
    assert a.steps[3] is None  # rank 0 does not exist
    # Raising b to y ≤ 8: U1 = (y − 2)/6 · 100 / 2 reaches U2's 50 at y = 8 (tie for 2nd).
    # Beyond 8, U3's b score falls to 600/(y − 2) but U3 = (50 + 600/(y−2))/2 ≥ 62.5 > 50 up to y = 10.
    b = next(i for i in r.indicators if i.indicator == "b")
    assert b.steps[1] is not None and b.steps[1].value == pytest.approx(8.0, abs=1e-4)
    assert b.steps[1].rank == 2.0
    assert b.steps[2] is None
    # Points per unit over the +1 step: a gains 50 − 16.67 over 10/3 → 10; b gains 33.33 over 4 → 8.33.
    assert a.points_per_unit == pytest.approx(10.0, rel=1e-4)
    assert b.points_per_unit == pytest.approx(100 / 12, rel=1e-4)
    assert [i.indicator for i in r.by_efficiency()] == ["a", "b"]
    assert [i.indicator for i in r.smallest(1)] == ["a", "b"]


def test_it_checks_each_step_with_the_full_pipeline() -> None:
    r = advice()
    fw = Framework.from_dict(TWO)
    for item in r.indicators:
        step = item.steps[1]
        assert step is not None
        changed = DATA.copy()
        changed.loc[0, item.indicator] = step.value
        res = compute(fw, changed)
        assert res.ranks[0, -1] <= 2.0
        assert res.scores[0, -1] - r.score == pytest.approx(step.gain)


def test_it_uses_effort_costs_and_whole_numbers() -> None:
    r = advice(effort={"a": 10.0}, integer={"a", "b"})
    a = next(i for i in r.indicators if i.indicator == "a")
    assert a.steps[1] is not None and a.steps[1].value == 6.0  # 16/3 rounded up to a whole number
    assert a.points_per_effort == pytest.approx(a.points_per_unit / 10)
    assert [i.indicator for i in r.by_efficiency()] == ["b", "a"]
    assert [i.indicator for i in r.smallest(1, {"a": 10.0})] == ["b", "a"]


def test_it_moves_lower_is_better_indicators_down() -> None:
    # One indicator, lower is better, values 1, 3, 5: U3 (5) is 3rd; 3 ties for 2nd, 1 ties for 1st.
    fw = Framework.from_dict(
        {**TWO, "nodes": [{"code": "c", "direction": -1, "weight": 1, "bounds": [0, 10]}]}
    )
    data = pd.DataFrame({"unit": ["U1", "U2", "U3"], "c": [1.0, 3.0, 5.0]})
    r = improvement_advice(fw, data, "U3", places=(1, 2))
    c = r.indicators[0]
    assert c.steps[1] is not None and c.steps[1].value == pytest.approx(3.0, abs=1e-5)
    assert c.steps[2] is not None and c.steps[2].value == pytest.approx(1.0, abs=1e-5)
    assert c.steps[1].change < 0


def test_the_top_unit_gets_no_step() -> None:
    r = improvement_advice(Framework.from_dict(TWO), DATA, "U3", places=(1,))
    assert all(i.steps[1] is None for i in r.indicators)
    assert np.isfinite(r.score)


@pytest.mark.parametrize(
    ("kw", "fragment"),
    [
        ({"unit": "X"}, "`unit` must be one of"),
        ({"places": (0,)}, "`places` must be whole numbers"),
        ({"effort": {"zz": 1.0}}, "`effort` must map indicators"),
    ],
)
def test_it_rejects_bad_arguments(kw: dict[str, object], fragment: str) -> None:
    args: dict[str, object] = {"unit": "U1", **kw}
    with pytest.raises(InputError, match=fragment):
        improvement_advice(Framework.from_dict(TWO), DATA, **args)  # type: ignore[arg-type]
