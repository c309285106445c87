"""A sheet's cells read column by column: each column factorised into its distinct raw values, each distinct
value read once (:func:`~qiangji.web.excel.rows.read_cell`, the row reader's own function) and cleaned once
(the model field's ``clean``), the answers spread back to the rows with numpy.

The column import (:mod:`qiangji.web.excel.fast`) uses these answers only to decide which rows are clean;
every row with any problem is read again by the row reader, whose messages the report keeps. So a shortcut
here may flag a clean row (it is then read again, a little slower) but must never pass a bad one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from qiangji.web.excel import cells as c
from qiangji.web.excel.bulk import _as_stored
from qiangji.web.excel.reader import Header
from qiangji.web.excel.rows import read_cell
from qiangji.web.excel.spec import Column, Kind, TableSpec

#: A column with more distinct texts than this has its TEXT and CODE cells read with pandas' string
#: methods (the same ``str.strip`` and NFKC calls as :mod:`~qiangji.web.excel.cells`), not one by one.
VECTOR_FROM = 256

OK, SKIP, BAD = 0, 1, 2  # a cell's outcome: a value, blank (the field keeps its default), an error


@dataclass
class Distinct:
    """One column of raw cells as ``uniques[codes]``."""

    codes: np.ndarray[Any, np.dtype[np.int64]]
    uniques: list[Any]
    stripped: pd.Series | None = None  # the distinct texts stripped, when every one is text

    def take(self, per_unique: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return per_unique[self.codes]


def factorise(values: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], list[Any]]:
    """``values`` (one kind of hashable value, or None) as (codes, distinct values); None is the last
    distinct value when present (pandas would turn it into NaN)."""
    codes, uniques = pd.factorize(values)
    found = list(uniques)
    codes = np.asarray(codes, dtype=np.int64)
    missing = codes < 0
    if missing.any():
        codes[missing] = len(found)
        found.append(None)
    return codes, found


def _tag(raw: Any) -> tuple[Any, ...]:
    """A key that keeps apart what ``==`` joins (``1`` and ``True`` and ``1.0``; ``Decimal`` spellings)."""
    if isinstance(raw, Decimal):
        return (Decimal, str(raw))
    return (type(raw), raw) if raw == raw else (type(raw), "nan")


def distinct(values: np.ndarray[Any, Any]) -> Distinct:
    """``values`` factorised; pandas' hash table when every cell has one type (a CSV column: ``str``), a
    loop keyed by type and value otherwise (an xlsx column mixing numbers, text and error cells)."""
    types = set(map(type, values))
    if len(types) == 1 and types <= {str, float, int, bool}:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return Distinct(np.asarray(codes, dtype=np.int64), list(uniques))
    memo: dict[tuple[Any, ...], int] = {}
    uniques_list: list[Any] = []
    codes_list = []
    for raw in values:
        key = _tag(raw)
        code = memo.get(key)
        if code is None:
            code = memo[key] = len(uniques_list)
            uniques_list.append(raw)
        codes_list.append(code)
    return Distinct(np.asarray(codes_list, dtype=np.int64), uniques_list)


def _blanks(d: Distinct) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """``is_blank`` of each distinct value; for text only, ``str.strip`` run by pandas (kept for reading)."""
    if set(map(type, d.uniques)) == {str}:
        # str.strip mapped directly: pandas' .str.strip calls the same method through a lambda per text
        d.stripped = pd.Series(list(map(str.strip, d.uniques)), dtype=object)
        return (d.stripped == "").to_numpy(dtype=bool)
    return np.array([c.is_blank(u) for u in d.uniques], dtype=bool)


class SheetCells:
    """The sheet's non-empty data rows, every column factorised."""

    def __init__(self, frame: pd.DataFrame, header: Header) -> None:
        self.columns = list(header.columns)
        block = frame.iloc[header.data_start :, [header.columns[col] for col in self.columns]]
        raw = [block.iloc[:, i].to_numpy(dtype=object) for i in range(len(self.columns))]
        found = [distinct(values) for values in raw]
        blank = np.ones(len(block), dtype=bool)
        for d in found:
            blank &= d.take(_blanks(d))
        keep = np.flatnonzero(~blank)
        self.excel_rows = keep + header.data_start + 1
        self.raw = {col: values[keep] for col, values in zip(self.columns, raw, strict=True)}
        self.cells = {
            col: Distinct(d.codes[keep], d.uniques, d.stripped)
            for col, d in zip(self.columns, found, strict=True)
        }
        self.n = len(keep)


