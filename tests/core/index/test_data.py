import numpy as np
import pandas as pd
import pytest

from qiangji.core.errors import InputError
from qiangji.core.index import data_from_frame, load_data


def write(tmp_path, text: str, name: str = "data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def errors_of(fn) -> list[str]:
    with pytest.raises(InputError) as exc:
        fn()
    return exc.value.errors


def test_it_reads_a_wide_csv(small, tmp_path) -> None:
    p = write(tmp_path, "unit,name,a1,a2,b\nU1,甲所（示例）,1,5,6\n U2 ,乙,２, ,3\n")
    d = load_data(p, small)
    assert d.units == ("U1", "U2")
    assert d.names == ("甲所（示例）", "乙")
    np.testing.assert_array_equal(d.values, [[1, 5, 6], [2, np.nan, 3]])
    assert not d.values.flags.writeable


def test_it_reads_thousands_separators_and_rejects_infinity(small, tmp_path) -> None:
    p = write(tmp_path, 'unit,a1,a2,b\nU1,"1,234",inf,1\n')
    errors = errors_of(lambda: load_data(p, small))
    assert errors == ["row 2, column `a2`: value must be a number, got 'inf'"]
    ok = write(tmp_path, 'unit,a1,a2,b\nU1,"1,234",2,1\n', "ok.csv")
    assert load_data(ok, small).values[0, 0] == 1234.0


def test_it_reads_a_long_csv(small, tmp_path) -> None:
    p = write(tmp_path, "unit,indicator,value\nU1,a1,1\nU1,a2,5\nU1,b,6\nU2,a1,2\nU2,b,3\n")
    d = load_data(p, small)
    np.testing.assert_array_equal(d.values, [[1, 5, 6], [2, np.nan, 3]])


def test_it_reads_wide_and_long_xlsx(small, tmp_path) -> None:
    wide = pd.DataFrame({"unit": ["U1", "U2"], "a1": [1, 2], "a2": [5, None], "b": [6, 3]})
    wide.to_excel(tmp_path / "w.xlsx", index=False)
    long = wide.melt(id_vars="unit", var_name="indicator", value_name="value").dropna()
    long.to_excel(tmp_path / "l.xlsx", index=False)
    for name in ("w.xlsx", "l.xlsx"):
        d = load_data(tmp_path / name, small)
        np.testing.assert_array_equal(d.values, [[1, 5, 6], [2, np.nan, 3]])


def test_it_reports_every_bad_cell_with_row_and_column(small, tmp_path) -> None:
    p = write(tmp_path, "unit,a1,a2,b,zz\nU1,1,abc,11\nU1,2,3,4\n,1,1,12%\n")
    errors = errors_of(lambda: load_data(p, small, units=["U1", "U2"]))
    expected = [
        "column `zz`: not an indicator of framework IX",
        "row 2, column `a2`: value must be a number, got 'abc'",
        "row 2, column `b`: value must be within the bounds of b [0, 10], got 11",
        "row 4, column `b`: value must be a number, got '12%'",
        "row 3, column `unit`: duplicate of row 2 (U1)",
        "row 4, column `unit`: unit code must not be empty",
    ]
    for text in expected:
        assert any(text in e for e in errors), (text, errors)
    assert len(errors) == len(expected)


def test_it_rejects_unknown_units_and_indicators_in_long_data(small, tmp_path) -> None:
    p = write(tmp_path, "unit,indicator,value\nU1,a1,1\nU9,a2,2\nU1,q,3\nU1,a1,4\n")
    errors = errors_of(lambda: load_data(p, small, units=["U1"]))
    for text in (
        "row 3, column `unit`: unknown unit 'U9'",
        "row 4, column `indicator`: unknown indicator 'q'",
        "row 5, column `unit`: duplicate of row 2 (U1, a1)",
        "indicator `b` of framework IX has no rows",
    ):
        assert any(text in e for e in errors), (text, errors)


def test_it_reports_a_missing_indicator_column(small) -> None:
    frame = pd.DataFrame({"unit": ["U1"], "a1": [1], "b": [2]})
    assert errors_of(lambda: data_from_frame(frame, small)) == [
        "column `a2`: indicator of framework IX is missing from the data"
    ]


def test_it_keeps_earlier_periods_as_history(small) -> None:
    frame = pd.DataFrame(
        {
            "unit": ["U1", "U2", "U1", "U2"],
            "period": ["2025Q3", "2025Q3", "2025Q4", "2025Q4"],
            "a1": [1, 2, 3, None],
            "a2": [1, 1, 1, 1],
            "b": [1, 2, 3, 4],
        }
    )
    d = data_from_frame(frame, small)
    assert d.period == "2025Q4"
    np.testing.assert_array_equal(d.values[:, 0], [3, np.nan])
    assert d.history is not None and d.history.shape == (1, 2, 3)
    np.testing.assert_array_equal(d.history[0, :, 0], [1, 2])
    earlier = data_from_frame(frame, small, period="2025Q3")
    np.testing.assert_array_equal(earlier.values[:, 0], [1, 2])
    assert earlier.history is None
