"""The publication's computation passes the whole run spec to the core, uncertainty included (no ORM)."""

from __future__ import annotations

from qiangji.core.index import IndexSpec
from qiangji.web.publication.compute import compute_payload, default_uncertainty
from tests.web.publication.conftest import COUNTIES
from tests.web.publication.frames import framework, random_inputs


def twins() -> tuple[IndexSpec, object]:
    """Inputs in which HY-MI reports what JJ-MI does, one verification more: two nearly equal scores."""
    inputs = random_inputs(COUNTIES, seed=4)
    frame = inputs.frame
    frame.loc["HY-MI"] = frame.loc["JJ-MI"]
    frame.loc["HY-MI", "D1.3"] = frame.loc["JJ-MI", "D1.3"] + 1
    return IndexSpec(framework().for_period(0.25)), inputs


def payload(spec: IndexSpec, inputs) -> dict:
    unc = default_uncertainty(spec)
    return compute_payload(spec, inputs.frame, inputs.names, unc, seed=5, runs=200)["uncertainty"]


def interval(part: dict, unit: str) -> tuple[float, float, float]:
    i = part["units"].index(unit)
    return part["rank_p05"][i], part["rank_median"][i], part["rank_p95"][i]


def test_it_ranks_the_uncertainty_runs_with_the_specs_rank_tolerance() -> None:
    spec, inputs = twins()
    strict = payload(spec, inputs)
    assert interval(strict, "HY-MI")[1] < interval(strict, "JJ-MI")[1]  # one more verification: ahead
    tolerant = payload(IndexSpec(spec.framework, rank_tolerance=0.01), inputs)  # 0.01 · score ≫ the gap
    assert interval(tolerant, "HY-MI") == interval(tolerant, "JJ-MI")  # tied in every replication
    assert interval(tolerant, "HY-MI")[1] == interval(strict, "HY-MI")[1]
