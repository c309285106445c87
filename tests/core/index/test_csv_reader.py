"""Data CSV files read with the ``csv`` module (`read_cells`), cell for cell as pandas reads them, so that
`qiangji index compute` starts without loading pandas (issue 17)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qiangji.core.errors import InputError
from qiangji.core.index import data_from_frame, load_framework
from qiangji.core.index.data import Table, read_cells, read_table
from tests.core.index.test_cli_index import SMALL_YAML

TRICKY = (
    "\ufeffunit, a1 ,a2,b,,a2,ｂ２\n"  # BOM, spaces, an unnamed column, a repeated name, a full-width name
    "U1,1,5,6,x,7,8\n"
    "\n"  # a blank line
    'U2, 2,"1,000",3,,,\n'  # a leading space, a quoted comma, empty cells
    "U3,３,NA,#N/A\n"  # a short row, a full-width digit
    '"U4",12%,abc, 1e2 ,y,z,w\n'
)


def _cells(table: Table) -> dict[str, list[Any]]:
    """Missing cells (NaN from pandas, None from the csv module) as None."""
    return {
        name: [None if isinstance(v, float) and math.isnan(v) else v for v in values]
        for name, values in table.cells.items()
    }


def test_it_reads_a_csv_cell_for_cell_as_pandas_does(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(TRICKY, encoding="utf-8")
    ours, theirs = read_cells(path), Table.of(read_table(path))
    assert ours.columns == theirs.columns
    assert ours.columns == ["unit", "a1", "a2", "b", "Unnamed: 4", "a2.1", "b2"]
    assert len(ours) == len(theirs) == 4
    assert _cells(ours) == _cells(theirs)


def test_it_validates_the_same_from_a_file_and_from_a_dataframe(tmp_path: Path) -> None:
    fw_path, path = tmp_path / "fw.yaml", tmp_path / "data.csv"
    fw_path.write_text(SMALL_YAML, encoding="utf-8")
    path.write_text('unit,a1,a2,b\nU1,1,5,6\nU2, ２ ,,3\nU3,"1,000",1,9\nU4,5,3,NA\n', encoding="utf-8")
    fw = load_framework(fw_path)
    ours, theirs = data_from_frame(read_cells(path), fw), data_from_frame(read_table(path), fw)
    assert ours.units == theirs.units and ours.values.tobytes() == theirs.values.tobytes()
    assert ours.values[1, 0] == 2.0 and ours.values[2, 0] == 1000.0 and np.isnan(ours.values[3, 2])
    path.write_text("unit,a1,a2,b\nU1,12%,5,6\nU2,abc,,3\n", encoding="utf-8")
    with pytest.raises(InputError) as ours_error:
        data_from_frame(read_cells(path), fw)
    with pytest.raises(InputError) as theirs_error:
        data_from_frame(read_table(path), fw)
    assert ours_error.value.errors == theirs_error.value.errors
    assert "row 2, column `a1`: value must be a number, got '12%'" in ours_error.value.errors


def test_it_names_the_row_longer_than_the_header(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("unit,a1\nU1,1\nU2,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"data\.csv: row 3 has 3 fields, more than the header's 2"):
        read_cells(path)


def test_index_compute_loads_neither_pandas_nor_django(tmp_path: Path) -> None:
    fw_path, path, out = tmp_path / "fw.yaml", tmp_path / "data.csv", tmp_path / "out.csv"
    fw_path.write_text(SMALL_YAML, encoding="utf-8")
    path.write_text("unit,a1,a2,b\nU1,1,5,6\nU2,2,,3\nU3,3,1,9\n", encoding="utf-8")
    script = (
        "import sys; from qiangji.cli import main\n"
        f"assert main(['index', 'compute', {str(fw_path)!r}, {str(path)!r}, '-o', {str(out)!r}]) == 0\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'django', 'scipy'}))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert out.read_text(encoding="utf-8").startswith("unit,node,level,score,rank\n")
