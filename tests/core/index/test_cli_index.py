"""`qiangji index compute` through `qiangji.cli.main`."""

import pandas as pd

from qiangji.cli import main
from tests.core.index.conftest import TZ_FRAMEWORK

SMALL_YAML = """
code: IX
name: {zh: 小指数, en: Small index}
version: "1"
nodes:
  - code: A
    weight: 2
    children:
      - {code: a1, direction: 1, weight: 1}
      - {code: a2, direction: -1, weight: 3}
  - {code: b, direction: 1, weight: 1, bounds: [0, 10]}
"""


def files(tmp_path, data: str):
    fw = tmp_path / "fw.yaml"
    fw.write_text(SMALL_YAML, encoding="utf-8")
    d = tmp_path / "data.csv"
    d.write_text(data, encoding="utf-8")
    return str(fw), str(d)


def test_it_writes_the_long_csv(tmp_path) -> None:
    fw, data = files(tmp_path, "unit,a1,a2,b\nU1,1,5,6\nU2,2,,3\nU3,3,1,9\nU4,5,3,\n")
    out = tmp_path / "out.csv"
    assert main(["index", "compute", fw, data, "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["unit", "node", "level", "score", "rank"]
    top = table[table.node == "IX"].set_index("unit")
    # hand example of test_pipeline.py: 50/3, 50/3, 275/3, 62.5 → ranks 3, 3, 1, 2
    assert top["rank"].tolist() == [3, 3, 1, 2]
    assert top.loc["U4", "score"] == 62.5
    assert set(table.level) == {1, 2, 3}


def test_it_prints_a_ranking_table(tmp_path, capsys) -> None:
    fw, data = files(tmp_path, "unit,name,a1,a2,b\nU1,甲,1,5,6\nU2,乙,2,,3\nU3,丙,3,1,9\n")
    assert main(["index", "compute", fw, data]) == 0
    out = capsys.readouterr().out
    assert "小指数" in out
    # a1 → 0, 50, 100; a2 → 0, –, 100; b → 50, 0, 100; A → 0, 50, 100; IX → 50/3, 100/3, 100
    lines = [line.split() for line in out.splitlines() if line.strip().startswith(("1 ", "2 ", "3 "))]
    assert [line[1:4] for line in lines] == [
        ["U3", "丙", "100.00"],
        ["U2", "乙", "33.33"],
        ["U1", "甲", "16.67"],
    ]


def test_it_applies_method_overrides(tmp_path) -> None:
    fw, data = files(tmp_path, "unit,a1,a2,b\nU1,1,5,6\nU2,2,4,3\nU3,3,1,9\n")
    out = tmp_path / "out.csv"
    args = ["index", "compute", fw, data, "-o", str(out), "--normalise", "minmax:low=1,high=100"]
    assert main([*args, "--aggregate", "geometric"]) == 0
    table = pd.read_csv(out)
    assert table[table.level == 1].score.min() == 1.0


def test_it_exits_2_with_every_message_and_no_traceback(tmp_path, capsys) -> None:
    fw, data = files(tmp_path, "unit,a1,a2,b,zz\nU1,x,5,60\nU1,2,,3\n")
    assert main(["index", "compute", fw, data]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for text in (
        "column `zz`",
        "row 2, column `a1`: value must be a number, got 'x'",
        "row 2, column `b`: value must be within the bounds",
        "row 3, column `unit`: duplicate of row 2",
    ):
        assert text in err


def test_it_reports_framework_errors(tmp_path, capsys) -> None:
    fw = tmp_path / "fw.yaml"
    fw.write_text(
        "code: IX\nnodes:\n  - {code: a, weight: -1}\n  - {code: G, children: []}\n", encoding="utf-8"
    )
    data = tmp_path / "d.csv"
    data.write_text("unit,a\nU1,1\n", encoding="utf-8")
    assert main(["index", "compute", str(fw), str(data)]) == 2
    err = capsys.readouterr().err
    assert "node `a`: `weight` must be a positive number, got -1" in err
    assert "node `a`: `direction` must be given" in err
    assert "node `G`: a group must have a non-empty list of `children`" in err


def test_it_computes_the_taizhou_framework(tmp_path, capsys) -> None:
    rows = [
        {"unit": f"TZ0{k}", **{code: 1 for code in ("D1.1", "D1.3", "D2.1", "D3.2", "D4.1", "D4.2", "D5.3")}}
        for k in range(1, 4)
    ]
    frame = pd.DataFrame(rows)
    for code in (
        "D1.2",
        "D2.3",
        "D3.1",
        "C1.1",
        "C1.2",
        "C2.2",
        "C2.3",
        "C3.1",
        "C3.2",
        "C3.3",
        "C4.1",
        "C4.2",
        "C4.3",
        "C4.4",
    ):
        frame[code] = [100, 80, 40]
    for code in ("D2.2", "D3.3", "D4.3", "D4.4", "D5.2", "C2.1"):
        frame[code] = [50 if code == "D3.3" else 6, 1, 0]
    frame["D5.1"] = [3, 1, 0]
    frame["C1.3"] = [0, 1, 5]
    data = tmp_path / "tz.xlsx"
    frame.to_excel(data, index=False)
    out = tmp_path / "out.csv"
    assert main(["index", "compute", str(TZ_FRAMEWORK), str(data), "-o", str(out)]) == 0
    table = pd.read_csv(out)
    top = table[table.node == "TZ-CAP"].set_index("unit")
    assert top["rank"].tolist() == [1, 2, 3]
    # TZ01 meets every target and is at the top of every min-max (all equal → constant: high): 100 points
    assert top.loc["TZ01", "score"] == 100.0
    assert table.level.max() == 4
