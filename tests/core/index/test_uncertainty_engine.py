"""Vectorised Monte-Carlo engine against the pipeline, and against exact results (run_uncertainty)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import integrate, stats

from qiangji.core.errors import InputError
from qiangji.core.index import Framework, compute, data_from_frame
from qiangji.core.index.mc.engine import Model
from qiangji.core.index.mc.replay import merge, read_replay_methods, read_replay_weights
from qiangji.core.index.mc.spec import MethodChoice, UncertaintySpec
from qiangji.core.index.pipeline import aggregate_tree
from qiangji.core.index.uncertainty import run_uncertainty

from .conftest import SMALL


def grouped(groups: int = 3, per: int = 4, low: float = 1.0) -> Framework:
    return Framework.from_dict(
        {
            "code": "IX",
            "method": {"normalise": {"method": "minmax", "low": low, "high": 100}},
            "nodes": [
                {
                    "code": f"G{g}",
                    "weight": g + 1,
                    "children": [
                        {"code": f"I{g}.{i}", "direction": 1 if i % 3 else -1, "weight": 1 + i % 2}
                        for i in range(per)
                    ],
                }
                for g in range(groups)
            ],
        }
    )


def frame(fw: Framework, units: int, seed: int = 0, missing: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(size=(units, len(fw.indicators)))
    x[rng.random(x.shape) < missing] = np.nan
    out = pd.DataFrame(x, columns=list(fw.indicators))
    out.insert(0, "unit", [f"U{u:03d}" for u in range(units)])
    return out


def flat(indicators: dict[str, int], rows: dict[str, list[float]], normalise: str = "none") -> tuple:
    fw = Framework.from_dict(
        {
            "code": "IX",
            "method": {"normalise": {"method": normalise}},
            "nodes": [{"code": c, "direction": 1, "weight": w} for c, w in indicators.items()],
        }
    )
    data = pd.DataFrame(rows, index=list(indicators)).T.rename_axis("unit").reset_index()
    return fw, data_from_frame(data, fw)


SPEC = UncertaintySpec(
    weight_noise={1: 0.25, 2: 0.25},
    alternatives={
        "aggregate": MethodChoice.of(["arithmetic", "geometric"]),
        "normalise": MethodChoice.of([{"method": "minmax", "low": 1, "high": 100}, "rank"], [0.8, 0.2]),
    },
)


@pytest.mark.parametrize("method", ["arithmetic", "geometric", "median", "harmonic"])
def test_it_aggregates_like_the_pipeline_for_every_replication(method: str) -> None:
    fw = grouped()
    data = data_from_frame(frame(fw, 40, missing=0.1), fw)
    model = Model(fw, data, {"aggregate": [{"method": method}]})
    rng = np.random.default_rng(1)
    n = 9
    weights = {int(g): rng.uniform(0.5, 1.5, (n, fw.children[g].size)) for g in fw.groups}
    got = model.index_scores(weights, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
    variant = model.variants[0]
    expected = aggregate_tree(
        fw.with_methods(aggregate=method),
        np.broadcast_to(variant.normalised, (n, *variant.normalised.shape)),
        weights={g: w for g, w in weights.items()},
    )[..., -1]
    assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_it_respects_min_data_and_missing_children_like_the_pipeline() -> None:
    spec = dict(SMALL)
    spec["nodes"] = [dict(SMALL["nodes"][0], min_data=0.75), SMALL["nodes"][1]]
    fw = Framework.from_dict(spec)
    raw = pd.DataFrame(
        {"unit": ["p", "q", "r", "s"], "a1": [1, None, 3, 4], "a2": [4, 3, None, 1], "b": [0, 5, 10, 2]}
    )
    data = data_from_frame(raw, fw)
    model = Model(fw, data, {})
    one = np.zeros(1, dtype=np.int64)
    assert_allclose(model.index_scores({}, one, one)[0], compute(fw, data).scores[:, -1], rtol=1e-13)


def test_it_collapses_every_interval_to_the_nominal_rank_without_noise() -> None:
    fw = grouped()
    data = data_from_frame(frame(fw, 30), fw)
    result = run_uncertainty(fw, data, UncertaintySpec(), runs=50, seed=3)
    table = result.table()
    nominal = compute(fw, data)
    assert_array_equal(table["rank"], nominal.ranks[:, -1])
    for col in ("rank_median", "rank_p05", "rank_p95", "rank_mean"):
        assert_array_equal(table[col], table["rank"])
    assert_array_equal(table["rank_shift_mean"], 0.0)
    assert_array_equal(result.run_shift, 0.0)


@pytest.mark.parametrize("value_noise", [0.0, 0.1])
def test_it_gives_identical_results_whatever_the_chunk_size(value_noise: float) -> None:
    fw = grouped()
    data = data_from_frame(frame(fw, 25, missing=0.05), fw)
    spec = UncertaintySpec(
        weight_noise=SPEC.weight_noise, alternatives=SPEC.alternatives, value_noise=value_noise
    )
    runs = [
        run_uncertainty(fw, data, spec, runs=203, seed=5, chunk_size=c, keep_scores=True)
        for c in (1, 7, 64, None)
    ]
    first = runs[0]
    for other in runs[1:]:
        assert_array_equal(other.scores, first.scores)
        pd.testing.assert_frame_equal(other.table(), first.table())
        pd.testing.assert_frame_equal(other.runs_table(), first.runs_table())


def test_it_reports_progress_as_the_runs_done_though_chunks_follow_the_method_combinations() -> None:
    # chunks take the runs grouped by their combination of alternatives, not in run order
    fw = grouped()
    data = data_from_frame(frame(fw, 25, missing=0.05), fw)
    calls: list[tuple[int, int]] = []
    run_uncertainty(
        fw, data, SPEC, runs=203, seed=5, chunk_size=16, progress=lambda d, t: calls.append((d, t))
    )
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == 203 and len(done) == 13
    assert {t for _, t in calls} == {203}


def test_it_changes_with_the_seed_and_draws_methods_with_their_probabilities() -> None:
    fw = grouped()
    data = data_from_frame(frame(fw, 20), fw)
    a = run_uncertainty(fw, data, SPEC, runs=4000, seed=1, keep_scores=True)
    b = run_uncertainty(fw, data, SPEC, runs=50, seed=2, keep_scores=True)
    assert not np.array_equal(a.scores[:50], b.scores)
    shares = pd.Series(a.run_methods["normalise"]).value_counts(normalize=True)
    assert abs(shares["minmax:high=100,low=1"] - 0.8) < 4 * np.sqrt(0.16 / 4000)
    assert abs(pd.Series(a.run_methods["aggregate"]).eq("geometric").mean() - 0.5) < 4 * np.sqrt(0.25 / 4000)


def test_it_matches_the_exact_probability_under_measurement_noise() -> None:
    # one indicator, no normalisation: score = x + σz. A − B ~ N(1, 2σ²): P(A first) = Φ(1 / (σ√2)).
    fw, data = flat({"x": 1}, {"A": [1.0], "B": [0.0]})
    n, sigma = 40_000, 1.0
    spec = UncertaintySpec(value_noise=sigma, value_noise_kind="absolute")
    result = run_uncertainty(fw, data, spec, runs=n, seed=11)
    exact = stats.norm.cdf(1 / (sigma * np.sqrt(2)))
    assert abs(result.ranks.probabilities[0, 0] - exact) < 4 * np.sqrt(exact * (1 - exact) / n)
    assert abs(result.ranks.probabilities[1, 1] - exact) < 4 * np.sqrt(exact * (1 - exact) / n)


def test_it_matches_the_exact_probability_under_weight_noise() -> None:
    # A = (1, 0), B = (0, 1), weights 2 and 1, each × U(0.5, 1.5): A leads iff 2U₁ > U₂.
    # By hand: P(U₂ > 2U₁) = ∫₁^1.5 (u/2 − 1/2) du = 1/16, so P(A first) = 15/16.
    fw, data = flat({"x": 2, "y": 1}, {"A": [1.0, 0.0], "B": [0.0, 1.0]})
    n = 40_000
    result = run_uncertainty(fw, data, UncertaintySpec(weight_noise={1: 0.5}), runs=n, seed=4)
    assert abs(result.ranks.probabilities[0, 0] - 15 / 16) < 4 * np.sqrt(15 / 256 / n)
    assert_allclose(result.ranks.probabilities[0, 0] + result.ranks.probabilities[1, 0], 1.0)


def test_it_matches_the_exact_rank_probabilities_of_three_units() -> None:
    # three units, one indicator, absolute noise with σ = 1: P(i first) = ∫ φ(x − μᵢ) Π_{j≠i} Φ(x − μⱼ) dx
    mu = [1.0, 0.5, 0.0]
    fw, data = flat({"x": 1}, {"A": [mu[0]], "B": [mu[1]], "C": [mu[2]]})
    n = 40_000
    result = run_uncertainty(
        fw, data, UncertaintySpec(value_noise=1.0, value_noise_kind="absolute"), runs=n, seed=8
    )
    for i in range(3):
        others = [m for j, m in enumerate(mu) if j != i]
        p = integrate.quad(
            lambda x, i=i, o=others: stats.norm.pdf(x - mu[i]) * np.prod(stats.norm.cdf(x - np.array(o))),
            -12,
            12,
        )[0]
        assert abs(result.ranks.probabilities[i, 0] - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_it_recovers_the_analytic_sensitivity_indices_of_a_weighted_mean() -> None:
    # Y = p(a + ε₁) + (1 − p)(b + ε₂), p = w₁/(w₁ + w₂), wᵢ = U(1 − f, 1 + f), εᵢ ~ N(0, σ²), E p = 1/2.
    # V_w = (a − b)² Var p;  V_ε = σ²/2;  V = V_w + σ²(1/2 + 2 Var p)  (no other terms; by hand)
    # S_T,w = (V_w + 2σ² Var p) / V;  S_T,ε = σ²(1/2 + 2 Var p) / V.
    f, sigma, a, b = 0.5, 1.0, 3.0, 1.0
    fw, data = flat({"x": 1, "y": 1}, {"A": [a, b], "B": [0.0, 0.0]})
    p2 = integrate.dblquad(lambda u, v: (u / (u + v)) ** 2, 1 - f, 1 + f, 1 - f, 1 + f)[0] / (2 * f) ** 2
    var_p = p2 - 0.25
    v_w, v_e = (a - b) ** 2 * var_p, sigma**2 / 2
    v = v_w + sigma**2 * (0.5 + 2 * var_p)
    spec = UncertaintySpec(weight_noise={1: f}, value_noise=sigma, value_noise_kind="absolute")
    result = run_uncertainty(fw, data, spec, runs=20_000, seed=2, sensitivity=True, n_boot=100)
    sa = result.sensitivity
    assert sa is not None and sa.factors == ("weights:1", "values")
    assert_allclose(sa.score.first[:, 0], [v_w / v, v_e / v], atol=0.03)
    assert_allclose(
        sa.score.total[:, 0], [(v_w + 2 * sigma**2 * var_p) / v, sigma**2 * (0.5 + 2 * var_p) / v], atol=0.03
    )
    assert np.all(sa.score.first_low[:, 0] <= sa.score.first[:, 0])


def test_it_replays_drawn_methods_and_weights_exactly() -> None:
    fw = grouped()
    data = data_from_frame(frame(fw, 20), fw)
    drawn = run_uncertainty(fw, data, SPEC, runs=60, seed=9, keep_scores=True)
    nodes = [n.code for n in fw.nodes[:-1]]
    weights = pd.DataFrame(drawn.run_weights[:, :-1], columns=nodes).assign(run=drawn.run_ids)
    long = weights.melt(id_vars="run", var_name="node", value_name="weight")
    methods = drawn.runs_table()[["run", "aggregate", "normalise"]]
    # method labels carry their parameters ("minmax:high=100,low=1"), so the replay is exact
    replay = merge(read_replay_weights(long, nodes=nodes), read_replay_methods(methods))
    again = run_uncertainty(fw, data, runs=60, replay=replay, keep_scores=True)
    assert_allclose(again.scores, drawn.scores, rtol=1e-12)
    pd.testing.assert_frame_equal(again.table(), drawn.table())
    assert again.run_methods == drawn.run_methods


def test_it_rejects_replay_together_with_drawn_weights() -> None:
    fw = grouped()
    replay = read_replay_weights(pd.DataFrame({"run": [1], "node": ["G0"], "weight": [2.0]}), nodes=["G0"])
    with pytest.raises(InputError, match="`weight_noise` must be 0 when weights are replayed"):
        run_uncertainty(fw, frame(fw, 5), UncertaintySpec(weight_noise={1: 0.1}), runs=1, replay=replay)
    with pytest.raises(InputError, match="`runs` must equal the number of replayed runs \\(1\\), got 5"):
        run_uncertainty(fw, frame(fw, 5), runs=5, replay=replay)


def test_it_rejects_weight_noise_on_the_index_level() -> None:
    fw = grouped()
    with pytest.raises(InputError, match="`weight_noise` levels must be between 1 and 2"):
        run_uncertainty(fw, frame(fw, 5), UncertaintySpec(weight_noise={3: 0.1}), runs=10)


def test_it_rejects_an_unknown_alternative_method() -> None:
    fw = grouped()
    spec = UncertaintySpec(alternatives={"aggregate": MethodChoice.of(["arithmetic", "mean"])})
    with pytest.raises(InputError, match=r"`aggregate` alternative must be one of .*got 'mean'"):
        run_uncertainty(fw, frame(fw, 5), spec, runs=10)


def test_it_names_the_node_when_a_geometric_alternative_meets_a_zero() -> None:
    fw = grouped(low=0.0)
    spec = UncertaintySpec(alternatives={"aggregate": MethodChoice.of(["arithmetic", "geometric"])})
    with pytest.raises(InputError, match=r"node `G0` \(geometric aggregation\).*must be positive"):
        run_uncertainty(fw, frame(fw, 5), spec, runs=10)


@pytest.mark.parametrize("method", ["arithmetic", "geometric"])
def test_it_collapses_complete_data_into_one_weighted_mean_like_the_pipeline(method: str) -> None:
    fw = grouped()
    data = data_from_frame(frame(fw, 30), fw)
    model = Model(fw, data, {"aggregate": [{"method": method}]})
    assert model.variants[0].complete
    rng = np.random.default_rng(4)
    n = 7
    weights = {int(g): rng.uniform(0.5, 1.5, (n, fw.children[g].size)) for g in fw.groups}
    got = model.index_scores(weights, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
    normalised = np.broadcast_to(model.variants[0].normalised, (n, 30, len(fw.indicators)))
    expected = aggregate_tree(fw.with_methods(aggregate=method), normalised, weights=weights)[..., -1]
    assert_allclose(got, expected, rtol=1e-12)


def treated_framework() -> Framework:
    """A log1p-treated count (large values), a rate with bounds, and an ordinal level."""
    return Framework.from_dict(
        {
            "code": "IX",
            "nodes": [
                {
                    "code": "N",
                    "direction": 1,
                    "weight": 1,
                    "bounds": [0, 500000],
                    "method": {"treat": "log1p"},
                },
                {"code": "P", "direction": 1, "weight": 1, "bounds": [0, 100]},
                {
                    "code": "L",
                    "direction": 1,
                    "weight": 1,
                    "method": {"normalise": {"method": "ordinal", "mapping": {0: 0, 1: 0.4, 2: 0.8, 3: 1.0}}},
                },
            ],
        }
    )


def test_it_adds_value_noise_on_the_measured_scale_not_the_treated_one() -> None:
    # Relative noise of 1e-6 on counts near 10^5 is ±0.1 counts: after log1p and min-max over three units
    # the scores move by hundredths of a point at most. (Noise scaled on the raw value but added after
    # log1p would move log1p(x) ≈ 11.5 by ±0.1, far more than the units' spread, and shuffle them.)
    fw = treated_framework()
    data = pd.DataFrame(
        {"unit": ["A", "B", "C"], "N": [100000, 100400, 100800], "P": [50, 51, 52], "L": [1, 2, 1]}
    )
    nominal = compute(fw, data).index_scores.to_numpy()
    res = run_uncertainty(fw, data, UncertaintySpec(value_noise=1e-6), runs=400, seed=3, keep_scores=True)
    assert res.scores is not None
    # min-max over three close units stretches ±0.1 counts to a few hundredths of a point, no more
    assert_allclose(res.scores, np.broadcast_to(nominal, res.scores.shape), atol=0.05)
    table = res.table(rank_probability_columns=0)
    assert_array_equal(table["rank_p05"], table["rank"])
    assert_array_equal(table["rank_p95"], table["rank"])


def test_it_keeps_noisy_values_within_bounds_and_ordinal_levels_exact() -> None:
    # 80 % relative noise on a rate of 95 would often exceed 100 and on the levels would leave {0..3};
    # both must stay legal, so every replication computes (no InputError) and scores stay in [0, 100].
    fw = treated_framework()
    data = pd.DataFrame({"unit": ["A", "B", "C"], "N": [10, 2000, 90000], "P": [95, 20, 60], "L": [0, 3, 2]})
    res = run_uncertainty(fw, data, UncertaintySpec(value_noise=0.8), runs=300, seed=5, keep_scores=True)
    assert res.scores is not None
    assert np.isfinite(res.scores).all()
    assert res.scores.min() >= 0.0 and res.scores.max() <= 100.0 + 1e-9
