"""Indicator data from CSV or XLSX, wide or long (docs/design.md#data-file), checked against a framework.

Wide: a ``unit`` column, optional ``name`` and ``period`` columns, unit-attribute columns (for group
imputation), then one column per indicator code. Long: ``unit, indicator, value`` (optional ``period``).
Row numbers in messages are spreadsheet rows (the header is row 1). Every problem is collected — unknown
units, indicators or columns, duplicates, non-numeric cells, values outside an indicator's bounds — and
one ``InputError`` lists them all.

Cells are read leniently where it is safe: surrounding spaces are dropped and full-width digits
(``１２``) are folded to ASCII (Unicode NFKC); an empty cell, ``NA``, ``N/A`` or ``#N/A`` is missing.
Anything else that is not a number (``12%``, ``abc``) is an error: percentages are entered as numbers.

Bounds are the framework's: for a framework compiled for a period (``Framework.for_period``), a ``per:
year`` flow indicator's bounds are the yearly ones × the period fraction (a quarter's training hours
within [0, 50] for a yearly [0, 200]), and the message says so.

With a ``period`` column the latest period (in sort order, e.g. ``2025Q4`` after ``2025Q3``) is computed
unless ``period`` is given; the earlier periods are kept as history for the ``last`` imputation.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from qiangji.core.errors import InputError
from qiangji.core.index.framework import Framework
from qiangji.core.index.methods._arrays import FloatArray
from qiangji.core.index.period import period_name

if TYPE_CHECKING:  # pandas only for XLSX files and DataFrame callers: `qiangji index` starts without it
    import pandas as pd

MISSING = frozenset({"", "na", "n/a", "#n/a", "nan", "null"})
RESERVED = ("unit", "name", "period")
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


@dataclass(frozen=True, eq=False)
class IndexData:
    """Validated indicator data for one period, aligned with a framework's indicators."""

    units: tuple[str, ...]
    indicators: tuple[str, ...]
    values: FloatArray
    """``(units, indicators)``; NaN = missing."""
    names: tuple[str, ...] | None = None
    attributes: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    history: FloatArray | None = None
    """Earlier periods ``(periods, units, indicators)``, oldest first, or None."""
    period: str | None = None
    period_fraction: float | None = None
    """The period fraction of the framework whose bounds the values were checked against (None: unknown)."""
    targets: FloatArray | None = None
    """Per-unit targets ``(units, indicators)`` in the framework file's terms, NaN = the framework's value
    (`qiangji.core.index.targets`); None: none."""


@dataclass(frozen=True, eq=False)
class Table:
    """The cells of a data file column by column, as read (no type guessing), header stripped."""

    columns: list[str]
    cells: dict[str, list[Any]]  # the first column of a name, as a DataFrame's ``frame[name]`` would be
    rows: int

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Table:
        columns = [str(c) for c in frame.columns]
        cells: dict[str, list[Any]] = {}
        for i, name in enumerate(columns):
            cells.setdefault(name, frame.iloc[:, i].tolist())
        return cls(columns, cells, len(frame))

    def __len__(self) -> int:
        return self.rows


def load_data(
    path: str | Path,
    framework: Framework,
    *,
    units: Iterable[str] | None = None,
    period: str | None = None,
    attributes: Sequence[str] = (),
) -> IndexData:
    """Read a CSV or XLSX file and validate it (see the module docstring)."""
    return data_from_frame(read_cells(path), framework, units=units, period=period, attributes=attributes)


def read_table(path: str | Path) -> pd.DataFrame:
    """The cells of a CSV or XLSX file as objects (no type guessing), header stripped."""
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise InputError(f"`data` must be a readable CSV or XLSX file, got {str(p)!r}")
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
            frame = pd.read_excel(p, engine="calamine", dtype=object, header=0)
        else:
            frame = pd.read_csv(
                p, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True
            )
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"`data` must be a CSV (UTF-8) or XLSX file, got {p.name}: {exc}") from None
    frame.columns = [unicodedata.normalize("NFKC", str(c)).strip() for c in frame.columns]
    return frame


