"""`qiangji index uncertainty` from files (docs/design.md#command-line contract, issue 4 criterion 6)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from qiangji.cli import main

FRAMEWORK = {
    "code": "IX",
    "method": {"normalise": {"method": "minmax", "low": 1, "high": 100}},
    "nodes": [
        {
            "code": f"G{g}",
            "weight": g + 1,
            "children": [{"code": f"I{g}.{i}", "direction": 1, "weight": 1} for i in range(3)],
        }
        for g in range(3)
    ],
}


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    fw = tmp_path / "fw.yaml"
    fw.write_text(yaml.safe_dump(FRAMEWORK), encoding="utf-8")
    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.lognormal(size=(9, 9)), columns=[f"I{g}.{i}" for g in range(3) for i in range(3)])
    data.insert(0, "unit", [f"C{u}" for u in range(9)])
    path = tmp_path / "data.csv"
    data.to_csv(path, index=False)
    return str(fw), str(path)


def run(files: tuple[str, str], *args: str) -> int:
    return main(["index", "uncertainty", *files, *args])


def test_it_writes_one_row_per_unit_with_the_contract_columns(files, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert (
        run(
            files,
            "--runs",
            "300",
            "--weight-noise",
            "0.25",
            "--alt-aggregate",
            "arithmetic,geometric",
            "-o",
            str(out),
        )
        == 0
    )
    table = pd.read_csv(out)
    assert list(table.columns[:8]) == [
        "unit",
        "score",
        "rank",
        "rank_median",
        "rank_p05",
        "rank_p95",
        "rank_mean",
        "rank_shift_mean",
    ]
    assert len(table) == 9
    assert {"p_top_1", "p_top_3", "p_rank_9"} <= set(table.columns)
    assert np.all(table["rank_p05"] <= table["rank_median"]) and np.all(
        table["rank_median"] <= table["rank_p95"]
    )


def test_it_replays_its_own_draws_to_the_same_output(files, tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    runs, weights = tmp_path / "runs.csv", tmp_path / "w.csv"
    assert (
        run(
            files,
            "--runs",
            "200",
            "--seed",
            "4",
            "--weight-noise",
            "1:0.3,2:0.1",
            "--alt-normalise",
            "minmax:low=1,high=100,rank",
            "-o",
            str(a),
            "--runs-out",
            str(runs),
            "--weights-out",
            str(weights),
        )
        == 0
    )
    assert run(files, "--replay-weights", str(weights), "--replay-methods", str(runs), "-o", str(b)) == 0
    assert a.read_text() == b.read_text()


def test_it_writes_the_sensitivity_table(files, tmp_path: Path, capsys) -> None:
    sa = tmp_path / "sa.csv"
    assert (
        run(
            files,
            "--runs",
            "256",
            "--weight-noise",
            "0.25",
            "--alt-aggregate",
            "arithmetic,geometric",
            "--sensitivity",
            "--bootstrap",
            "50",
            "--sensitivity-out",
            str(sa),
            "-o",
            str(tmp_path / "o.csv"),
        )
        == 0
    )
    table = pd.read_csv(sa)
    assert set(table["factor"]) == {"weights:1", "weights:2", "aggregate"}
    assert set(table["output"]) == {"rank_shift_mean", "score", "rank"}
    assert "sensitivity of the mean absolute rank shift" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "10", "--weight-noise", "lots"], "`--weight-noise` must be F or LEVEL:F"),
        (["--runs", "10", "--alt-aggregate", "arithmetic,average"], "`aggregate` alternative must be one of"),
        (["--runs", "10", "--alt-aggregate", "arithmetic@0.5,geometric"], "for every method or for none"),
        (["--runs", "10", "--weight-noise", "3:0.1"], "`weight_noise` levels must be between 1 and 2"),
        (["--runs", "0"], "`runs` must be an integer not less than 1, got 0"),
        ([], "`--runs` must be given"),
    ],
)
def test_it_exits_2_with_a_clear_message(files, capsys, args: list[str], message: str) -> None:
    assert run(files, *args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_it_names_the_bad_column_of_a_replay_file(files, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "w.csv"
    bad.write_text("run,nod,weight\n1,G0,1\n", encoding="utf-8")
    assert run(files, "--replay-weights", str(bad)) == 2
    assert "columns must include run, node, weight, got run, nod, weight" in capsys.readouterr().err
