"""Method kernels against hand computation (each reference worked out in the comment beside it)."""

import numpy as np
import pytest
import scipy.stats
from numpy.testing import assert_allclose, assert_array_equal

from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.index.methods import STAGES, aggregators, imputers, normalisers, treatments
from qiangji.core.index.methods.treat import kurt, skew

NAN = np.nan
UP = np.array([1.0])
DOWN = np.array([-1.0])


def col(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)[:, None]


def test_it_documents_every_method_with_a_formula_and_source() -> None:
    for family, registry in STAGES.items():
        for name in registry:
            doc = registry[name].__doc__ or ""
            assert len(doc.strip()) > 30, (family, name)


def test_it_names_the_known_methods_on_a_typo() -> None:
    with pytest.raises(InputError, match="`normalise` method must be one of borda, distance_to_target"):
        normalisers["minmaxx"]


def test_it_min_maxes_onto_low_high() -> None:
    # x = 2, 4, NaN, 10: min 2, max 10 → (x − 2)/8 · 99 + 1 = 1, 25.75, NaN, 100
    assert_allclose(
        normalisers["minmax"](col(2, 4, NAN, 10), direction=UP, low=1, high=100)[:, 0], [1, 25.75, NAN, 100]
    )


def test_it_handles_a_constant_column_as_configured() -> None:
    with pytest.warns(DegenerateDataWarning):
        assert np.isnan(normalisers["minmax"](col(3, 3), direction=UP)).all()
    assert_array_equal(
        normalisers["minmax"](col(3, NAN, 3), direction=UP, constant="high")[:, 0], [100, NAN, 100]
    )


def test_it_z_scores_with_the_sample_sd() -> None:
    # x = 1, 2, 3, 6: mean 3, sample sd = √((4 + 1 + 0 + 9)/3) = √(14/3)
    sd = np.sqrt(14 / 3)
    out = normalisers["zscore"](col(1, 2, 3, 6), direction=UP, mean=100, sd=10)[:, 0]
    assert_allclose(out, [100 - 20 / sd, 100 - 10 / sd, 100, 100 + 30 / sd], rtol=1e-14)


def test_it_ranks_with_minimum_ties() -> None:
    y = col(5, 3, 5, NAN, 1)
    assert_array_equal(normalisers["rank"](y, direction=UP)[:, 0], [3, 2, 3, NAN, 1])
    assert_array_equal(normalisers["borda"](y, direction=UP)[:, 0], [2, 1, 2, NAN, 0])
    # percentile: (rank − 1)/(n − 1) with n = 4 present → 2/3, 1/3, 2/3, NaN, 0
    assert_allclose(normalisers["percentile"](y, direction=UP, scale=1)[:, 0], [2 / 3, 1 / 3, 2 / 3, NAN, 0])


def test_it_applies_targets_in_the_indicators_units() -> None:
    # ↑ target 80: 40 → 0.5, 80 → 1, 95 → 1 (capped)
    assert_allclose(normalisers["target"](col(40, 80, 95), direction=UP, target=80)[:, 0], [50, 100, 100])
    # ↓ target 0, tolerance 3 (docs/domain.md#indicators, C1.3): x = 0 → 1, 1 → 2/3, 3 → 0, 5 → 0; y = −x
    out = normalisers["target"](-col(0, 1, 3, 5, NAN), direction=DOWN, target=0, tolerance=3, scale=1)
    assert_allclose(out[:, 0], [1, 2 / 3, 0, 0, NAN])


def test_it_applies_goalposts_and_distance_to_target() -> None:
    # goalposts [10, 20]: x = 5 → 0 (truncated), 12.5 → 0.25, 25 → 1; direction −1: (20 − x)/10
    assert_allclose(
        normalisers["goalposts"](col(5, 12.5, 25), direction=UP, low=10, high=20, scale=1)[:, 0], [0, 0.25, 1]
    )
    assert_allclose(
        normalisers["goalposts"](-col(12.5), direction=DOWN, low=10, high=20, scale=1)[:, 0], [0.75]
    )
    # distance to target 10, min 2: 1 − (10 − x)/8 → x = 2: 0, 6: 0.5, 12: 1.25 → capped 1
    out = normalisers["distance_to_target"](col(2, 6, 12), direction=UP, target=10, scale=1)
    assert_allclose(out[:, 0], [0, 0.5, 1])


def test_it_maps_ordinal_levels() -> None:
    table = {0: 0, 1: 0.4, 2: 0.8, 3: 1.0}
    assert_allclose(
        normalisers["ordinal"](col(0, 2, NAN, 3), direction=UP, mapping=table)[:, 0], [0, 80, NAN, 100]
    )
    with pytest.raises(InputError, match="ordinal levels"):
        normalisers["ordinal"](col(1.5), direction=UP, mapping=table)


def test_it_normalises_with_leading_replication_axes() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=(4, 7, 3))
    y[1, 2, 0] = NAN
    d = np.ones(3)
    for name in ("minmax", "zscore", "rank", "percentile", "borda"):
        batch = normalisers[name](y, direction=d)
        for r in range(4):
            assert_array_equal(batch[r], normalisers[name](y[r], direction=d))