def read_cells(path: str | Path) -> Table:
    """The cells of a CSV (the ``csv`` module: pandas is not loaded) or XLSX file, header stripped."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"`data` must be a readable CSV or XLSX file, got {str(p)!r}")
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
            import pandas as pd

            table = Table.of(pd.read_excel(p, engine="calamine", dtype=object, header=0))
        else:
            table = _read_csv(p)
    except (ValueError, OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"`data` must be a CSV (UTF-8) or XLSX file, got {p.name}: {exc}") from None
    columns = [unicodedata.normalize("NFKC", c).strip() for c in table.columns]
    cells: dict[str, list[Any]] = {}
    for name, old in zip(columns, table.columns, strict=True):
        cells.setdefault(name, table.cells[old])
    return Table(columns, cells, table.rows)


def _read_csv(path: Path) -> Table:
    """A CSV file's cells as strings, as ``pandas.read_csv(dtype=str, keep_default_na=False,
    skipinitialspace=True)`` reads them: blank lines skipped, a short row's missing cells empty, a
    nameless column ``Unnamed: i``, a repeated name ``name.1``; a row longer than the header an error."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = [row for row in csv.reader(fh, skipinitialspace=True) if row]
    if not lines:
        raise ValueError("no columns to parse from the file")
    header = _column_names(lines[0])
    body = lines[1:]
    width = len(header)
    for n, row in enumerate(body, start=2):
        if len(row) > width:
            raise ValueError(f"row {n} has {len(row)} fields, more than the header's {width}")
        row.extend([""] * (width - len(row)))
    columns = list(zip(*body, strict=True)) if body else [() for _ in header]
    return Table(header, {name: list(col) for name, col in zip(header, columns, strict=True)}, len(body))


def _column_names(row: list[str]) -> list[str]:
    names: list[str] = []
    counts: dict[str, int] = {}
    for i, raw in enumerate(row):
        base = name = raw or f"Unnamed: {i}"
        while name in counts:  # pandas' mangling of repeated names: a, a.1, a.2
            counts[base] += 1
            name = f"{base}.{counts[base]}"
        counts[name] = 0
        names.append(name)
    return names


def data_from_frame(
    frame: pd.DataFrame | Table,
    framework: Framework,
    *,
    units: Iterable[str] | None = None,
    period: str | None = None,
    attributes: Sequence[str] = (),
) -> IndexData:
    """Validate a wide or long DataFrame or :class:`Table` (rows numbered as in a spreadsheet: first data
    row = 2)."""
    if not isinstance(frame, Table):
        frame = Table.of(frame)
    cols = {str(c).strip().lower(): str(c) for c in frame.columns}
    if "unit" not in cols:
        raise InputError(f"`data` must have a `unit` column, got columns {list(frame.columns)}")
    long = "indicator" in cols and "value" in cols
    known = None if units is None else set(units)
    wanted = set(attributes) | _group_attributes(framework) | set(framework.rules.facts)
    cells = _long_cells(frame, cols, framework) if long else _wide_cells(frame, cols, framework, wanted)
    return _assemble(frame, cols, framework, cells, known, period, wanted if not long else set())


def _group_attributes(fw: Framework) -> set[str]:
    return {str(spec.params["by"]) for spec, _ in fw.plan["impute"] if "by" in spec.params}


@dataclass
class _Cells:
    """Parsed cells (spreadsheet row, indicator column, value) of the non-missing values, and the errors."""

    errors: list[str] = field(default_factory=list)
    rows: list[NDArray[np.int64]] = field(default_factory=list)
    cols: list[NDArray[np.int64]] = field(default_factory=list)
    vals: list[FloatArray] = field(default_factory=list)

    def arrays(self) -> tuple[NDArray[np.int64], NDArray[np.int64], FloatArray]:
        """The cells as three aligned arrays."""
        if not self.rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(self.rows), np.concatenate(self.cols), np.concatenate(self.vals)


def _parse(cell: Any) -> tuple[float | None, bool]:
    """One cell: (value, or None for missing; ok)."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None, True
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell), math.isfinite(cell)
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    if text.lower() in MISSING:
        return None, True
    if THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        v = float(text)
    except ValueError:
        return None, False
    return v, math.isfinite(v)


def _parse_many(raw: Sequence[Any]) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Values (NaN = missing or bad) and the mask of bad cells; plain numbers take a vectorised path."""
    values = _plain_numbers(raw)
    bad = np.zeros(values.shape, dtype=bool)
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        v, ok = _parse(raw[i])
        values[i] = np.nan if v is None or not ok else v
        bad[i] = not ok
    return values, bad


