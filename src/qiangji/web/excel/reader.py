"""Reading workbooks (pandas + calamine) and finding which sheet is which table and where its header is.

Headers are found, not assumed: the first rows are scanned and the row that names the most known columns
wins. A header merged over two rows works either way a person draws it: a group label merged across
columns above the real names ("考核证书" over "编号 / 发证日期 / 有效期至") or a name merged down two rows.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from django.utils import translation
from django.utils.translation import gettext as _

from qiangji.web.excel import grid, unreadable
from qiangji.web.excel.cells import as_text, is_blank, matching_key
from qiangji.web.excel.spec import Column, TableSpec
from qiangji.web.excel.tables import TABLES

HEADER_SCAN_ROWS = 12
UNIT_SUFFIX = re.compile(r"[(（][^()（）]*[)）]$")


@dataclass(frozen=True)
class Source:
    """What a file holds: its sheets as raw grids, and for a CSV file the encoding it was read in."""

    frames: dict[str, pd.DataFrame]
    encoding: str = ""


def read_source(source: str | IO[bytes] | Any, name: str = "") -> Source:
    """A workbook, or a CSV file (by ``name``'s or the path's extension) as one sheet named after the file."""
    name = name or (str(source) if isinstance(source, str | Path) else getattr(source, "name", "") or "")
    if not name.lower().endswith(".csv"):
        return Source(read_workbook(source))
    text, encoding = decode_csv(source_bytes(source))
    # The parser is given UTF-8 bytes, never the text: pandas would wrap a text buffer in a reader that
    # re-encodes it chunk by chunk and copies its growing overflow of multi-byte characters on every read,
    # time quadratic in the file's size (a million certificates: 40 s of the import, 3 s at 100,000).
    frame = pd.read_csv(
        io.BytesIO(text.encode("utf-8")), encoding="utf-8", header=None, dtype=str, keep_default_na=False,
        na_filter=False, skip_blank_lines=False, engine="c",
    )  # fmt: skip
    frame.columns = pd.RangeIndex(frame.shape[1])
    return Source({Path(name.replace("\\", "/")).stem: frame.astype(object)}, encoding)


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 with or without a byte-order mark, else GB18030
    (what Excel and WPS on Chinese Windows save as "CSV"); GB18030 decodes any GBK/GB2312 file too."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 (BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as exc:
        raise ValueError(
            _("CSV 文件的编码无法识别（第 %(pos)s 字节）：请另存为 UTF-8 或 GB18030") % {"pos": exc.start}
        ) from None


def read_workbook(source: str | IO[bytes] | Any) -> dict[str, pd.DataFrame]:
    """Every sheet as a raw grid (no header, every cell an object: text stays ``str``).

    Text is kept as typed: "NaN", "N/A", "null" are not turned into blanks (pandas' default), so a numeric
    column refuses them; error values and formulas without a result come back as
    :class:`~qiangji.web.excel.unreadable.Unreadable` cells, refused too.
    """
    data = source_bytes(source)
    frames = grid.read_frames(data)
    if frames is None:
        frames = pd.read_excel(
            io.BytesIO(data), sheet_name=None, header=None, dtype=object, engine="calamine",
            keep_default_na=False,
        )  # fmt: skip
    return unreadable.mark(data, dict(frames))


def source_bytes(source: str | IO[bytes] | Any) -> bytes:
    """The file's content (a path, or a binary file read from its start and rewound)."""
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    source.seek(0)
    data = source.read()
    source.seek(0)
    return bytes(data)


def _keys(text: str) -> set[str]:
    key = matching_key(text).lstrip("*")
    return {key, UNIT_SUFFIX.sub("", key)} - {""}


def header_text(spec: TableSpec, column: Column) -> str:
    """The header as written in templates: "有效期至 (日期)"."""
    header, unit = str(spec.header_of(column)), str(spec.unit_of(column))
    return f"{header} ({unit})" if unit else header


def column_aliases(spec: TableSpec) -> dict[str, Column]:
    """Every accepted spelling of each header (Chinese, English, with or without unit, field path)."""
    aliases: dict[str, Column] = {}
    for column in spec.columns:
        with translation.override("zh-hans"):
            names = [header_text(spec, column), str(spec.header_of(column)), column.path]
        with translation.override("en"):
            names += [str(spec.header_of(column)), header_text(spec, column)]
        for name in names:
            for key in _keys(name):
                aliases.setdefault(key, column)
    return aliases


def sheet_spec(sheet_name: str) -> TableSpec | None:
    """The table a sheet holds, by its Chinese or English name or the table's code name."""
    wanted = _keys(sheet_name)
    for spec in TABLES:
        with translation.override("zh-hans"):
            names = [str(spec.sheet), spec.name]
        with translation.override("en"):
            names.append(str(spec.sheet))
        if any(wanted & _keys(n) for n in names):
            return spec
    return None


@dataclass
class Header:
    row: int  # 0-based index of the (last) header row
    columns: dict[Column, int] = field(default_factory=dict)
    labels: dict[Column, str] = field(default_factory=dict)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    data_start: int = 0


def find_header(frame: pd.DataFrame, spec: TableSpec) -> Header | None:
    """Locate the header row; ``None`` when no row of the first ``HEADER_SCAN_ROWS`` names any column."""
    aliases = column_aliases(spec)
    best: Header | None = None
    for row in range(min(HEADER_SCAN_ROWS, len(frame))):
        found = _match_row(frame, row, aliases)
        if found.columns and (best is None or len(found.columns) > len(best.columns)):
            best = found
    if best is None:
        return None
    best.data_start = best.row + 1
    while best.data_start < len(frame) and _is_header_like(frame, best.data_start, aliases):
        best.data_start += 1  # e.g. an English header row below the Chinese one
    return best


def _match_row(frame: pd.DataFrame, row: int, aliases: dict[str, Column]) -> Header:
    header = Header(row=row)
    group = ""
    for idx in range(frame.shape[1]):
        here = _cell(frame, row, idx)
        above = _cell(frame, row - 1, idx) if row > 0 else ""
        group = above or group if here else above
        candidates = [here, group + here] if here else [above]
        column = next((aliases[k] for c in candidates if c for k in _keys(c) if k in aliases), None)
        if column is not None and column not in header.columns:
            header.columns[column] = idx
            header.labels[column] = next(c for c in candidates if c)
        elif here:
            header.unknown.append((idx, here))
    return header


def _is_header_like(frame: pd.DataFrame, row: int, aliases: dict[str, Column]) -> bool:
    cells = [_cell(frame, row, i) for i in range(frame.shape[1])]
    filled = [c for c in cells if c]
    hits = [c for c in filled if _keys(c) & aliases.keys()]
    return bool(filled) and len(hits) * 2 >= len(filled)


def _cell(frame: pd.DataFrame, row: int, idx: int) -> str:
    value = frame.iat[row, idx]
    return "" if is_blank(value) else as_text(value)
