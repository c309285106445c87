"""All-or-nothing import of registry workbooks and CSV files, reporting every error at once.

Sheets are imported in dependency order inside ONE transaction. Every row is parsed, its lookups resolved,
its model validated (``full_clean`` plus the spec's cross-row checks such as the responsible-staff rule).
Most tables are imported set-based (:mod:`qiangji.web.excel.bulk`: distinct values parsed once, lookups
and stored keys loaded once, rows written in batches); a table whose spec re-expresses its model's rules
over columns (certificates) column by column, without a model instance per row
(:mod:`qiangji.web.excel.fast`). A table whose rows refer to rows of the same sheet
(regulations superseded by a later edition) is imported row by row: each clean row saved inside a
savepoint so that a database integrity error becomes one more reported row; so is a sheet whose batch the
database refused, to name the row. Rows later in the file may refer to rows of sheets above. At the end, if
any error was found in any sheet, the whole transaction is rolled back: nothing stored changes. Otherwise
everything is committed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

import pandas as pd
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineError

from qiangji.web.excel import bulk, fast
from qiangji.web.excel.reader import Header, find_header, read_source, sheet_spec
from qiangji.web.excel.rows import RowReader
from qiangji.web.excel.spec import TableSpec
from qiangji.web.excel.tables import TABLES, get_table

#: How many errors (and, apart, warnings) a report lists one by one; the rest are counted by rule.
REPORT_LIMIT = 1000


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
    encoding: str = ""  # a CSV file's encoding as detected ("UTF-8", "UTF-8 (BOM)", "GB18030")

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

    def reported(self, limit: int = REPORT_LIMIT) -> list[dict[str, Any]]:
        """The problems as kept and shown: the first ``limit`` errors and the first ``limit`` warnings in
        full, then, per sheet and rule, how many more there are (a file of 100,000 bad rows must not
        become a 100,000-line page)."""
        shown: list[dict[str, Any]] = []
        rest: Counter[tuple[str, str, str]] = Counter()
        seen: Counter[str] = Counter()
        for p in self.problems:
            seen[p.level] += 1
            if seen[p.level] <= limit:
                shown.append(p.as_dict())
            else:
                rest[p.level, p.sheet, p.rule] += 1
        for (level, sheet, rule), n in rest.items():
            more = _("另有 %(n)s 处同类问题未逐条列出") % {"n": n}
            shown.append(Problem(sheet, None, "", "", more, rule, level).as_dict())
        return shown


Progress = Callable[[float, str], None]


def _no_progress(fraction: float, step: str = "") -> None:
    return None


class _RollBack(Exception):
    """Raised inside the transaction when any error was found, so that nothing is committed."""


def import_workbook(
    source: str | IO[bytes] | Any,
    *,
    table: str | None = None,
    name: str = "",
    progress: Progress = _no_progress,
) -> ImportResult:
    """Import ``source`` (path or binary file; a CSV file when ``name`` or the path ends in ``.csv``);
    ``table`` limits the import to that table's sheet. ``progress(fraction, step)`` hears how far it is."""
    result = ImportResult()
    try:
        book = read_source(source, name)
    except (CalamineError, ValueError, OSError) as exc:
        result.problems.append(Problem("", None, "", "", "", _("无法读取该 Excel 文件：%(e)s") % {"e": exc}))
        return result
    if book.encoding:
        result.encoding = book.encoding
        note = _("CSV 文件编码：%(enc)s（自动识别）") % {"enc": book.encoding}
        result.problems.append(Problem(next(iter(book.frames)), None, "", "", "", note, "info"))
    plan = _plan(book.frames, table, result, csv=bool(book.encoding))
    progress(0.1, _("已读取文件"))
    _import(plan, result, progress)
    return result


def import_records(table: str, records: list[dict[str, Any]], *, sheet: str = "") -> ImportResult:
    """Import ``records`` (dicts keyed by the spec's column paths, values as a cell would hold them) into
    ``table`` exactly as a CSV file of them with the paths as headers: same validation, same messages,
    all-or-nothing, idempotent. Problems name row 2 for the first record (the header is row 1)."""
    spec = get_table(table)
    paths = [col.path for col in spec.columns]
    grid = [paths, *([record.get(path) for path in paths] for record in records)]
    frame = pd.DataFrame(grid, dtype=object)
    result = ImportResult(sheets=[sheet or spec.name])
    _import([(spec, sheet or spec.name, frame)], result, _no_progress)
    return result


def _import(
    plan: list[tuple[TableSpec, str, pd.DataFrame]], result: ImportResult, progress: Progress
) -> None:
    try:
        with transaction.atomic():
            for i, (spec, sheet, frame) in enumerate(plan):
                step = _("导入“%(sheet)s”") % {"sheet": sheet}
                share = partial(_share, progress, i, len(plan), step)
                SheetImport(spec, sheet, frame, result, share).run()
            if result.errors:
                raise _RollBack
    except _RollBack:
        result.created.clear()
        result.updated.clear()
        result.unchanged.clear()


def _share(progress: Progress, index: int, total: int, step: str, fraction: float) -> None:
    """A sheet's own progress as a part of the whole file's (reading the file is the first tenth)."""
    progress(0.1 + 0.9 * (index + fraction) / max(total, 1), step)


def _plan(
    frames: dict[str, pd.DataFrame], table: str | None, result: ImportResult, *, csv: bool = False
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
    if not found and csv:
        rule = _("CSV 文件只含一张表：请选择导入表，或以表名命名文件（如“检定证书.csv”）")
        result.problems = [p for p in result.problems if p.level != "warning"]
        result.problems.append(Problem("", None, "", "", "", rule))
    elif not found:
        result.problems.append(Problem("", None, "", "", "", _("文件中没有可识别的登记表工作表")))
    ordered = [s for s in TABLES if s in found]
    result.sheets.extend(found[s] for s in ordered)
    return [(s, found[s], frames[found[s]]) for s in ordered]


def _is_aside(sheet: str) -> bool:
    """Sheets of our own templates that hold no data: the notes and the hidden drop-down lists."""
    return sheet.startswith("_") or sheet in ("填表说明", "Notes")


class SheetImport:
    """Imports one sheet's rows into the open transaction, adding every problem to ``result``."""

    def __init__(
        self,
        spec: TableSpec,
        sheet: str,
        frame: pd.DataFrame,
        result: ImportResult,
        progress: Callable[[float], None] = lambda fraction: None,
    ) -> None:
        self.spec, self.sheet, self.frame, self.result = spec, sheet, frame, result
        self.progress = progress
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
        if not (bulk.supports(self.spec) and self.run_bulk(header)):
            self.run_rows(header)
        self.progress(1.0)

    def run_bulk(self, header: Header) -> bool:
        """The set-based import; False when the database refused a batch (nothing of it stays)."""
        sheet: bulk.BulkSheet | fast.FastSheet
        if fast.supports(self.spec):
            sheet = fast.FastSheet(self.spec, header, self.frame, self.progress)
        else:
            sheet = bulk.BulkSheet(self.spec, header, self.frame, self.progress)
        try:
            with transaction.atomic():
                sheet.run()
        except IntegrityError:
            return False
        self.result.problems.extend(Problem(self.sheet, *p) for p in sheet.problems)
        for name, count in sheet.counts.items():
            getattr(self.result, name)[self.spec.name] = count
        return True

    def run_rows(self, header: Header) -> None:
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


__all__ = ["NON_FIELD_ERRORS", "ImportResult", "Problem", "import_records", "import_workbook"]
