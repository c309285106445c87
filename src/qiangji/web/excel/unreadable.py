"""Cells a reader would silently lose: Excel error values and formulas saved without a computed result.

calamine (the fast reader) returns an empty string for ``#N/A``, ``#DIV/0!`` and for a formula whose file
holds no cached value (written by a tool, not saved by Excel), so such a cell looked blank: the registry
import stored 0, the reporting upload skipped the value. Here the workbook's sheet XML is scanned for them
and each is put back into the read grid as an :class:`Unreadable` text that the importers refuse with the
cell's place and the rule. A formula whose file does hold its result is read as that result (what Excel
shows), and a text formula with an empty result (``=IF(A2="","",A2)``) stays blank.

Only sheets whose XML contains a formula or an error value are scanned cell by cell.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree

import pandas as pd
from django.utils.translation import gettext as _

CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
TYPE = re.compile(rb'\bt="(\w+)"')
FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
HINT = re.compile(rb'<(?:\w+:)?f[\s>/]|\bt="e"')
#: Byte strings one of which any match of HINT contains: a sheet of 100,000 rows without any is passed by
#: plain substring searches, not by the regular expression (seconds on such a sheet).
SPACES = (b" ", b"\t", b"\n", b"\r", b"\f", b"\v")
HINT_PARTS = (*(start + b"f" + end for start in (b"<", b":") for end in (*SPACES, b">", b"/")), b't="e"')
#: Shorter strings, one of which every HINT_PART contains: three searches of the sheet, not eighteen, pass
#: a sheet without formulas or error values (each search of a 100,000-row sheet's XML is a tenth of a second).
HINT_PREFIXES = (b"<f", b":f", b't="e"')


class Unreadable(str):
    """A cell's text as Excel shows it (``#N/A``, ``=B2/C2``), with the rule it breaks as ``rule``."""

    rule: str

    def __new__(cls, text: str, rule: str) -> Unreadable:
        cell = super().__new__(cls, text)
        cell.rule = rule
        return cell


def error_value(text: str) -> Unreadable:
    rule = _("单元格是 Excel 错误值“%(v)s”：没有数据请留空，有数据请填写数值") % {"v": text}
    return Unreadable(text, rule)


def formula_without_result(text: str) -> Unreadable:
    rule = _(
        "公式“%(f)s”没有计算结果（文件未经 Excel 计算保存）：请填写数值，或在 Excel 中打开并保存后再上传"
    ) % {"f": text}
    return Unreadable(text, rule)


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _cell(attrs: bytes, body: bytes) -> Unreadable | None:
    kind = TYPE.search(attrs)
    value = VALUE.search(body)
    shown = html.unescape(value.group(1).decode("utf-8", "replace")) if value else ""
    if kind is not None and kind.group(1) == b"e":
        return error_value(shown or "#ERROR")
    formula = FORMULA.search(body)
    if formula is None or shown or (kind is not None and kind.group(1) in (b"str", b"inlineStr")):
        return None
    text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
    return formula_without_result("=" + text if text else "=…")


def scan_sheet(xml: bytes) -> dict[tuple[int, int], Unreadable]:
    """(row, column) → Unreadable, both 0-based like the read grid."""
    if not any(prefix in xml for prefix in HINT_PREFIXES):
        return {}
    if not any(part in xml for part in HINT_PARTS) or HINT.search(xml) is None:
        return {}
    found = {}
    for match in CELL.finditer(xml):
        attrs, body = match.group(1), match.group(2) or b""
        ref = REF.search(attrs)
        cell = _cell(attrs, body) if ref is not None else None
        if cell is not None and ref is not None:
            found[(int(ref.group(2)) - 1, _column_index(ref.group(1)))] = cell
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sheet_members(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML member, from the workbook and its relationships."""
    rels = {}
    for rel in ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels")):
        target = rel.get("Target", "")
        rels[rel.get("Id")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        )
    members = {}
    for el in ElementTree.fromstring(book.read("xl/workbook.xml")).iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if rid in rels:
                members[el.get("name", "")] = rels[rid]
    return members


def scan(data: bytes) -> dict[str, dict[tuple[int, int], Unreadable]]:
    """Every sheet's unreadable cells, by sheet name (sheets without any are left out)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        members = sheet_members(book)
        names = set(book.namelist())
        found = {name: scan_sheet(book.read(m)) for name, m in members.items() if m in names}
    return {name: cells for name, cells in found.items() if cells}


def mark(data: bytes, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``frames`` with every unreadable cell put in (grids grown where such a cell lies beyond them)."""
    try:
        found = scan(data)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):  # not an xlsx calamine read (e.g. .xls)
        return frames
    out = dict(frames)
    for name, cells in found.items():
        if name not in out:
            continue
        frame = out[name]
        rows = max(len(frame), 1 + max(r for r, _c in cells))
        cols = max(frame.shape[1], 1 + max(c for _r, c in cells))
        if (rows, cols) != frame.shape:
            frame = frame.reindex(index=range(rows), columns=range(cols), fill_value="")
        for (r, c), cell in cells.items():
            frame.iat[r, c] = cell
        out[name] = frame
    return out