def test_it_aggregates_with_renormalised_weights() -> None:
    v = np.array([[10.0, 20.0, 40.0], [10.0, NAN, 40.0], [NAN, NAN, NAN]])
    w = np.array([1.0, 2.0, 1.0])
    # row 1: (10 + 40 + 40)/4 = 22.5; row 2: (10 + 40)/2 = 25; row 3: nothing present → NaN
    assert_allclose(aggregators["arithmetic"](v, w), [22.5, 25, NAN])
    # geometric row 1: (10 · 20² · 40)^(1/4) = 160000^(1/4) = 20; row 2: √400 = 20
    assert_allclose(aggregators["geometric"](v, w), [20, 20, NAN], rtol=1e-14)
    # harmonic row 1: 4 / (1/10 + 2/20 + 1/40) = 4 / 0.225; row 2: 2 / (1/10 + 1/40) = 16
    assert_allclose(aggregators["harmonic"](v, w), [4 / 0.225, 16, NAN], rtol=1e-14)
    # generalised p = 2, row 1: √((100 + 800 + 1600)/4) = √625 = 25
    assert_allclose(aggregators["generalised"](v, w, p=2)[0], 25, rtol=1e-14)
    assert_allclose(aggregators["generalised"](v, w, p=1), aggregators["arithmetic"](v, w), rtol=1e-14)
    # min_data 0.7: row 2 has 2 of 3 children (0.67) → missing
    assert_allclose(aggregators["arithmetic"](v, w, min_data=0.7), [22.5, NAN, NAN])


def test_it_takes_the_weighted_median() -> None:
    w = np.array([1.0, 1.0, 1.0, 1.0])
    v = np.array([[4.0, 1.0, 3.0, 2.0], [4.0, 1.0, NAN, 2.0], [1.0, 2.0, 3.0, 10.0]])
    # equal weights: ordinary medians 2.5, 2, 2.5
    assert_allclose(aggregators["median"](v, w), [2.5, 2, 2.5])
    # weights 1, 1, 1, 5 on 1, 2, 3, 10: cumulative shares 1/8, 2/8, 3/8, 1 → 10
    assert_allclose(aggregators["median"](v[2:], np.array([1.0, 1, 1, 5])), [10])


def test_it_aggregates_replications_with_their_own_weights() -> None:
    rng = np.random.default_rng(5)
    values = rng.uniform(1, 100, size=(6, 9, 4))
    values[2, 3, 1] = NAN
    weights = rng.uniform(0.5, 2, size=(6, 4))
    for name in ("arithmetic", "geometric", "harmonic", "median"):
        batch = aggregators[name](values, weights)
        for r in range(6):
            assert_array_equal(batch[r], aggregators[name](values[r], weights[r]))


def test_it_refuses_non_positive_values_for_the_geometric_mean() -> None:
    with pytest.raises(InputError, match="must be positive for the geometric mean"):
        aggregators["geometric"](np.array([[0.0, 1.0]]), np.array([1.0, 1.0]))


def test_it_imputes_by_indicator_group_and_period() -> None:
    x = np.array([[1.0, NAN], [3.0, 4.0], [NAN, 8.0], [10.0, NAN]])
    assert_allclose(imputers["mean"](x), [[1, 6], [3, 4], [14 / 3, 8], [10, 6]])
    assert_allclose(imputers["median"](x), [[1, 6], [3, 4], [3, 8], [10, 6]])
    groups = ["a", "a", "b", "b"]
    # group a: col 2 mean 4 → row 0; group b: col 1 mean 10 → row 2, col 2 mean 8 → row 3
    assert_allclose(imputers["group_mean"](x, by="g", groups=groups), [[1, 4], [3, 4], [10, 8], [10, 8]])
    history = np.array(
        [[[0.5, 0.5], [NAN, NAN], [2.0, NAN], [NAN, NAN]], [[NAN, 1.5], [NAN, NAN], [NAN, NAN], [9, NAN]]]
    )
    # most recent earlier value: row 0 col 2 → 1.5 (period 2); row 2 col 1 → 2 (period 1); row 3 col 2: none
    assert_allclose(imputers["last"](x, history=history), [[1, 1.5], [3, 4], [2, 8], [10, NAN]])
    assert_array_equal(imputers["none"](x), x)
    assert_array_equal(imputers["constant"](x, value=0), np.nan_to_num(x))


def test_it_measures_skew_and_kurtosis_as_type_2() -> None:
    # type 2 = the unbiased estimators scipy gives with bias=False (Joanes & Gill 1998, G1 and G2)
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100])
    assert skew(x) == pytest.approx(scipy.stats.skew(x, bias=False), rel=1e-12)
    assert kurt(x) == pytest.approx(scipy.stats.kurtosis(x, bias=False), rel=1e-12)


def test_it_winsorises_as_coinr() -> None:
    # COINr winsorise() example: 1:10, 30, 100 fails (skew 3.06, kurtosis 9.74); one point moved, 100 → 30
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100])
    out, note = treatments["winsorise"](x)
    assert_array_equal(out, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 30])
    assert note == "winsorised 1 high"
    ok = np.arange(10.0)
    assert_array_equal(treatments["winsorise"](ok)[0], ok)


def test_it_falls_back_to_the_log_when_winsorising_is_not_enough() -> None:
    # 60 zeros and 7 high values: after 5 single-point moves skew and kurtosis still fail
    x = np.r_[np.zeros(60), 50, 60, 70, 80, 90, 100, 110.0]
    out, note = treatments["winsorise"](x, winmax=5)
    assert note == "log"
    # log(x − min + 0.01 (max − min)) = log(x + 1.1), on the original column
    assert_allclose(out, np.log(x + 1.1), rtol=1e-15)


def test_it_log_transforms() -> None:
    assert_allclose(treatments["log1p"](np.array([0.0, np.e - 1]))[0], [0, 1])
    x = np.array([2.0, 4.0, 12.0])
    assert_allclose(treatments["log"](x)[0], np.log([0.1, 2.1, 10.1]))
