"""Indicator C3.2 (计量比对满意率): share of an institution's comparison results with |En| ≤ 1.

Counted over the rounds evaluated (status evaluated or reported) whose evaluation date falls in
[start, end]; a result is one laboratory at one point. A result with no En (the pilot's own reference
value) is not counted. An institution invited to a *mandatory* round in the period that submitted nothing
there scores 0 (docs/domain.md#comparisons, C3.2 rule), whatever its other results. With no result and no
missed mandatory
round the value is ``None`` (no data; the index's imputation decides).

Registered in the indicator registry (:mod:`qiangji.web.indicators`) by ``ComparisonsConfig.ready``:
derived once a round was evaluated in the period, else the institution's reported value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from qiangji.web import indicators
from qiangji.web.comparisons.models import ComparisonRound, LabResult, Participant
from qiangji.web.registry.models import Institution
from qiangji.web.stored_texts import NOT_SUBMITTED, register_record

EVALUATED = (ComparisonRound.Status.EVALUATED, ComparisonRound.Status.REPORTED)


def _rounds_in(start: dt.date, end: dt.date) -> Any:
    return ComparisonRound.objects.filter(
        status__in=EVALUATED,
        evaluations__evaluated_at__date__gte=start,
        evaluations__evaluated_at__date__lte=end,
    ).distinct()


Row = dict[str, Any]


def _results(rounds: Any, ids: Sequence[int]) -> dict[int, list[Row]]:
    """Institution id → its results with an En in ``rounds``, in the results' own order (one query)."""
    out: dict[int, list[Row]] = {pk: [] for pk in ids}
    found = LabResult.objects.filter(
        evaluation__round__in=rounds, participant__institution__in=ids, en__isnull=False
    ).values_list("participant__institution_id", "evaluation__round__code", "evaluation__point__label", "en",
                  "verdict")  # fmt: skip
    for inst, code, label, en, verdict in found:
        out[inst].append({"round": code, "point": label, "en": en, "verdict": verdict})
    return out


def _missed(rounds: Any, ids: Sequence[int]) -> dict[int, list[str]]:
    """Institution id → codes of the mandatory rounds in ``rounds`` it was invited to and submitted nothing
    to, sorted (one query)."""
    out: dict[int, list[str]] = {pk: [] for pk in ids}
    found = (
        Participant.objects.filter(round__in=rounds.filter(mandatory=True), institution__in=ids)
        .exclude(submissions__isnull=False)
        .values_list("institution_id", "round__code")
    )
    for inst, code in found:
        out[inst].append(code)
    return {inst: sorted(codes) for inst, codes in out.items()}


def _rate(rows: list[Row], missed: list[str]) -> tuple[Decimal | None, int, int]:
    """(value in %, numerator, denominator) of C3.2 from an institution's results and missed rounds."""
    num = sum(1 for r in rows if r["verdict"] == LabResult.Verdict.SATISFACTORY)
    den = len(rows)
    if missed:
        return Decimal("0.0"), num, den
    if den == 0:
        return None, 0, 0
    return (Decimal(100 * num) / Decimal(den)).quantize(Decimal("0.1")), num, den


def satisfaction_rate(
    institution: Institution, start: dt.date, end: dt.date
) -> tuple[Decimal | None, int, int, dict[str, Any]]:
    """(value in %, numerator, denominator, detail) for C3.2 over the period [start, end]."""
    rounds = _rounds_in(start, end)
    pk = institution.pk
    rows, missed = _results(rounds, [pk])[pk], _missed(rounds, [pk])[pk]
    detail = {
        "results": rows,
        "missed_mandatory": missed,
        "rounds": sorted(rounds.values_list("code", flat=True)),
    }
    return (*_rate(rows, missed), detail)


def c3_2_all(insts: Sequence[Institution], period: Any) -> dict[int, indicators.Derived | None]:
    """C3.2 for the institutions of ``period``, with its provenance: three queries for all of them (a
    province's 200 institutions asked one by one took 600 queries and most of the year overview's time)."""
    rounds = _rounds_in(period.start, period.end)
    ids = [inst.pk for inst in insts]
    results, missed_by = _results(rounds, ids), _missed(rounds, ids)
    out: dict[int, indicators.Derived | None] = {}
    for pk in ids:
        rows, missed = results[pk], missed_by[pk]
        value, num, den = _rate(rows, missed)
        if value is None:
            out[pk] = None
            continue
        records = [f"{r['round']} {r['point']} En={r['en']} {r['verdict']}" for r in rows]
        out[pk] = indicators.Derived(
            0.0 if missed else 100.0 * num / den,
            gettext_noop("|En|≤1 的比对结果数 / 比对结果数（必须参加而未提交的比对计0）"),
            float(num),
            float(den),
            (*records, *(NOT_SUBMITTED.zh(round=code) for code in missed)),
        )
    return out


#: A result as C3.2 records it: "<round> <point> En=<value> <verdict code>" (`c3_2_all`).
RECORD = re.compile(r"^(?P<head>\S+ .+ En=\S+) (?P<verdict>[a-z][a-z ]*)$")


def record_in_language(text: str) -> str | None:
    """A stored C3.2 record with its verdict code shown as the verdict's label in the request's language;
    None for any other text."""
    found = RECORD.match(text)
    label = None if found is None else dict(LabResult.Verdict.choices).get(found["verdict"])
    return None if label is None or found is None else f"{found['head']} {label}"


def register_indicators() -> None:
    """C3.2: from the evaluated rounds, else reported (the demo reports it too); its records' reader."""
    register_record(record_in_language)
    indicators.register("C3.2", source=("derived", "reported"), derive=c3_2_all, demo_reported=True)