def _plain_numbers(raw: Sequence[Any]) -> FloatArray:
    """Each cell that is a plain number as a float, anything else NaN or infinite (then `_parse` decides
    it). A column of strings converts at once (numpy parses each as ``float()`` does, correctly rounded)."""
    if all(type(c) is str for c in raw):
        try:
            return np.array([c or "nan" for c in raw], dtype=np.float64)
        except ValueError:  # one odd cell (``12%``, ``1,000``): cell by cell
            pass
    return np.array([_float_or_nan(c) for c in raw], dtype=np.float64)


def _float_or_nan(cell: Any) -> float:
    try:
        return float(cell)
    except (TypeError, ValueError):
        return math.nan


def _add(
    cells: _Cells, fw: Framework, rows: NDArray[np.int64], col: int, raw: Sequence[Any], where: str
) -> None:
    """Parse one indicator's cells, report bad and out-of-bounds values, keep the good ones."""
    values, bad = _parse_many(raw)
    cells.errors += [
        f"row {rows[i]}, column `{where}`: value must be a number, got {str(raw[i])!r}"
        for i in np.flatnonzero(bad).tolist()
    ]
    out = _outside(fw, col, values)
    cells.errors += [
        f"row {rows[i]}, column `{where}`: value must be within the bounds of {bounds_text(fw, col)}, "
        f"got {_fmt(float(values[i]), '')}"
        for i in np.flatnonzero(out).tolist()
    ]
    keep = ~np.isnan(values)
    cells.rows.append(rows[keep])
    cells.cols.append(np.full(int(keep.sum()), col, dtype=np.int64))
    cells.vals.append(values[keep])


def _outside(fw: Framework, col: int, values: FloatArray) -> NDArray[np.bool_]:
    lo, hi = fw.node(fw.indicators[col]).bounds or (None, None)
    with np.errstate(invalid="ignore"):
        out: NDArray[np.bool_] = (values < (-np.inf if lo is None else lo)) | (
            values > (np.inf if hi is None else hi)
        )
    return out


def bounds_text(fw: Framework, col: int) -> str:
    """``D3.3 [0, 200]``, or for a pro-rated flow ``D3.3 per quarter [0, 50] (per year [0, 200] × 0.25)``."""
    node = fw.node(fw.indicators[col])
    lo, hi = node.bounds or (None, None)
    text = f"[{_fmt(lo, '-inf')}, {_fmt(hi, 'inf')}]"
    if node.per is None:
        return f"{node.code} {text}"
    f = fw.period_fraction
    if f == 1.0:
        return f"{node.code} per {node.per} {text}"
    ylo, yhi = (None if v is None else v / f for v in (lo, hi))
    yearly = f"[{_fmt(ylo, '-inf')}, {_fmt(yhi, 'inf')}]"
    return f"{node.code} per {period_name(f)} {text} (per {node.per} {yearly} × {f:g})"


def check_bounds(fw: Framework, data: IndexData) -> None:
    """Raise ``InputError`` listing every value of ``data`` outside ``fw``'s bounds (unit and indicator)."""
    errors = []
    for col, code in enumerate(fw.indicators):
        bad = np.flatnonzero(_outside(fw, col, data.values[:, col])).tolist()
        errors += [
            f"unit {data.units[i]!r}, indicator `{code}`: value must be within the bounds of "
            f"{bounds_text(fw, col)}, got {_fmt(float(data.values[i, col]), '')}"
            for i in bad
        ]
    if errors:
        raise InputError(f"data has {len(errors)} value(s) outside the bounds", errors=errors)


def _fmt(v: float | None, none: str) -> str:
    return none if v is None else f"{v:g}"


def _wide_cells(frame: Table, cols: Mapping[str, str], fw: Framework, wanted: set[str]) -> _Cells:
    cells = _Cells()
    position = {code: j for j, code in enumerate(fw.indicators)}
    reserved = {cols[k] for k in RESERVED if k in cols}
    for c in frame.columns:
        if c not in position and c not in reserved and c not in wanted:
            cells.errors.append(f"column `{c}`: not an indicator of framework {fw.code} (unknown indicator)")
    for code in fw.indicators:
        if code not in frame.columns:
            cells.errors.append(f"column `{code}`: indicator of framework {fw.code} is missing from the data")
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    for c in (c for c in frame.columns if c in position):
        _add(cells, fw, rows, position[c], frame.cells[c], c)
    return cells


