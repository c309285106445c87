"""`qiangji comparison evaluate RESULTS.csv --reference METHOD [-o OUT.csv]`."""

import csv
import math
from pathlib import Path

import pytest

from qiangji.cli import main
from qiangji.core.comparison import REFERENCE_METHODS

ROUND = """lab,x,U,k,included,date,pilot
P,10.00,0.10,2,1,2025-03-01,1
A,10.05,0.20,2,1,2025-03-10,
B,9.70,0.15,2,yes,2025-03-20,
C,10.10,0.60,3,0,2025-03-30,
"""


def _run(tmp_path: Path, text: str, *args: str) -> int:
    f = tmp_path / "results.csv"
    f.write_text(text, encoding="utf-8")
    return main(["comparison", "evaluate", str(f), *args])


def test_it_prints_the_reference_and_verdicts_and_writes_the_table(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.csv"
    assert _run(tmp_path, ROUND, "--reference", "weighted_mean", "-o", str(out)) == 0
    text = capsys.readouterr().out
    assert "weighted_mean" in text and "chi2" in text and "birge_ratio" in text
    assert "不满意\tunsatisfactory" in text
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["lab"] for r in rows] == ["P", "A", "B", "C"]
    assert rows[3]["U"] == "0.6" and rows[3]["form"] == "independent"  # C is not in the reference
    assert rows[0]["form"] == "correlated"


def test_it_uses_the_pilot_column_and_flag(tmp_path: Path, capsys) -> None:
    assert _run(tmp_path, ROUND, "--reference", "pilot") == 0
    text = capsys.readouterr().out
    assert "X_ref = 10," in text and "未评价" in text
    assert _run(tmp_path, ROUND, "--reference", "pilot", "--pilot", "A") == 0
    assert "X_ref = 10.05" in capsys.readouterr().out


def test_it_drift_corrects_a_pilot_measured_twice(tmp_path: Path, capsys) -> None:
    text = ROUND + "P,10.04,0.10,2,1,2025-04-10,1\n"
    assert _run(tmp_path, text, "--reference", "pilot") == 0
    out = capsys.readouterr().out
    assert "drift line" in out and "\tdrift\t" in out


def test_it_prints_algorithm_a_iterations(tmp_path: Path, capsys) -> None:
    assert _run(tmp_path, ROUND, "--reference", "algorithm_a") == 0
    assert "Algorithm A iterations" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lab,x,U\nA,1,2\n", "missing column(s) k"),
        ("lab,x,U,k\nA,1,0.1,2\nB,abc,0.1,2\n", "row 3, column x: must be a number, got 'abc'"),
        ("lab,x,U,k\nA,1,0.1,2\nB,1,-0.1,2\n", "row 3, column U: must be a positive"),
        ("lab,x,U,k,included\nA,1,0.1,2,maybe\n", "row 2, column included"),
        ("lab,x,U,k,date\nA,1,0.1,2,2025-13-45\n", "row 2, column date"),
        ("lab,x,U,k\nA,1,0.1,2\n", "at least 2 included results"),
    ],
)
def test_it_reports_bad_files_by_row_and_column(tmp_path: Path, capsys, text: str, message: str) -> None:
    assert _run(tmp_path, text, "--reference", "weighted_mean") == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_it_needs_a_pilot_for_the_pilot_method(tmp_path: Path, capsys) -> None:
    assert _run(tmp_path, "lab,x,U,k\nA,1,0.1,2\nB,1,0.1,2\n", "--reference", "pilot") == 2
    assert "--pilot LAB" in capsys.readouterr().err


def test_it_reports_a_missing_file(capsys) -> None:
    assert main(["comparison", "evaluate", "/nonexistent.csv", "--reference", "mean"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_it_offers_every_reference_method() -> None:
    from qiangji.cli import build_parser

    parser = build_parser()
    for method in REFERENCE_METHODS:
        args = parser.parse_args(["comparison", "evaluate", "f.csv", "--reference", method])
        assert args.reference == method


def test_it_adds_U_ts_and_zeta_on_the_drift_line(tmp_path: Path, capsys) -> None:
    # pilot 10.00 on 03-01 and 10.04 on 04-10 (u = 0.05): at A's date (03-10) f = 9/40 of the way,
    # X_P = 10.009 with u² = 0.05²·((1 − f)² + f²) (formula sheet §7); En with U_ts (§1b), ζ with u(X_P) (§3)
    out = tmp_path / "out.csv"
    text = ROUND + "P,10.04,0.10,2,1,2025-04-10,1\n"
    assert _run(tmp_path, text, "--reference", "pilot", "--U-ts", "0.05", "-o", str(out)) == 0
    assert "U_ts = 0.05" in capsys.readouterr().out
    a = next(r for r in csv.DictReader(out.open(encoding="utf-8")) if r["lab"] == "A")
    f = 9 / 40
    u_ref = 0.05 * math.sqrt((1 - f) ** 2 + f**2)
    assert float(a["x_ref"]) == pytest.approx(10.009, rel=1e-12)
    assert float(a["en"]) == pytest.approx(0.041 / math.sqrt(0.2**2 + (2 * u_ref) ** 2 + 0.05**2), rel=1e-9)
    assert float(a["zeta"]) == pytest.approx(0.041 / math.sqrt(0.1**2 + u_ref**2), rel=1e-9)


def test_it_scores_z_prime_against_a_given_sigma_pt(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    args = (
        "--reference",
        "weighted_mean",
        "--sigma-pt",
        "0.1",
        "--correlated",
        "independent",
        "-o",
        str(out),
    )
    assert _run(tmp_path, ROUND, *args) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["z_kind"] for r in rows} == {"z'"} and {r["form"] for r in rows} == {"independent"}
    # z′ = d/sqrt(σ_pt² + u²(x_pt)) (ISO 13528:2022 9.5), the same denominator for every laboratory
    dens = {round(float(r["d"]) / float(r["z"]), 12) for r in rows}
    assert len(dens) == 1 and dens.pop() > 0.1


def test_the_command_stays_light_until_it_evaluates() -> None:
    """`qiangji --help` and the other commands do not wait for numpy and scipy (the method list is lazy)."""
    import subprocess
    import sys

    code = "import sys, qiangji.cli as c; c.build_parser(); print('scipy' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    )
