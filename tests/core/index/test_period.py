"""Quarterly periods with yearly targets: ``per: year`` flow indicators pro-rated by the period fraction.

Reference values are computed by hand from the target normaliser of docs/domain.md#scoring
(↑: s = min(x / target, 1); ↓: s = 1 if x ≤ target else max(0, 1 − (x − target) / tolerance); × 100 here)
with the targets and bounds × f for a period lasting f of a year (f = 0.25 for a quarter).
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from qiangji.core.errors import InputError
from qiangji.core.index import Framework, IndexSpec, compute, data_from_frame, load_framework
from qiangji.core.index.mc.spec import UncertaintySpec
from qiangji.core.index.period import period_name, year_fraction
from qiangji.core.index.pipeline import normalise_matrix
from qiangji.core.index.uncertainty import run_uncertainty
from tests.core.index.conftest import TZ_FRAMEWORK

# t: training hours (D3.3-like, target 40 h/yr), c: complaints (C1.3-like, target 0, tolerance 3 a year),
# s: a stock (min-max, not scaled); equal weights, arithmetic mean.
FLOWS = {
    "code": "IX",
    "version": "1",
    "nodes": [
        {
            "code": "t",
            "direction": 1,
            "per": "year",
            "bounds": [0, 200],
            "method": {"normalise": {"method": "target", "target": 40}},
        },
        {
            "code": "c",
            "direction": -1,
            "per": "year",
            "bounds": [0, 100],
            "method": {"normalise": {"method": "target", "target": 0, "tolerance": 3}},
        },
        {"code": "s", "direction": 1, "bounds": [0, 300]},
    ],
}
DATA = pd.DataFrame({"unit": ["u1", "u2"], "t": [12, 5], "c": [1, 0], "s": [10, 20]})


def errors_of(data: dict, **kwargs: float) -> list[str]:
    with pytest.raises(InputError) as exc:
        Framework.from_dict(data, **kwargs)
    return exc.value.errors or [str(exc.value)]


@pytest.mark.parametrize(
    ("start", "end", "fraction"),
    [
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30), 0.25),
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), 1.0),  # a leap year is still one year
        (dt.date(2025, 7, 1), dt.date(2025, 12, 31), 0.5),
        (dt.date(2025, 2, 1), dt.date(2025, 2, 28), 1 / 12),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 10), 10 / 365.25),  # not whole months: days / 365.25
    ],
)
def test_it_measures_a_period_in_years(start: dt.date, end: dt.date, fraction: float) -> None:
    assert year_fraction(start, end) == fraction


def test_it_names_periods_for_messages() -> None:
    assert [period_name(f) for f in (1.0, 0.5, 0.25, 1 / 12, 0.1)] == [
        "year",
        "half-year",
        "quarter",
        "month",
        "0.1 year",
    ]
    with pytest.raises(InputError, match="`end` must not be before `start`"):
        year_fraction(dt.date(2025, 2, 1), dt.date(2025, 1, 31))


def test_it_scores_a_quarter_against_pro_rated_targets() -> None:
    # quarter: t target 10 → u1 min(12/10, 1) = 1, u2 5/10 = 0.5; c tolerance 0.75 → u1 max(0, 1 − 1/0.75)
    # = 0, u2 (0 ≤ 0) 1; s min-max → u1 0, u2 1. Index: u1 (100 + 0 + 0)/3, u2 (50 + 100 + 100)/3.
    fw = Framework.from_dict(FLOWS)
    q = compute(fw, DATA, period_fraction=0.25)
    assert_allclose(q.normalised, [[100.0, 0.0, 0.0], [50.0, 100.0, 100.0]], rtol=1e-15)
    assert_allclose(q.scores[:, -1], [100 / 3, 250 / 3], rtol=1e-15)
    # year: t 12/40 = 0.3, 5/40 = 0.125; c 1 − 1/3 = 2/3 and 1; s unchanged.
    y = compute(fw, DATA)
    assert_allclose(y.normalised, [[30.0, 200 / 3, 0.0], [12.5, 100.0, 100.0]], rtol=1e-15)
    assert_allclose(y.scores[:, -1], [(30 + 200 / 3) / 3, 212.5 / 3], rtol=1e-15)
    assert q.spec.period_fraction == 0.25 and y.spec.period_fraction == 1.0


def test_it_pro_rates_only_the_flows_of_the_taizhou_framework() -> None:
    year, quarter = load_framework(TZ_FRAMEWORK), load_framework(TZ_FRAMEWORK, period_fraction=0.25)
    d33 = quarter.node("D3.3")
    assert d33.per == "year" and d33.bounds == (0.0, 50.0)
    assert dict(d33.methods["normalise"].params) == {"target": 10.0}
    c13 = quarter.node("C1.3").methods["normalise"].params
    assert (c13["target"], c13["tolerance"]) == (0.0, 0.75)
    assert quarter.node("D2.2").methods["normalise"].params["target"] == 0.75
    # min-max flows keep their parameters; only their bounds scale
    assert quarter.node("D1.3").methods["normalise"] == year.node("D1.3").methods["normalise"]
    assert quarter.node("D1.3").bounds == (0.0, 125000.0)
    flows = {c for c in quarter.indicators if quarter.node(c).per}
    assert flows == {"D1.3", "D2.2", "D3.3", "D4.1", "D4.2", "D4.3", "D4.4", "D5.2", "D5.3", "C1.3"}
    for code in set(quarter.indicators) - flows:  # stocks, levels and percentages are untouched
        assert quarter.node(code) == year.node(code), code
    assert quarter.to_json() == year.to_json()  # the file's own per-year text
    assert quarter.for_period(1.0).node("D3.3") == year.node("D3.3")


def test_it_scores_taizhou_training_hours_of_a_quarter_and_a_year() -> None:
    # docs/domain.md#indicators D3.3: target 40 h/yr, pro-rata per quarter → 10 h; 12 h: quarter 1, year 0.3
    fw = load_framework(TZ_FRAMEWORK)
    col = fw.indicators.index("D3.3")
    x = np.array([[12.0]])
    for f, expected in ((0.25, 100.0), (1.0, 30.0)):
        full = np.zeros((1, len(fw.indicators)))
        full[:, col] = x[:, 0]
        assert normalise_matrix(fw.for_period(f), full)[0, col] == expected


def test_it_checks_quarterly_values_against_pro_rated_bounds() -> None:
    fw = Framework.from_dict(FLOWS)
    bad = DATA.assign(t=[60, 5], c=[0, 30])
    with pytest.raises(InputError) as exc:
        data_from_frame(bad, fw.for_period(0.25))
    assert exc.value.errors == [
        "row 2, column `t`: value must be within the bounds of t per quarter [0, 50] "
        "(per year [0, 200] × 0.25), got 60",
        "row 3, column `c`: value must be within the bounds of c per quarter [0, 25] "
        "(per year [0, 100] × 0.25), got 30",
    ]
    data_from_frame(bad, fw)  # within the yearly bounds
    with pytest.raises(InputError, match=r"\[0, 300\], got -1"):  # the lower bound 0 stays 0; stocks as filed
        data_from_frame(DATA.assign(s=[-1, 0]), fw.for_period(0.25))


def test_it_rechecks_data_validated_for_a_year_when_computing_a_quarter() -> None:
    fw = Framework.from_dict(FLOWS)
    yearly = data_from_frame(DATA.assign(t=[60, 5]), fw)
    with pytest.raises(InputError) as exc:
        compute(fw, yearly, period_fraction=0.25)
    assert exc.value.errors == [
        "unit 'u1', indicator `t`: value must be within the bounds of t per quarter [0, 50] "
        "(per year [0, 200] × 0.25), got 60"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["nodes"][0].update(per="quarter"), "node `t`: `per` must be one of year"),
        (
            lambda d: d["nodes"].append(
                {"code": "G", "per": "year", "children": [{"code": "g", "direction": 1}]}
            ),
            "node `G`: `per` applies to indicators only, got it on a group",
        ),
        (
            lambda d: d["nodes"][2].update(
                per="year", method={"normalise": {"method": "ordinal", "mapping": {0: 0, 1: 1}}}
            ),
            "node `s`: `per` cannot pro-rate the normalise method 'ordinal'",
        ),
        (
            lambda d: d["nodes"][0]["method"].update(treat="log1p"),
            "node `t`: `per` pro-rates `target` of normaliser 'target', which must then read untreated "
            "values, got treatment 'log1p'",
        ),
    ],
)
def test_it_validates_per_naming_the_node(change, message: str) -> None:
    data = copy.deepcopy(FLOWS)
    change(data)
    assert any(e.startswith(message) for e in errors_of(data)), errors_of(data)


@pytest.mark.parametrize("fraction", [0, -0.25, 1.5, float("nan"), "0.25", True])
def test_it_rejects_a_bad_period_fraction(fraction) -> None:
    with pytest.raises(InputError, match="`period_fraction` must be"):
        Framework.from_dict(FLOWS, period_fraction=fraction)


def test_it_keeps_scale_free_normalisers_untouched() -> None:
    # z-score and min-max compare the units of the period: a what-if with them ignores the fraction
    fw = Framework.from_dict(FLOWS)
    for method in ("zscore", "minmax", "rank"):
        q = compute(fw, DATA, normalise=method, period_fraction=0.25)
        y = compute(fw, DATA, normalise=method)
        assert_array_equal(q.normalised, y.normalised)
    # goalposts are amounts: per year [0, 40] → per quarter [0, 10]; u1 12 h → capped at 100, u2 5 h → 50
    q = compute(fw, DATA, normalise={"method": "goalposts", "low": 0, "high": 40}, period_fraction=0.25)
    assert_allclose(q.normalised[:, 0], [100.0, 50.0])


def test_it_round_trips_the_period_fraction_through_json_bit_for_bit() -> None:
    fw = load_framework(TZ_FRAMEWORK)
    data = tz_quarter()
    result = compute(fw, data, period_fraction=0.25)
    text = result.spec.to_json()
    assert json.loads(text)["period_fraction"] == 0.25
    spec = IndexSpec.from_json(text)
    assert spec.period_fraction == 0.25 and spec.to_json() == text
    again = compute(spec, data)
    for name in ("normalised", "scores", "ranks", "contributions"):
        assert getattr(again, name).tobytes() == getattr(result, name).tobytes(), name
    # a spec stored before the fraction existed reads as a year
    old = json.loads(text)
    del old["period_fraction"]
    assert IndexSpec.from_dict(old).period_fraction == 1.0


def test_it_gives_the_monte_carlo_engine_the_same_pro_rated_framework() -> None:
    fw = load_framework(TZ_FRAMEWORK)
    data = tz_quarter()
    quarter, year = compute(fw, data, period_fraction=0.25), compute(fw, data)
    assert quarter.ranks[:, -1].tolist() != year.ranks[:, -1].tolist()  # the fraction matters here
    res = run_uncertainty(
        fw, data, UncertaintySpec(), runs=16, seed=3, keep_scores=True, period_fraction=0.25
    )
    assert_array_equal(res.nominal_score, quarter.scores[:, -1])
    assert res.scores is not None
    assert_allclose(res.scores, np.broadcast_to(quarter.scores[:, -1], res.scores.shape), rtol=1e-12)
    table = res.table()
    assert_array_equal(table["rank"], quarter.ranks[:, -1])
    assert_array_equal(table["rank_median"], quarter.ranks[:, -1])


def test_it_clips_monte_carlo_noise_to_the_quarterly_bounds() -> None:
    fw = Framework.from_dict(FLOWS)
    data = DATA.assign(t=[48, 2])  # 80 % noise on 48 h would often pass the quarter's 50 h
    res = run_uncertainty(
        fw, data, UncertaintySpec(value_noise=0.8), runs=200, seed=1, keep_scores=True, period_fraction=0.25
    )
    assert res.scores is not None and np.isfinite(res.scores).all()
    assert res.scores.max() <= 100.0 + 1e-9


def tz_quarter() -> pd.DataFrame:
    """Three institutions' quarter: A trains 12 h (a full quarter) and has a new standard (a quarter's
    target, a third of the year's), B trains 6 h but has more standards and services and a complaint."""
    fw = load_framework(TZ_FRAMEWORK)
    base = {c: 0.0 for c in fw.indicators}
    for c in fw.indicators:
        if fw.node(c).unit == "%":
            base[c] = 90.0
    rows = [
        base | {"D1.1": 30, "D1.3": 6000, "D2.1": 40, "D3.2": 3, "D3.3": 12, "D4.1": 100, "D4.2": 3000},
        base | {"D1.1": 32, "D1.3": 6500, "D2.1": 45, "D3.2": 3, "D3.3": 6, "D4.1": 120, "D4.2": 3200},
        base | {"D1.1": 20, "D1.3": 3000, "D2.1": 20, "D3.2": 1, "D3.3": 2, "D4.1": 40, "D4.2": 900},
    ]
    frame = pd.DataFrame(rows)
    frame["D5.1"] = [0, 0, 0]
    frame["C2.1"] = [6, 6, 4]
    frame["C1.3"] = [0, 1, 1]
    frame["D2.2"] = [1, 0, 0]
    frame.insert(0, "unit", ["A", "B", "C"])
    return frame