def _long_cells(frame: Table, cols: Mapping[str, str], fw: Framework) -> _Cells:
    cells = _Cells()
    extra = set(frame.columns) - {cols[k] for k in (*RESERVED, "indicator", "value") if k in cols}
    cells.errors += [
        f"column `{c}`: not a column of the long format (unit, indicator, value, period)"
        for c in sorted(extra)
    ]
    codes = np.array([_text(c) for c in frame.cells[cols["indicator"]]], dtype=object)
    raw = frame.cells[cols["value"]]
    known = set(fw.indicators)
    cells.errors += [
        f"row {i + 2}, column `indicator`: unknown indicator {code!r} (framework {fw.code})"
        for i, code in enumerate(codes)
        if code not in known
    ]
    for j, code in enumerate(fw.indicators):
        idx = np.flatnonzero(codes == code)
        if not idx.size:
            cells.errors.append(f"indicator `{code}` of framework {fw.code} has no rows in the data")
            continue
        _add(cells, fw, idx + 2, j, [raw[i] for i in idx], "value")
    return cells


def _text(cell: Any) -> str:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def _label(cell: Any) -> str:
    """A free-text cell (name, attribute) as written, without surrounding spaces."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return str(cell).strip()


def _assemble(
    frame: Table,
    cols: Mapping[str, str],
    fw: Framework,
    cells: _Cells,
    known: set[str] | None,
    period: str | None,
    wanted: set[str],
) -> IndexData:
    errors = cells.errors
    unit_col = [_text(u) for u in frame.cells[cols["unit"]]]
    per_col = [_text(p) for p in frame.cells[cols["period"]]] if "period" in cols else [""] * len(frame)
    long = "indicator" in cols and "value" in cols
    key_of: dict[tuple[str, ...], int] = {}
    for i, unit in enumerate(unit_col):
        row = i + 2
        if not unit:
            errors.append(f"row {row}, column `unit`: unit code must not be empty")
            continue
        if known is not None and unit not in known:
            errors.append(f"row {row}, column `unit`: unknown unit {unit!r}")
        key: tuple[str, ...] = (unit, per_col[i])
        if long:
            key += (_text(frame.cells[cols["indicator"]][i]),)
        if key in key_of:
            what = ", ".join(k for k in key if k)
            errors.append(f"row {row}, column `unit`: duplicate of row {key_of[key]} ({what})")
        else:
            key_of[key] = row
    for a in sorted(wanted - set(frame.columns)):
        errors.append(
            f"column `{a}`: unit attribute needed (group imputation or compliance gate) is missing "
            "from the data"
        )
    periods = sorted({p for p in per_col})
    if period is not None and period not in periods:
        errors.append(f"`period` must be one of {', '.join(periods)}, got {period!r}")
    if errors:
        raise InputError(f"data file has {len(errors)} error(s)", errors=errors)
    return _matrix(frame, cols, fw, cells, unit_col, per_col, period or periods[-1], periods, wanted)


def _matrix(
    frame: Table,
    cols: Mapping[str, str],
    fw: Framework,
    cells: _Cells,
    unit_col: list[str],
    per_col: list[str],
    period: str,
    periods: list[str],
    wanted: set[str],
) -> IndexData:
    units = list(dict.fromkeys(u for u, p in zip(unit_col, per_col, strict=True) if p == period))
    u_pos = {u: k for k, u in enumerate(units)}
    p_pos = {p: k for k, p in enumerate(periods)}
    cube = np.full((len(periods), len(units), len(fw.indicators)), np.nan)
    unit_of_row = np.array([u_pos.get(u, -1) for u in unit_col] + [-1], dtype=np.int64)
    period_of_row = np.array([p_pos[p] for p in per_col] + [0], dtype=np.int64)
    rows, cols_, vals = cells.arrays()
    u_idx, p_idx = unit_of_row[rows - 2], period_of_row[rows - 2]
    sel = u_idx >= 0
    cube[p_idx[sel], u_idx[sel], cols_[sel]] = vals[sel]
    names = attrs = None
    here = [i for i, p in enumerate(per_col) if p == period]
    first = {unit_col[i]: i for i in reversed(here)}
    if "name" in cols:
        names = tuple(_label(frame.cells[cols["name"]][first[u]]) for u in units)
    attrs = {a: tuple(_label(frame.cells[a][first[u]]) or None for u in units) for a in sorted(wanted)}
    k = p_pos[period]
    values = cube[k]
    values.setflags(write=False)
    history = cube[:k] if k > 0 else None
    return IndexData(
        tuple(units), fw.indicators, values, names, attrs, history, period or None, fw.period_fraction
    )
