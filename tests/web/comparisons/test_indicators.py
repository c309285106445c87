"""Indicator C3.2: share of results with |En| ≤ 1 in rounds evaluated in the period; missed mandatory → 0."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.indicators import satisfaction_rate
from qiangji.web.comparisons.models import ComparisonRound, Participant

TODAY = timezone.localdate()
YEAR = (TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=1))


def _evaluate(world: dict[str, Any]) -> None:
    rnd = world["round"]
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    evaluate_round(rnd, method="pilot", options={})


def test_it_counts_satisfactory_results(filled: dict[str, Any]) -> None:
    _evaluate(filled)
    c1, _, c3 = filled["labs"]
    assert satisfaction_rate(c1, *YEAR)[:3] == (Decimal("100.0"), 2, 2)
    value, num, den, detail = satisfaction_rate(c3, *YEAR)
    assert (value, num, den) == (Decimal("50.0"), 1, 2)
    assert {(r["point"], r["verdict"]) for r in detail["results"]} == {
        ("200 g", "unsatisfactory"),
        ("100 g", "satisfactory"),
    }


def test_the_pilots_reference_is_not_a_result(filled: dict[str, Any]) -> None:
    _evaluate(filled)
    assert satisfaction_rate(filled["city"], *YEAR)[:3] == (None, 0, 0)


def test_it_ignores_rounds_outside_the_period(filled: dict[str, Any]) -> None:
    _evaluate(filled)
    last_year = (TODAY - dt.timedelta(days=400), TODAY - dt.timedelta(days=40))
    assert satisfaction_rate(filled["labs"][0], *last_year)[:3] == (None, 0, 0)


def test_a_missed_mandatory_round_scores_zero(filled: dict[str, Any]) -> None:
    from qiangji.web.registry.models import Institution

    absent = Institution.objects.create(code="C9", name="缺席县计量所（示例）", level="county")
    Participant.objects.create(round=filled["round"], institution=absent, lab_code="L9")
    _evaluate(filled)
    value, num, den, detail = satisfaction_rate(absent, *YEAR)
    assert (value, num, den, detail["missed_mandatory"]) == (Decimal("0.0"), 0, 0, ["CMP-2025-01"])


def test_a_missed_voluntary_round_is_no_data(filled: dict[str, Any]) -> None:
    from qiangji.web.registry.models import Institution

    filled["round"].mandatory = False
    absent = Institution.objects.create(code="C9", name="缺席县计量所（示例）", level="county")
    Participant.objects.create(round=filled["round"], institution=absent, lab_code="L9")
    _evaluate(filled)
    assert satisfaction_rate(absent, *YEAR)[:3] == (None, 0, 0)


def test_an_evaluated_round_feeds_c3_2_through_build_inputs(filled: dict[str, Any]) -> None:
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.inputs import build_inputs
    from qiangji.web.assessment.models import FrameworkVersion, Period

    _evaluate(filled)  # evaluated now: the current quarter's C3.2
    period = Period.for_code(f"{TODAY.year}Q{(TODAY.month - 1) // 3 + 1}")
    inputs = build_inputs(period, ensure_default_framework(FrameworkVersion)[0])
    # conftest: L3 at 200 g is 3 mg off with U = 1 mg against the pilot's 0.5 mg → En ≈ 2.68; L3 at 100 g and
    # both results of C1 and C2 are within |En| ≤ 1.
    for code, (num, den) in {"C1": (2, 2), "C2": (2, 2), "C3": (1, 2)}.items():
        prov = inputs.provenance[(code, "C3.2")]
        assert prov["source"] == "derived"
        assert (prov["numerator"], prov["denominator"]) == (num, den)
        assert inputs.frame.loc[code, "C3.2"] == 100.0 * num / den
        assert any("CMP-2025-01 200 g" in r for r in prov["records"])


def test_all_institutions_at_once_equal_each_asked_alone(filled: dict[str, Any]) -> None:
    """``c3_2_all`` reads every institution in three queries; each value, count and record (in order) is
    what ``satisfaction_rate`` gives that institution alone — a satisfied lab, a half-satisfied one, the
    pilot without results and one that missed the mandatory round."""
    from types import SimpleNamespace

    from qiangji.web.comparisons.indicators import c3_2_all
    from qiangji.web.registry.models import Institution

    absent = Institution.objects.create(code="C9", name="缺席县计量所（示例）", level="county")
    Participant.objects.create(round=filled["round"], institution=absent, lab_code="L9")
    _evaluate(filled)
    insts = [*filled["labs"], filled["city"], absent]
    every = c3_2_all(insts, SimpleNamespace(start=YEAR[0], end=YEAR[1]))
    seen = set()
    for inst in insts:
        value, num, den, detail = satisfaction_rate(inst, *YEAR)
        derived = every[inst.pk]
        if value is None:
            assert derived is None
            continue
        seen.add(float(value))
        assert derived is not None and (derived.numerator, derived.denominator) == (num, den)
        assert round(derived.value, 1) == float(value)
        records = [f"{r['round']} {r['point']} En={r['en']} {r['verdict']}" for r in detail["results"]]
        assert list(derived.records[: len(records)]) == records
        assert len(derived.records) == len(records) + len(detail["missed_mandatory"])
    assert seen == {100.0, 50.0, 0.0}
