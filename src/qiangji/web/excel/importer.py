"""All-or-nothing import of registry workbooks, reporting every error at once.

Sheets are imported in dependency order inside ONE transaction. Every row is parsed, its lookups resolved,
its model validated (``full_clean`` plus the spec's cross-row checks such as the responsible-staff rule)
and, if clean, saved inside a savepoint so that a database integrity error becomes one more reported row.
Rows later in the file may refer to rows saved earlier in it. At the end, if any error was found in any
sheet, the whole transaction is rolled back: nothing stored changes. Otherwise everything is committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

import pandas as pd
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineError

from qiangji.web.excel.reader import find_header, read_workbook, sheet_spec
from qiangji.web.excel.rows import RowReader
from qiangji.web.excel.spec import TableSpec
from qiangji.web.excel.tables import TABLES, get_table


@dataclass(frozen=True)
class Problem:
    """One reported problem: where (sheet, Excel row, column letter and header), what value, which rule."""

    sheet: str
    row: int | None
    column: str
    header: str
    value: str
    rule: str
    level: str = "error"

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("sheet", "row", "column", "header", "value", "rule", "level")}


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, dict[str, int]]:
        names = dict.fromkeys([*self.created, *self.updated, *self.unchanged])
        return {
            n: {"created": self.created.get(n, 0), "updated": self.updated.get(n, 0),
                "unchanged": self.unchanged.get(n, 0)}
            for n in names
        }  # fmt: skip

    def stored(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


class _RollBack(Exception):
    """Raised inside the transaction when any error was found, so that nothing is committed."""


def import_workbook(source: str | IO[bytes] | Any, *, table: str | None = None) -> ImportResult:
    """Import ``source`` (path or binary file); ``table`` limits the import to that table's sheet."""
    result = ImportResult()
    try:
        frames = read_workbook(source)
    except (CalamineError, ValueError, OSError) as exc:
        result.problems.append(Problem("", None, "", "", "", _("无法读取该 Excel 文件：%(e)s") % {"e": exc}))
        return result
    plan = _plan(frames, table, result)
    try:
        with transaction.atomic():
            for spec, name, frame in plan:
                SheetImport(spec, name, frame, result).run()
            if result.errors:
                raise _RollBack
    except _RollBack:
        result.created.clear()
        result.updated.clear()
        result.unchanged.clear()
    return result


def _plan(
    frames: dict[str, pd.DataFrame], table: str | None, result: ImportResult
) -> list[tuple[TableSpec, str, pd.DataFrame]]:
    """Which sheet is which table, in dependency order; unknown sheets are reported as warnings."""
    if table is not None:
        chosen = get_table(table)
        named = [n for n in frames if sheet_spec(n) is chosen]
        name = named[0] if named else next((n for n in frames if not _is_aside(n)), next(iter(frames)))
        result.sheets.append(name)
        return [(chosen, name, frames[name])]
    found: dict[TableSpec, str] = {}
    for name in frames:
        spec = sheet_spec(name)
        if spec is None:
            if not _is_aside(name):
                result.problems.append(
                    Problem(name, None, "", "", "", _("未识别的工作表，已忽略"), level="warning")
                )
        else:
            found.setdefault(spec, name)
    if not found:
        result.problems.append(Problem("", None, "", "", "", _("文件中没有可识别的登记表工作表")))
    ordered = [s for s in TABLES if s in found]
    result.sheets.extend(found[s] for s in ordered)
    return [(s, found[s], frames[found[s]]) for s in ordered]


def _is_aside(sheet: str) -> bool:
    """Sheets of our own templates that hold no data: the notes and the hidden drop-down lists."""
    return sheet.startswith("_") or sheet in ("填表说明", "Notes")


class SheetImport:
    """Imports one sheet's rows into the open transaction, adding every problem to ``result``."""

    def __init__(self, spec: TableSpec, sheet: str, frame: pd.DataFrame, result: ImportResult) -> None:
        self.spec, self.sheet, self.frame, self.result = spec, sheet, frame, result
        self.seen: dict[tuple[Any, ...], int] = {}
        self.deferred: list[Any] = []

    def run(self) -> None:
        header = find_header(self.frame, self.spec)
        if header is None:
            self.problem(None, "", "", "", _("找不到表头行（未识别任何列名）"))
            return
        missing = [c for c in self.spec.columns if self.spec.is_required(c) and c not in header.columns]
        for column in missing:
            label = str(self.spec.header_of(column))
            self.problem(header.row + 1, "", label, "", _("缺少必填列“%(h)s”") % {"h": label})
        for idx, text in header.unknown:
            self.problem(header.row + 1, _letter(idx), text, text, _("未识别的列，已忽略"), "warning")
        if missing:
            return
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for row in range(header.data_start, len(self.frame)):
            cells = {c: self.frame.iat[row, i] for c, i in header.columns.items()}
            reader = RowReader(self.spec, cells, header, row + 1)
            if reader.is_empty():
                continue
            outcome = self.import_row(reader)
            if outcome:
                counts[outcome] += 1
        self.resolve_deferred()
        for name, count in counts.items():
            getattr(self.result, name)[self.spec.name] = count

    def import_row(self, reader: RowReader) -> str | None:
        reader.read()
        key = reader.key()
        if key is not None:
            first = self.seen.setdefault(key, reader.excel_row)
            if first != reader.excel_row:
                reader.key_error(_("与第%(row)s行重复（同一文件内键值重复：%(key)s）") % {
                    "row": first, "key": reader.key_text()})  # fmt: skip
        obj, before = reader.build()
        reader.validate(obj)
        outcome = None
        if not reader.errors:
            outcome = self.save(reader, obj, before)
        for problem in reader.problems():
            self.result.problems.append(Problem(self.sheet, *problem))
        return outcome

    def save(self, reader: RowReader, obj: Any, before: dict[str, Any] | None) -> str | None:
        if before is not None and reader.snapshot(obj) == before and not reader.lists_differ(obj):
            self.deferred.extend(reader.deferred(obj))
            return "unchanged"  # not saved: its update time stays that of its last real change
        try:
            with transaction.atomic():
                obj.save()
                reader.save_lists(obj)
        except IntegrityError as exc:
            reader.error(None, "", _("违反数据库约束：%(e)s") % {"e": exc})
            return None
        except ValidationError as exc:
            reader.add_validation_error(exc)
            return None
        self.deferred.extend(reader.deferred(obj))
        if before is None:
            return "created"
        return "updated"

    def resolve_deferred(self) -> None:
        """Lookups into the same table (e.g. a regulation superseded by a later edition in the file)."""
        for task in self.deferred:
            problem = task.resolve()
            if problem is not None:
                self.result.problems.append(Problem(self.sheet, *problem))

    def problem(self, row: int | None, column: str, header: str, value: str, rule: str, level: str = "error"):
        self.result.problems.append(Problem(self.sheet, row, column, header, value, rule, level))


def _letter(idx: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(idx + 1)


__all__ = ["NON_FIELD_ERRORS", "ImportResult", "Problem", "import_workbook"]
