"""The round page's evaluation and `qiangji comparison evaluate` give the same numbers for the same inputs.

Each point of an evaluated round is written out as the command line's RESULTS.csv (lab, x, U at k = 2, k,
included, date, pilot) and evaluated there with the round's method and options; every declared result
column (``RESULT_COLUMNS``) of the CSV it writes must equal the stored LabResult bit for bit.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from qiangji.cli import main
from qiangji.core.comparison import RESULT_COLUMNS
from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import ComparisonRound, Evaluation, PilotCheck

from .conftest import D, submit

FLAGS = {"U_ts": "--U-ts", "seed": "--seed", "correlated": "--correlated", "alpha": "--alpha"}


def _csv(inputs: dict[str, Any], path: Path, *, drift: bool) -> Path:
    """The point as the command line's file; on a drift line the pilot's rows are its checks."""
    rows = [["lab", "x", "U", "k", "included", "date", "pilot"]]
    for i, lab in enumerate(inputs["labs"]):
        if drift and i == inputs["pilot"]:
            continue
        pilot = "1" if i == inputs["pilot"] and not drift else ""
        inc = "1" if inputs["included"][i] else "0"
        rows.append(
            [lab, repr(inputs["x"][i]), repr(2 * inputs["u"][i]), "2", inc, inputs["dates"][i], pilot]
        )
    if drift:
        rows += [["P", repr(x), repr(2 * u), "2", "1", day, "1"] for day, x, u in inputs["pilot_checks"]]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _cli(ev: Evaluation, tmp_path: Path, capsys: Any) -> dict[str, dict[str, str]]:
    drift = ev.trail["kind"] == "drift"
    args = ["--reference", ev.method, *(["--pilot", "P"] if ev.method == "pilot" and not drift else [])]
    if ev.inputs["sigma_pt"] is not None:
        args += ["--sigma-pt", repr(ev.inputs["sigma_pt"])]
    for key, value in ev.options.items():
        args += [FLAGS[key], "independent" if value is False else str(value)]
    out = tmp_path / f"out-{ev.point.order}.csv"
    assert main(["comparison", "evaluate", str(_csv(ev.inputs, tmp_path / "in.csv", drift=drift)), *args,
                 "-o", str(out)]) == 0, capsys.readouterr().err  # fmt: skip
    return {r["lab"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}


def _same(stored: Any, text: str) -> bool:
    if stored is None:
        return text == ""
    return stored == (float(text) if isinstance(stored, float) else text)


def _assert_agree(rnd: ComparisonRound, tmp_path: Path, capsys: Any) -> int:
    compared = 0
    for ev in Evaluation.objects.filter(round=rnd):
        cli = _cli(ev, tmp_path, capsys)
        for r in ev.results.select_related("participant"):
            if r.form == "reference" and r.participant.lab_code not in cli:
                continue  # the pilot's own result on its drift line is the reference, not scored
            line = cli[r.participant.lab_code]
            for c in RESULT_COLUMNS:
                if not c.given:
                    assert _same(getattr(r, c.name), line[c.name]), (ev.point.label, r.participant, c.name)
            compared += 1
    return compared


def _close(rnd: ComparisonRound) -> ComparisonRound:
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    return rnd


@pytest.mark.parametrize(
    ("method", "options"),
    [
        ("pilot", {"U_ts": 0.2}),
        ("weighted_mean", {"correlated": False, "alpha": 0.01}),
        ("weighted_mean", {}),
        ("median", {"seed": 7}),
        ("q_hampel", {"U_ts": 0.1}),
        ("dersimonian_laird", {}),
    ],
)
def test_the_page_and_the_command_line_agree(
    filled: dict[str, Any], tmp_path: Path, capsys: Any, method: str, options: dict[str, Any]
) -> None:
    filled["points"][0].sigma_pt = 0.8  # z (or z′) at the first point, robust s* or none at the second
    filled["points"][0].save()
    rnd = _close(filled["round"])
    evaluate_round(rnd, method=method, options=options)
    assert _assert_agree(rnd, tmp_path, capsys) == 8


def test_they_agree_on_the_drift_line_with_U_ts_and_zeta(
    world: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    p1, p2 = world["points"]
    P, L1, L2, L3 = world["parts"]
    for point in (p1, p2):
        PilotCheck.objects.create(point=point, measured_on=D(2025, 3, 1), x=0.0, U=0.5)
        PilotCheck.objects.create(point=point, measured_on=D(2025, 3, 21), x=1.0, U=0.5)
        submit(P, point, 0.5, 0.5, day=11)
        for day, (part, x) in enumerate([(L1, 0.3), (L2, 1.9), (L3, 0.8)], start=5):
            submit(part, point, x, 1.0, day=day)
    rnd = _close(world["round"])
    evaluate_round(rnd, method="pilot", options={"U_ts": 0.3})
    assert _assert_agree(rnd, tmp_path, capsys) == 6
    ev = Evaluation.objects.get(point=p1)
    l2 = ev.results.get(participant__lab_code="L2")
    assert l2.zeta is not None and l2.form == "drift" and ev.trail["U_ts"] == 0.3
