"""The column-wise xlsx grid equals what pandas' ``read_excel`` gives, value for value and type for type;
whatever it does not handle is left to pandas; the formula and error-value hint stays as strict."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pandas as pd
import pytest

from qiangji.web.excel import grid, unreadable
from qiangji.web.excel.reader import read_workbook
from qiangji.web.excel.synthetic import certificate_rows, certificate_xlsx


def _save(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _by_pandas(data: bytes) -> dict[str, pd.DataFrame]:
    frames = pd.read_excel(
        io.BytesIO(data), sheet_name=None, header=None, dtype=object, engine="calamine", keep_default_na=False
    )
    return dict(frames)


def _typed(frame: pd.DataFrame) -> list[list[tuple[type, Any]]]:
    return [[(type(v), v) for v in row] for row in frame.itertuples(index=False)]


def _assert_same(mine: dict[str, pd.DataFrame], theirs: dict[str, pd.DataFrame]) -> None:
    assert list(mine) == list(theirs)
    for name, frame in theirs.items():
        ours = mine[name]
        assert ours.shape == frame.shape, name
        assert type(ours.columns) is type(frame.columns) and ours.columns.equals(frame.columns), name
        assert type(ours.index) is type(frame.index) and ours.index.equals(frame.index), name
        assert list(ours.dtypes) == list(frame.dtypes), name
        assert _typed(ours) == _typed(frame), name


def mixed_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "混合"
    sheet.append(["文本", "数", "日期", "真假", "空白"])
    sheet.append([1, 1.5, dt.date(2024, 1, 2), True, "x"])
    sheet.append([2.0, None, dt.datetime(2024, 1, 2, 3, 4), 1, " "])
    sheet.append([None, None, None, None, None])
    sheet.append([dt.time(3, 4), dt.timedelta(days=1), "2", 2, "NaN"])
    sheet.append([1, True, 1.0, False, 0])
    sheet.append([-0.0, 1e20, 3.25, "=1+1", "#N/A"])
    sheet.append(["1", 1, "1.0", 2.5, "全角１"])
    sheet.merge_cells("A9:B9")
    sheet["A9"] = "合并"
    sheet["G12"] = "远处"
    book.create_sheet("空表")
    narrow = book.create_sheet("一列")
    for value in ["x", None, " ", "y", 3]:
        narrow.append([value])
    return _save(book)


def test_mixed_cells_read_as_pandas_reads_them() -> None:
    data = mixed_workbook()
    frames = grid.read_frames(data)
    assert frames is not None
    _assert_same(frames, _by_pandas(data))


def test_generated_certificates_read_as_pandas_reads_them() -> None:
    data = certificate_xlsx(list(certificate_rows(300)))
    frames = grid.read_frames(data)
    assert frames is not None
    _assert_same(frames, _by_pandas(data))


def test_a_byte_order_mark_in_the_first_cell_is_left_to_pandas() -> None:
    book = openpyxl.Workbook()
    book.active.append(["\ufeff证书编号", "x"])
    book.active.append(["a", "b"])
    data = _save(book)
    assert grid.read_frames(data) is None
    _assert_same(read_workbook(io.BytesIO(data)), _by_pandas(data))


@pytest.mark.parametrize("data", [b"not a workbook", b"PK\x03\x04broken zip", b""])
def test_what_is_not_a_plain_workbook_is_left_to_pandas(data: bytes) -> None:
    assert grid.read_frames(data) is None


def test_every_hint_part_contains_a_prefix_searched_first() -> None:
    """The three cheap searches never pass a sheet that the precise ones would scan."""
    for part in unreadable.HINT_PARTS:
        assert any(prefix in part for prefix in unreadable.HINT_PREFIXES), part


def test_error_values_and_formulas_still_found_in_the_fast_grid() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b"])
    sheet.append(["=B3*2", 1])
    sheet["B3"] = "#DIV/0!"
    sheet["B3"].data_type = "e"
    frames = read_workbook(io.BytesIO(_save(book)))
    frame = frames[sheet.title]
    assert isinstance(frame.iat[1, 0], unreadable.Unreadable)
    assert isinstance(frame.iat[2, 1], unreadable.Unreadable)
