"""The sheets of an xlsx workbook as raw grids, built column by column.

``pandas.read_excel(header=None, dtype=object, engine="calamine", keep_default_na=False)`` converts every
cell with a Python function and then runs its text parser over the rows: three quarters of the time of
reading a 100,000-row sheet. Here calamine's rows are turned into columns at once, only columns holding
numbers or dates are converted cell by cell (with pandas' own rules: a whole number read as ``float``
becomes ``int``, a date a ``datetime``), and each column goes through the same ``sanitize_objects`` call as
pandas' parser, so the frames are equal value for value and type for type (tests compare them).

Anything this path does not handle as pandas would (not a plain xlsx, ragged rows, a byte-order mark in the
first cell, calamine refusing the file) returns None: the caller then reads the file with pandas, which
gives its own answer or error.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import numpy as np
import pandas as pd
from pandas._libs import parsers  # type: ignore[attr-defined]
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

#: Cell types calamine gives that pandas keeps as they are.
KEPT = frozenset({str, int, bool, dt.datetime, dt.time, dt.timedelta})


def read_frames(data: bytes) -> dict[str, pd.DataFrame] | None:
    """Every worksheet of an xlsx file as pandas would read it, or None (read it with pandas)."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            if "xl/workbook.xml" not in book.namelist():
                return None
        workbook = CalamineWorkbook.from_object(io.BytesIO(data))
        names = [s.name for s in workbook.sheets_metadata if s.typ == SheetTypeEnum.WorkSheet]
        frames = {}
        for name in names:
            frame = _frame(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            if frame is None:
                return None
            frames[name] = frame
    except (CalamineError, zipfile.BadZipFile, ValueError, OSError):
        return None
    return frames


def _frame(rows: list[list[Any]]) -> pd.DataFrame | None:
    if not rows:
        return pd.DataFrame()
    width = len(rows[0])
    first = rows[0][0] if width else None
    marked = isinstance(first, str) and first[:1] == "\ufeff"  # pandas strips a byte-order mark there
    if not width or marked or any(len(row) != width for row in rows):
        return None
    cells = np.array(rows, dtype=object)
    if cells.shape != (len(rows), width):
        return None
    columns = {}
    for j in range(width):
        values = cells[:, j].copy()
        types = set(map(type, values))
        if not types <= KEPT:
            values[:] = [_convert(v) for v in values]
        if types != {str}:  # equal texts are interchangeable: pandas' call would change nothing
            parsers.sanitize_objects(values, set())
        columns[j] = values
    frame = pd.DataFrame(columns, dtype=object, copy=False)
    frame.columns = pd.Index(np.arange(width, dtype=np.int64))
    return frame


def _convert(value: Any) -> Any:
    """pandas' conversion of a calamine cell (``pandas.io.excel._calamine``)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.datetime | dt.timedelta | dt.time):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value


__all__ = ["read_frames"]
