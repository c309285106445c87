"""`qiangji index audit` through `qiangji.cli.main` (issue 15, point 3)."""

import io

import pandas as pd
import pytest

from qiangji.cli import main
from qiangji.core.errors import DegenerateDataWarning
from tests.core.index.test_cli_index import files

KINDS = {"corr_parent", "cronbach", "pca_var1", "pca_abs_load", "eff_weight", "var_share", "main_effect"}
DATA = "unit,a1,a2,b\nU1,1,5,6\nU2,2,,3\nU3,3,1,9\nU4,5,3,\nU5,4,2,1\n"


def test_it_writes_the_long_csv(tmp_path, capsys) -> None:
    fw, data = files(tmp_path, DATA)
    out = tmp_path / "audit.csv"
    assert main(["index", "audit", fw, data, "-o", str(out)]) == 0
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == ["kind", "node", "item", "value"]
    assert set(table.kind) == KINDS
    rows = {(k, n, i): v for k, n, i, v in table.itertuples(index=False)}
    # effective weights of the small framework: A 2/3 (a1 1/4, a2 3/4 of it), b 1/3
    assert rows[("eff_weight", "IX", "a2")] == pytest.approx(0.5)
    assert rows[("eff_weight", "IX", "b")] == pytest.approx(1 / 3)
    assert ("corr_parent", "A", "a1") in rows and ("cronbach", "A", "") in rows
    assert ("pca_abs_load", "IX", "b") in rows and ("main_effect", "IX", "A") in rows
    # var shares over the 4 units with the index and both dimensions present sum to 1
    shares = table[table.kind == "var_share"].value.astype(float)
    assert shares.sum() == pytest.approx(1.0)
    assert "wrote the audit of 5 units" in capsys.readouterr().err


def test_it_writes_to_standard_output_without_o(tmp_path, capsys) -> None:
    fw, data = files(tmp_path, DATA)
    assert main(["index", "audit", fw, data]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert set(table.kind) == KINDS and len(table) == 20


def test_it_prints_weight_warnings_on_stderr(tmp_path, capsys) -> None:
    # b carries a third of the nominal weight; with --factor 1.01 any gap is reported
    fw, data = files(tmp_path, DATA)
    assert main(["index", "audit", fw, data, "--factor", "1.01"]) == 0
    err = capsys.readouterr().err
    assert "qiangji: weight warning: A: nominal weight 66.7% but share of the variance of the index" in err
    assert main(["index", "audit", fw, data, "--factor", "100"]) == 0
    assert "weight warning" not in capsys.readouterr().err


def test_it_reports_degenerate_figures_as_warnings(tmp_path, capsys) -> None:
    # a constant a1 normalises to NaN (min-max of a zero range), so it shares no unit with A
    fw, data = files(tmp_path, "unit,a1,a2,b\nU1,1,5,6\nU2,1,4,3\nU3,1,1,9\nU4,1,3,2\n")
    with pytest.warns(DegenerateDataWarning, match="min-max of a constant column"):
        assert main(["index", "audit", fw, data]) == 0
    captured = capsys.readouterr()
    assert "qiangji: warning: correlation (a1 with A): fewer than 2 units have both values" in captured.err
    assert "qiangji: warning: PCA of A: fewer than 2 units have every value" in captured.err
    table = pd.read_csv(io.StringIO(captured.out), keep_default_na=False)
    assert table[(table.kind == "corr_parent") & (table.item == "a1")].value.tolist() == [""]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--factor", "1"], "`--factor` must be a number greater than 1, got 1"),
        (["--normalise", "nope"], "nope"),
    ],
)
def test_it_exits_2_with_one_line_on_bad_options(tmp_path, capsys, args, message) -> None:
    fw, data = files(tmp_path, DATA)
    assert main(["index", "audit", fw, data, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.startswith("qiangji: error:")


def test_it_exits_2_on_bad_data_like_compute(tmp_path, capsys) -> None:
    fw, data = files(tmp_path, "unit,a1,a2,b\nU1,x,5,6\n")
    assert main(["index", "audit", fw, data]) == 2
    assert "row 2, column `a1`: value must be a number, got 'x'" in capsys.readouterr().err
    assert main(["index", "audit", fw, str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "`data` must be a readable CSV or XLSX file" in err
