"""`qiangji index compute|uncertainty --period-fraction F`: quarterly runs with per-year targets."""

from __future__ import annotations

import pandas as pd
import pytest

from qiangji.cli import main
from tests.core.index.conftest import TZ_FRAMEWORK
from tests.core.index.test_period import tz_quarter


@pytest.fixture
def data(tmp_path) -> str:
    path = tmp_path / "q.csv"
    tz_quarter().to_csv(path, index=False)
    return str(path)


def compute(tmp_path, data: str, *args: str) -> pd.DataFrame:
    out = tmp_path / "out.csv"
    assert main(["index", "compute", str(TZ_FRAMEWORK), data, "-o", str(out), *args]) == 0
    return pd.read_csv(out)


def score(table: pd.DataFrame, unit: str, node: str) -> float:
    return float(table[(table.unit == unit) & (table.node == node)].score.iloc[0])


def test_it_pro_rates_the_yearly_targets_of_a_quarter(tmp_path, data) -> None:
    # unit A trained 12 h: a quarter's target is 40/4 = 10 h → 100; over a year 12/40 → 30
    # (docs/domain.md#indicators)
    quarter = compute(tmp_path, data, "--period-fraction", "0.25")
    year = compute(tmp_path, data)
    assert score(quarter, "A", "D3.3") == 100.0
    assert score(year, "A", "D3.3") == 30.0
    index = quarter[quarter.node == "TZ-CAP"].set_index("unit")["rank"]
    assert index.to_dict() == {"A": 1, "B": 2, "C": 3}
    for spelling in ("1/4", "quarter", " Quarter "):
        assert compute(tmp_path, data, "--period-fraction", spelling).equals(quarter)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("25", "`period_fraction` must be in (0, 1]"),
        ("abc", "`--period-fraction` must be a number, a ratio such as 1/4 or one of year"),
        ("1/0", "`--period-fraction` must be a number"),
    ],
)
def test_it_rejects_a_bad_period_fraction(tmp_path, data, capsys, value: str, message: str) -> None:
    assert main(["index", "compute", str(TZ_FRAMEWORK), data, "--period-fraction", value]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_it_checks_a_quarter_against_the_quarters_bounds(tmp_path, capsys) -> None:
    path = tmp_path / "bad.csv"
    tz_quarter().assign(**{"D3.3": [60, 6, 2]}).to_csv(path, index=False)
    assert main(["index", "compute", str(TZ_FRAMEWORK), str(path), "--period-fraction", "0.25"]) == 2
    err = capsys.readouterr().err
    assert (
        "row 2, column `D3.3`: value must be within the bounds of D3.3 per quarter [0, 50] "
        "(per year [0, 200] × 0.25), got 60"
    ) in err
    assert main(["index", "compute", str(TZ_FRAMEWORK), str(path)]) == 0  # 60 h is fine for a year


def test_it_runs_the_uncertainty_of_a_quarter_with_the_same_targets(tmp_path, data) -> None:
    out = tmp_path / "unc.csv"
    args = ["index", "uncertainty", str(TZ_FRAMEWORK), data, "--runs", "8", "-o", str(out)]
    assert main([*args, "--period-fraction", "quarter"]) == 0
    table = pd.read_csv(out).set_index("unit")
    nominal = compute(tmp_path, data, "--period-fraction", "quarter")
    ranks = nominal[nominal.node == "TZ-CAP"].set_index("unit")["rank"]
    # nothing varies: every replication, and so the median, is the quarterly nominal rank (A first)
    assert table["rank"].to_dict() == ranks.to_dict() == table["rank_median"].to_dict()
    assert main(args) == 0
    assert pd.read_csv(out).set_index("unit")["rank"].to_dict() != ranks.to_dict()  # a year ranks B first
