import json

import numpy as np
import pytest
from django.db import DatabaseError, transaction

from qiangji.core.canonical import sha256_text
from qiangji.core.index import IndexSpec, compute, data_from_frame
from qiangji.web.assessment.models import Period
from qiangji.web.publication.compute import core_frame
from qiangji.web.publication.models import ImmutableError, IndexRun
from qiangji.web.publication.runs import code_version, create_run, recompute, verify
from tests.web.publication.conftest import COUNTIES, RUNS
from tests.web.publication.frames import random_inputs, with_value

pytestmark = pytest.mark.django_db


def make_run(fv, seed=7):
    return create_run(Period.for_code("2025Q3"), fv, random_inputs(COUNTIES, seed=3), seed=seed, runs=RUNS)


def test_it_recomputes_a_stored_run_bit_for_bit(institutions, fv) -> None:
    run = IndexRun.objects.get(pk=make_run(fv).pk)  # read back from the database
    assert recompute(run) == run.results_json
    assert sha256_text(recompute(run)) == run.results_sha256
    assert verify(run)


def test_it_stores_what_determines_the_numbers(institutions, fv) -> None:
    inputs = random_inputs(COUNTIES, seed=3)
    run = create_run(Period.for_code("2025Q3"), fv, inputs, seed=11, runs=RUNS)
    assert run.inputs_json == inputs.to_json()
    assert run.inputs_sha256 == sha256_text(inputs.to_json())
    assert run.seed == 11 and run.runs == RUNS
    assert run.code_version.startswith("0.1.0") and run.code_version == code_version()
    assert IndexSpec.from_json(run.spec_json).framework.version == "2025.1"
    assert json.loads(run.uncertainty_spec_json)["weight_noise"] == {"1": 0.25, "2": 0.25, "3": 0.25}
    fv.refresh_from_db()
    assert fv.is_used


def test_it_stores_the_engines_scores_and_ranks(institutions, fv) -> None:
    inputs = random_inputs(COUNTIES, seed=3)
    run = create_run(Period.for_code("2025Q3"), fv, inputs, seed=7, runs=RUNS)
    spec = IndexSpec(fv.framework().for_period(0.25))  # a quarter: per-year flow targets × 0.25
    expected = compute(spec, data_from_frame(core_frame(inputs.frame, inputs.names), spec.framework))
    res = run.results
    assert res["units"] == sorted(COUNTIES)
    np.testing.assert_array_equal(np.array(res["scores"], dtype=float), expected.scores)
    np.testing.assert_array_equal(res["publication_rank"], expected.publication_rank)
    assert sorted(res["publication_rank"]) == list(range(1, 10))
    unc = res["uncertainty"]
    for p05, median, p95 in zip(unc["rank_p05"], unc["rank_median"], unc["rank_p95"], strict=True):
        assert 1 <= p05 <= median <= p95 <= 9


def test_it_gives_other_intervals_with_another_seed_but_the_same_scores(institutions, fv) -> None:
    a, b = make_run(fv, seed=1).results, make_run(fv, seed=2).results
    assert a["scores"] == b["scores"]
    assert a["uncertainty"]["rank_mean"] != b["uncertainty"]["rank_mean"]


def test_it_refuses_to_change_a_stored_run(institutions, fv) -> None:
    run = make_run(fv)
    run.seed = 8
    with pytest.raises(ImmutableError):
        run.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        IndexRun.objects.filter(pk=run.pk).update(results_json="{}")
    assert IndexRun.objects.get(pk=run.pk).seed == 7


def test_it_notices_a_tampered_snapshot(institutions, fv) -> None:
    run = make_run(fv)
    run.inputs_json = run.inputs_json.replace('"values":[[', '"values":[[1.0,', 1)
    assert not verify(run)


def test_it_stores_the_period_fraction_and_scores_flows_against_pro_rated_targets(institutions, fv) -> None:
    # D3.3 training hours, target 40 h/yr (docs/domain.md#indicators): 12 h score min(12/10, 1) = 1 in a
    # quarter
    # (target 40 × 0.25 = 10 h) and 12/40 = 0.3 in a year; a stock such as D2.1 (min-max) is the same.
    inputs = with_value(random_inputs(COUNTIES, seed=3), "HY-MI", "D3.3", 12.0)
    quarter = create_run(Period.for_code("2025Q3"), fv, inputs, seed=7, runs=RUNS)
    year = create_run(Period.for_code("2025"), fv, inputs, seed=7, runs=RUNS)
    assert json.loads(quarter.spec_json)["period_fraction"] == 0.25
    assert json.loads(year.spec_json)["period_fraction"] == 1.0
    assert IndexSpec.from_json(quarter.spec_json).framework.node("D3.3").methods["normalise"].params == {
        "target": 10.0
    }
    q, y = quarter.results, year.results
    unit, d33, d21 = q["units"].index("HY-MI"), q["indicators"].index("D3.3"), q["indicators"].index("D2.1")
    assert (q["normalised"][unit][d33], y["normalised"][unit][d33]) == (100.0, 30.0)
    assert [r[d21] for r in q["normalised"]] == [r[d21] for r in y["normalised"]]
    for run in (quarter, year):
        stored = IndexRun.objects.get(pk=run.pk)
        assert recompute(stored) == stored.results_json and verify(stored)
