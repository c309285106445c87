"""The comparison demo: rounds per year, designed share of |En| > 1, the En = 1.00 edge, C3.2, idempotence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from qiangji.demo.generate.institutions import CITY, RANKED
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.inputs import build_inputs
from qiangji.web.assessment.models import FrameworkVersion, Period
from qiangji.web.comparisons.demo import EDGE, PLAN, load_comparisons_demo
from qiangji.web.comparisons.evaluate import matches_stored
from qiangji.web.comparisons.models import (
    Award,
    ComparisonRound,
    Competition,
    CorrectiveAction,
    Evaluation,
    LabResult,
)
from qiangji.web.registry.models import Institution, Staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db: Any) -> dict[str, Any]:
    """The city institute and the nine ranked county institutions of the demo, four technical staff each."""
    Institution.objects.create(code=CITY, name="台州市计量技术研究院（示例）", level=Institution.Level.CITY,
                               is_ranked=False)  # fmt: skip
    for code in RANKED:
        inst = Institution.objects.create(code=code, name=f"{code} 计量所（示例）", level="county")
        for i in range(4):
            Staff.objects.create(institution=inst, name=f"{code}-{i}", hired_on=dt.date(2015, 1, 1))
    return {"report": load_comparisons_demo()}  # its speed is measured in benchmarks/bench_demo.py


def test_it_runs_three_to_six_reported_rounds_a_year(loaded: dict[str, Any]) -> None:
    for year in (2023, 2024, 2025):
        rounds = ComparisonRound.objects.filter(year=year)
        assert 3 <= rounds.count() <= 6 and rounds.count() == len(PLAN[year])
        for rnd in rounds:
            assert rnd.status == "reported" and rnd.pilot.code == CITY
            assert 1 <= rnd.points.count() <= 5
            assert 7 <= rnd.participants.count() <= 10  # the pilot and six to nine counties
            assert rnd.reported_on is not None and rnd.reported_on.year == year
            assert {e.evaluated_at.year for e in rnd.evaluations.all()} == {year}


def test_between_five_and_ten_percent_of_results_are_unsatisfactory(loaded: dict[str, Any]) -> None:
    results = LabResult.objects.filter(en__isnull=False)
    bad = results.filter(verdict="unsatisfactory")
    assert 0.05 <= bad.count() / results.count() <= 0.10
    assert all(abs(r.en) > 1 for r in bad)
    assert all(abs(r.en) <= 1 for r in results.exclude(verdict="unsatisfactory"))
    assert not results.filter(verdict__in=["questionable", "not evaluated"]).exists()


def test_every_unsatisfactory_institution_gets_a_corrective_action(loaded: dict[str, Any]) -> None:
    bad = LabResult.objects.filter(verdict="unsatisfactory")
    expected = {
        (r.evaluation.round_id, r.participant.institution_id)
        for r in bad.select_related("evaluation", "participant")
    }
    actions = CorrectiveAction.objects.select_related("finding")
    assert {(a.round_id, a.institution_id) for a in actions} == expected
    assert all(a.finding.sub_dimension == "C3" for a in actions)
    still_open = [a for a in actions if a.finding.closed_on is None]
    assert still_open and {a.round.code for a in still_open} == {"TZBD-2025-06"}


def test_the_edge_result_has_en_exactly_one_and_is_satisfactory(loaded: dict[str, Any]) -> None:
    year, _key, label = EDGE
    edge = LabResult.objects.get(evaluation__round__year=year, evaluation__point__label=label, en=1.0)
    assert edge.en == 1.0  # exactly, not 0.9999999999999999 or 1.0000000000000002
    assert edge.verdict == "satisfactory"
    # U(d) = 2·sqrt((2.0/2)² + (1.5/2)²) = 2.5 = x − x_P, every number binary-exact
    assert edge.U == 2.0 and edge.x - edge.x_ref == 2.5 and edge.U_ref == 1.5 and edge.U_d == 2.5
    assert edge.evaluation.method == "pilot"
    assert matches_stored(edge.evaluation)  # the replay gives exactly 1.0 again


def test_every_stored_evaluation_replays_bit_for_bit(loaded: dict[str, Any]) -> None:
    assert all(matches_stored(ev) for ev in Evaluation.objects.all())


def test_c3_2_derives_from_the_demo_rounds(loaded: dict[str, Any]) -> None:
    fv = ensure_default_framework(FrameworkVersion)[0]
    inputs = build_inputs(Period.for_code("2024"), fv)
    for code in RANKED:
        results = LabResult.objects.filter(
            evaluation__round__year=2024, participant__institution__code=code, en__isnull=False
        )
        if not results.exists():
            continue
        prov = inputs.provenance[(code, "C3.2")]
        ok = results.filter(verdict="satisfactory").count()
        assert prov["source"] == "derived"
        assert (prov["numerator"], prov["denominator"]) == (ok, results.count())
        assert inputs.frame.loc[code, "C3.2"] == pytest.approx(100.0 * ok / results.count())


def test_one_competition_a_year_with_awards(loaded: dict[str, Any]) -> None:
    assert sorted(Competition.objects.values_list("year", flat=True)) == [2023, 2024, 2025]
    for comp in Competition.objects.all():
        assert comp.items.count() == 2 and comp.teams.count() == 9
        for item in comp.items.all():
            awards = Award.objects.filter(contestant__item=item)
            assert awards.filter(level=1).count() >= 1 and awards.count() >= 6


def test_it_loads_once(loaded: dict[str, Any]) -> None:
    counts = (ComparisonRound.objects.count(), LabResult.objects.count(), Competition.objects.count())
    again = load_comparisons_demo()
    assert not any(again.created.values()) and "已存在" in again.summary()
    assert (ComparisonRound.objects.count(), LabResult.objects.count(), Competition.objects.count()) == counts


def test_it_needs_the_registry_demo(db: Any) -> None:
    assert not any(load_comparisons_demo().created.values())
    assert not ComparisonRound.objects.exists()