@dataclass
class Read:
    """One plain column's outcome per row: ``status`` (OK, SKIP, BAD) and the cleaned ``value``."""

    status: np.ndarray[Any, np.dtype[np.int8]]
    value: np.ndarray[Any, Any]


def read_plain(spec: TableSpec, column: Column, d: Distinct) -> Read:
    """Each distinct cell read and its value cleaned as ``full_clean`` would clean it (``OK``), left blank
    (``SKIP``), or refused by either (``BAD``)."""
    f = spec.model_field(column.target)
    n = len(d.uniques)
    status = np.full(n, OK, dtype=np.int8)
    value = np.empty(n, dtype=object)
    if _vectorisable(spec, column, f, d):
        _read_texts(spec, column, f, d, status, value)
    else:
        for i, raw in enumerate(d.uniques):
            status[i], value[i] = _one(spec, column, f, raw)
    return Read(d.take(status), d.take(value))


def _one(spec: TableSpec, column: Column, f: Any, raw: Any) -> tuple[int, Any]:
    outcome = read_cell(spec, column, raw)
    if outcome[0] == "skip":
        return SKIP, None
    if outcome[0] == "error":
        return BAD, None
    return clean_value(f, outcome[1])


def clean_value(f: Any, value: Any) -> tuple[int, Any]:
    """``f.clean`` as :meth:`qiangji.web.excel.bulk.Validator.clean_fields` calls it (a blank value of a
    field that may be blank is not cleaned; a related row found by a lookup exists)."""
    if f.blank and value in f.empty_values:
        return OK, value
    if f.is_relation and value is not None:
        return OK, value
    try:
        return OK, _as_stored(f, f.clean(value, None))
    except ValidationError:
        return BAD, None


def _vectorisable(spec: TableSpec, column: Column, f: Any, d: Distinct) -> bool:
    return (
        d.stripped is not None
        and len(d.uniques) > VECTOR_FROM
        and spec.kind_of(column) in (Kind.TEXT, Kind.CODE)
        and column.normalise is None
        and isinstance(f, models.CharField | models.TextField)
        and all(type(v) is MaxLengthValidator for v in f.validators)
    )


def _read_texts(
    spec: TableSpec, column: Column, f: Any, d: Distinct, status: np.ndarray[Any, Any], out: Any
) -> None:
    """Distinct texts of a text or code column: ``as_text`` is ``str.strip``, ``as_code`` NFKC then strip
    (only text that is not plain ASCII can change); a blank cell, an over-long or empty value or one outside
    the field's choices is read one by one."""
    uniques, texts = d.uniques, d.stripped
    assert texts is not None  # _vectorisable checked it
    if spec.kind_of(column) is Kind.CODE:
        wide = ~texts.map(str.isascii, na_action=None).to_numpy(dtype=bool)
        if wide.any():
            texts = texts.copy()
            texts[wide] = texts[wide].str.normalize("NFKC").str.strip()
    odd = (texts.str.len() > (f.max_length or np.inf)) | (texts == "")
    if f.choices:
        odd |= ~texts.isin([k for k, _label in f.flatchoices])
    out[:] = texts.to_numpy(dtype=object)
    for i in np.flatnonzero(odd.to_numpy(dtype=bool)):
        status[i], out[i] = _one(spec, column, f, uniques[i])


def clean_rows(f: Any, values: np.ndarray[Any, Any], rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Clean ``values[rows]`` in place (values kept from the stored row or the field's default); returns
    the rows whose value the field refuses."""
    memo: dict[tuple[Any, ...], tuple[int, Any]] = {}
    bad = []
    for i in rows:
        raw = values[i]
        try:
            key = _tag(raw)
            hash(key)
        except TypeError:  # a JSON list
            key = (type(raw), repr(raw))
        done = memo.get(key)
        if done is None:
            done = memo[key] = clean_value(f, raw)
        if done[0] == BAD:
            bad.append(i)
        else:
            values[i] = done[1]
    return np.asarray(bad, dtype=np.int64)


__all__ = [
    "BAD",
    "OK",
    "SKIP",
    "Distinct",
    "Read",
    "SheetCells",
    "clean_rows",
    "distinct",
    "factorise",
    "read_plain",
]
