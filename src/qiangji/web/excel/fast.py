"""Column import of one sheet: no model instance per row, for the tables whose spec has ``column_rules``.

The set-based import (:mod:`qiangji.web.excel.bulk`) still built, cleaned and compared one model instance
per row; at 100,000 certificates that was most of two minutes. Here every step works on whole columns:

1. cells are factorised per column; each distinct cell is read and cleaned once (:mod:`.columns`);
   each lookup is resolved once per distinct combination of its cells, from tables loaded once;
2. natural keys are checked for repeats with one pass, the stored rows of the file's keys fetched in one
   query; blank cells and absent columns take the stored value (or the field's default), as an update of
   the stored instance would;
3. the model's ``clean()`` runs as column rules (:attr:`~.spec.TableSpec.column_rules`), check
   constraints as array conditions;
4. every row any step refused (usually none) is read again by the set-based import's own row machinery, so
   the report's messages, their order and their places are those of the row-by-row import; a row it finds
   clean after all joins the others;
5. a clean sheet is written as tuples (:mod:`.fastwrite`): new rows inserted in batches (COPY on
   PostgreSQL), changed rows updated with one audit event each (values before and after), links in bulk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from django.db import models
from django.db.models import CheckConstraint, UniqueConstraint

from qiangji.web.excel import bulk
from qiangji.web.excel.columns import BAD, OK, SKIP, Read, SheetCells, clean_rows, read_plain
from qiangji.web.excel.conditions import column_condition
from qiangji.web.excel.fastwrite import Writer
from qiangji.web.excel.lookups import Index, Unsupported
from qiangji.web.excel.reader import Header
from qiangji.web.excel.rows import RowProblem, RowReader
from qiangji.web.excel.spec import Column, Kind, TableSpec
from qiangji.web.excel.stored import Stored

Progress = Callable[[float], None]
Array = np.ndarray[Any, Any]


def supports(spec: TableSpec) -> bool:
    """Column rules given, no lookup into its own sheet, no per-row check, no unique set besides the natural
    key, plain key fields that cleaning leaves as read, and check constraints the array evaluator reads."""
    if spec.column_rules is None or spec.checks or not bulk.supports(spec):
        return False
    meta = spec.model._meta
    key = {meta.get_field(n).name for n in spec.key}
    for constraint in meta.constraints:
        if isinstance(constraint, UniqueConstraint) and set(constraint.fields) - key:
            return False
        if isinstance(constraint, CheckConstraint):
            try:
                column_condition(constraint.condition, FieldColumns(spec.model, 0))  # type: ignore[arg-type]
            except Unsupported:
                return False
    plain = [meta.get_field(n) for n in spec.key if not meta.get_field(n).is_relation]
    return all(isinstance(f, models.CharField | models.IntegerField | models.DateField) for f in plain)


class FieldColumns:
    """One numpy object array per field (by attname) and the related rows of each foreign key."""

    def __init__(self, model: Any, n: int) -> None:
        self.model, self.n = model, n
        self.values: dict[str, Array] = {}
        #: foreign key name → (row → combination of its lookup cells, the related instance of each)
        self.refs: dict[str, tuple[Array, Array]] = {}

    @classmethod
    def of(cls, model: Any, objs: list[models.Model]) -> FieldColumns:
        """The columns of model instances (what the rules' tests compare with the per-row functions)."""
        cols = cls(model, len(objs))
        for f in model._meta.concrete_fields:
            cols.values[f.attname] = np.empty(len(objs), dtype=object)
            cols.values[f.attname][:] = [getattr(o, f.attname) for o in objs]
            if f.is_relation:
                found = np.empty(len(objs), dtype=object)
                found[:] = [getattr(o, f.name) if getattr(o, f.attname) is not None else None for o in objs]
                cols.refs[f.name] = (np.arange(len(objs)), found)
        return cols

    def __getitem__(self, attname: str) -> Array:
        return self.values[attname]

    def related(self, name: str, attname: str) -> Array:
        if name not in self.refs:
            return np.full(self.n, None, dtype=object)
        inverse, objs = self.refs[name]
        found = np.empty(len(objs), dtype=object)
        found[:] = [None if o is None else getattr(o, attname) for o in objs]
        return found[inverse]

    def ref(self, name: str, i: int) -> Any:
        inverse, objs = self.refs[name]
        return objs[inverse[i]]


class FastSheet:
    """One sheet, column by column; fills ``problems`` (in row order) and ``counts`` as BulkSheet does."""

    def __init__(self, spec: TableSpec, header: Header, frame: pd.DataFrame, progress: Progress) -> None:
        self.spec, self.header, self.frame, self.model = spec, header, frame, spec.model
        self.progress = progress
        self.index = Index()
        self.problems: list[RowProblem] = []
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self.fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        self.never = {
            f.name
            for f in self.model._meta.get_fields()
            if f.many_to_many or not getattr(f, "editable", True) or getattr(f, "generated", False)
        }

    # --- the import ------------------------------------------------------------------------------
    def run(self) -> None:
        self.cells = cells = SheetCells(self.frame, self.header)
        self.cols = FieldColumns(self.model, cells.n)
        self.bad = np.zeros(cells.n, dtype=bool)
        self.status: dict[str, Array] = {}
        self.lists: dict[str, tuple[Array, list[list[Any]]]] = {}
        self.read_columns()
        self.progress(0.3)
        keys = self.keys()
        self.first = self.repeats(keys)
        self.stored = Stored(self.spec, keys)
        self.resolve()
        self.check_rows()
        self.progress(0.5)
        by_row = self.reread()
        self.counts, errors = self.plan(), any(p[5] == "error" for ps in by_row.values() for p in ps)
        by_row.update(self.warnings())
        for i in sorted(by_row):
            self.problems.extend(by_row[i])
        self.progress(0.6)
        if not errors:
            self.writer.write(self.progress)

    # --- 1. reading ------------------------------------------------------------------------------
    def read_columns(self) -> None:
        for col in self.cells.columns:
            if self.spec.kind_of(col) not in (Kind.REF, Kind.REFS):
                read = read_plain(self.spec, col, self.cells.cells[col])
                self.store(col.target, read)
        for target in dict.fromkeys(col.target for col in self.cells.columns if col.lookup):
            self.read_target(target)

    def store(self, target: str, read: Read) -> None:
        attname = self.spec.model_field(target).attname
        self.cols.values[attname] = read.value
        self.status[attname] = read.status
        self.bad |= read.status == BAD

    def read_target(self, target: str) -> None:
        """A lookup, resolved once per distinct combination of its cells by the row reader's own code."""
        columns = [
            col
            for col in self.cells.columns
            if col.target == target or any(p.startswith(f"{target}.") for p in col.also)
        ]
        inverse, first = combinations([self.cells.cells[col] for col in columns])
        f = self.spec.model_field(target)
        bad = np.zeros(len(first), dtype=bool)
        found = np.empty(len(first), dtype=object)
        lists: list[list[Any]] = []
        for j, row in enumerate(first.tolist()):
            cells = {col: self.cells.raw[col][row] for col in columns}
            reader = RowReader(self.spec, cells, self.header, 0, self.index)
            if f.many_to_many:
                reader.read_list(target)
                lists.append([o.pk for o in reader.lists.get(target, [])])
            else:
                reader.read_ref(target)
                found[j] = reader.refs.get(target)
            bad[j] = bool(reader.errors) or target in reader.failed
        self.bad |= bad[inverse]
        if f.many_to_many:
            self.lists[target] = (inverse, lists)
            return
        self.cols.refs[target] = (inverse, found)
        pks = np.array([None if o is None else o.pk for o in found], dtype=object)
        self.cols.values[f.attname] = pks[inverse]
        self.status[f.attname] = np.where(bad[inverse], BAD, OK).astype(np.int8)

    # --- 2. keys and stored rows -----------------------------------------------------------------
    def keys(self) -> list[tuple[Any, ...] | None]:
        """Each row's natural key (pks for foreign keys), None where a part is missing or unreadable (the
        row reader's ``key()``); a part that only cleaning refuses still makes a key, as it does there."""
        parts, valid = [], np.ones(self.cells.n, dtype=bool)
        for name in self.spec.key:
            attname = self.spec.model_field(name).attname
            status = self.status.get(attname)
            if status is None:
                return [None] * self.cells.n
            values = self.cols.values[attname]
            valid &= (status == OK) & ~pd.isna(values)
            parts.append(values.tolist())
        keys: list[tuple[Any, ...] | None] = list(zip(*parts, strict=True))
        for i in np.flatnonzero(~valid).tolist():
            keys[i] = None
        return keys

    def repeats(self, keys: list[tuple[Any, ...] | None]) -> dict[tuple[Any, ...], int]:
        """Rows repeating an earlier row's key are refused (the row reader names the earlier row)."""
        first: dict[tuple[Any, ...], int] = {}
        for i, key in enumerate(keys):
            if key is not None and first.setdefault(key, i) != i:
                self.bad[i] = True
        self.keys_of = keys
        return first

    def resolve(self) -> None:
        """Blank cells and absent columns: the stored row's value, else the field's default (a new
        instance's); such values are cleaned as ``full_clean`` cleans the whole instance."""
        n, stored = self.cells.n, self.stored
        where = np.array([-1 if (j := stored.row_of(k)) is None else j for k in self.keys_of], dtype=np.int64)
        existing = self.existing = where >= 0
        self.where = where
        for f in self.fields:
            status = self.status.get(f.attname)
            if status is None:
                values = np.empty(n, dtype=object)
                values.fill(_default(f))
                rows = np.arange(n)
            else:
                values = self.cols.values[f.attname]
                rows = np.flatnonzero(status == SKIP)
                for i in rows.tolist():
                    values[i] = _default(f)
            old = rows[existing[rows]]
            values[old] = stored.columns[f.attname][where[old]]
            self.cols.values[f.attname] = values
            if f.name not in self.never and len(rows):
                self.bad[clean_rows(f, values, rows)] = True

    # --- 3. rules --------------------------------------------------------------------------------
    def check_rows(self) -> None:
        rules = self.spec.column_rules
        assert rules is not None  # supports() checked it
        for i in rules.errors(self.cols):
            self.bad[i] = True
        for constraint in self.model._meta.constraints:
            if isinstance(constraint, CheckConstraint):
                holds = column_condition(constraint.condition, self.cols)  # type: ignore[arg-type]
                self.bad |= holds.false

    def warnings(self) -> dict[int, list[RowProblem]]:
        rules = self.spec.column_rules
        assert rules is not None
        out: dict[int, list[RowProblem]] = {}
        place = Places(self.spec, self.header, self.cells)
        for i, found in rules.warnings(self.cols).items():
            if not self.flagged[i]:
                out[i] = [place.problem(i, name, str(message), "warning") for name, message in found]
        return out

    # --- 4. rows read again ----------------------------------------------------------------------
    def reread(self) -> dict[int, list[RowProblem]]:
        """The refused rows, through the set-based import's row machinery (exact messages); those it finds
        clean after all are taken back into the columns."""
        self.flagged = self.bad.copy()
        rows = np.flatnonzero(self.bad).tolist()
        if not rows:
            return {}
        sheet = bulk.BulkSheet(
            self.spec, self.header, self.frame, lambda fraction: None, Subset(self.cells, rows)
        )
        sheet.index = self.index
        readers = sheet.readers()
        stored = bulk.Stored(self.spec, readers)
        plan = bulk.Plan()
        plan.by_key = Earlier(self, rows)
        seen = self.seen(rows)
        out: dict[int, list[RowProblem]] = {}
        for i, reader in zip(rows, readers, strict=True):
            sheet.row(reader, seen, stored, plan)
            out[i] = reader.problems()
            if not reader.errors:
                self.take_back(i, reader, plan.by_key[reader.key()])  # type: ignore[index]
        return out

    def seen(self, rows: list[int]) -> dict[tuple[Any, ...], int]:
        """Keys of the refused rows first met on an earlier clean row, as the row reader keys them."""
        seen: dict[tuple[Any, ...], int] = {}
        for i in rows:
            key = self.keys_of[i]
            if key is not None and self.first[key] < i:
                seen[self.instance_key(key)] = int(self.cells.excel_rows[self.first[key]])
        return seen

    def instance_key(self, key: tuple[Any, ...]) -> tuple[Any, ...]:
        out = []
        for name, part in zip(self.spec.key, key, strict=True):
            f = self.spec.model_field(name)
            out.append(self.index.row(f.related_model, part) if f.is_relation else part)
        return tuple(out)

    def instance(self, i: int) -> models.Model:
        """Row ``i`` as the row reader would have built it (for a later repeat of its key)."""
        obj = self.stored.instance(self.keys_of[i]) if self.existing[i] else self.model()
        for f in self.fields:
            if f.attname in self.status or not self.existing[i]:
                setattr(obj, f.attname, self.cols.values[f.attname][i])
        for name in self.cols.refs:
            if self.cols.ref(name, i) is not None:
                setattr(obj, name, self.cols.ref(name, i))
        return obj

    def take_back(self, i: int, reader: RowReader, obj: models.Model) -> None:
        self.bad[i] = False
        for f in self.fields:
            self.cols.values[f.attname][i] = getattr(obj, f.attname)
        for name, objs in reader.lists.items():
            inverse, lists = self.lists[name]
            inverse[i] = len(lists)
            lists.append([o.pk for o in objs])

    # --- 5. what to write ------------------------------------------------------------------------
    def plan(self) -> dict[str, int]:
        self.writer = Writer(self.spec, self.cols, self.stored, self.lists)
        clean = np.flatnonzero(~self.bad)
        return self.writer.plan(clean, self.where, self.keys_of)


class Earlier(dict):  # type: ignore[type-arg]
    """``Plan.by_key`` for the re-read rows: a key first met on a clean row of the columns is answered with
    that row as an instance (the row reader compares a repeat with the row saved before it)."""

    def __init__(self, sheet: FastSheet, rows: list[int]) -> None:
        super().__init__()
        self.sheet = sheet
        self.by_instance_key: dict[tuple[Any, ...], int] = {}
        for i in rows:
            key = sheet.keys_of[i]
            if key is not None and sheet.first[key] < i and not sheet.bad[sheet.first[key]]:
                self.by_instance_key[sheet.instance_key(key)] = sheet.first[key]

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        i = self.by_instance_key.get(key)
        return self.sheet.instance(i) if i is not None else default


class Subset(bulk.Rows):
    """Some rows of the sheet, shaped as :class:`bulk.Rows` for the set-based import's row machinery."""

    def __init__(self, cells: SheetCells, rows: list[int]) -> None:
        self.columns = list(cells.columns)
        self.excel_rows = [int(cells.excel_rows[i]) for i in rows]
        self.cells = {col: [cells.raw[col][i] for i in rows] for col in self.columns}


class Places:
    """Where a field's problem is reported: the last of its columns in the file, and that cell's text."""

    def __init__(self, spec: TableSpec, header: Header, cells: SheetCells) -> None:
        self.spec, self.header, self.cells = spec, header, cells
        self.columns: dict[str, Column | None] = {}

    def column(self, name: str) -> Column | None:
        if name not in self.columns:
            present = [col for col in self.spec.columns_for(name) if col in self.header.columns]
            self.columns[name] = present[-1] if present else None
        return self.columns[name]

    def problem(self, i: int, name: str, rule: str, level: str) -> RowProblem:
        from openpyxl.utils import get_column_letter

        from qiangji.web.excel import cells as c

        column, row = self.column(name), int(self.cells.excel_rows[i])
        if column is None:
            return (row, "", "", "", rule, level)
        raw = self.cells.raw[column][i]
        value = "" if c.is_blank(raw) else c.as_text(raw)
        letter = get_column_letter(self.header.columns[column] + 1)
        return (row, letter, self.header.labels[column], value, rule, level)


def combinations(columns: list[Any]) -> tuple[Array, Array]:
    """Each row's distinct combination of ``columns`` (factorised cells): (row → combination, the first
    row of each combination)."""
    combined = np.zeros(len(columns[0].codes), dtype=np.int64)
    radix = 1
    for d in columns:
        size = max(len(d.uniques), 1)
        if radix * size >= 2**62:  # too many to number: pandas numbers the tuples instead
            index = pd.MultiIndex.from_arrays([d.codes for d in columns])
            combined = np.asarray(pd.factorize(index)[0], dtype=np.int64)
            break
        combined = combined * size + d.codes
        radix *= size
    inverse, _uniques = pd.factorize(combined)
    _found, first = np.unique(inverse, return_index=True)
    return np.asarray(inverse, dtype=np.int64), first


def _default(f: Any) -> Any:
    return f.get_default()


__all__ = ["FastSheet", "FieldColumns", "supports"]
