"""One sheet row: parse its cells, resolve its lookups, build and validate the model instance.

Every problem is recorded with the cell it belongs to; nothing is raised to the caller. The spec decides
everything; this module knows no table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from qiangji.web.excel import cells as c
from qiangji.web.excel.reader import Header
from qiangji.web.excel.spec import Column, Kind, TableSpec
from qiangji.web.excel.unreadable import Unreadable

RowProblem = tuple[int, str, str, str, str, str]


class RowReader:
    """``lookup`` finds the one row matching a filter dict (default: one query, :func:`_lookup`); the bulk
    import passes one answered from in-memory indexes (:mod:`qiangji.web.excel.bulk`), same contract."""

    def __init__(
        self,
        spec: TableSpec,
        cells: dict[Column, Any],
        header: Header,
        excel_row: int,
        lookup: Callable[[Any, dict[str, Any]], Any] | None = None,
    ) -> None:
        self.spec, self.cells, self.header, self.excel_row = spec, cells, header, excel_row
        self.lookup = lookup or _lookup
        self.values: dict[str, Any] = {}
        self.refs: dict[str, Any] = {}
        self.lists: dict[str, list[Any]] = {}
        self.failed: set[str] = set()
        self.errors: list[tuple[Column | None, str, str]] = []
        self.warns: list[tuple[Column | None, str, str]] = []
        self.self_refs: list[tuple[str, dict[str, Any], Column]] = []

    # --- reading ---------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return all(c.is_blank(v) for v in self.cells.values())

    def read(self) -> None:
        for column, raw in self.cells.items():
            if self.spec.kind_of(column) not in (Kind.REF, Kind.REFS):
                self.read_plain(column, raw)
        for target in dict.fromkeys(col.target for col in self.cells if col.lookup):
            if self.spec.model_field(target).many_to_many:
                self.read_list(target)
            else:
                self.read_ref(target)

    def read_plain(self, column: Column, raw: Any) -> None:
        outcome = read_cell(self.spec, column, raw)
        if outcome[0] == "set":
            self.values[column.target] = outcome[1]
        elif outcome[0] == "error":
            self.error(column, outcome[1], outcome[2])
            self.failed.add(column.target)

    def parts(self, target: str) -> tuple[list[tuple[str, Column, Any]], list[tuple[str, Column, Any]]]:
        """The lookup parts of ``target``: (own columns, columns lent through ``also``) with parsed values."""
        own, lent = [], []
        for column, raw in self.cells.items():
            if column.target == target and column.lookup:
                own.append((column.lookup, column, self.lookup_value(column, column.path, raw)))
            for path in column.also:
                if path.startswith(f"{target}."):
                    lookup = path.split(".", 1)[1]
                    lent.append((lookup, column, self.lookup_value(column, path, raw)))
        return own, lent

    def lookup_value(self, column: Column, path: str, raw: Any) -> Any:
        if c.is_blank(raw):
            return None
        if isinstance(raw, Unreadable):
            if column.path == path:  # once per cell, though other lookups may borrow it
                self.error(column, str(raw), raw.rule)
            return None
        if self.spec.model_field(path.split(".", 1)[0]).many_to_many and path == column.path:
            return [column.normalise(n) if column.normalise else n for n in c.as_names(raw)]
        target_field = self.spec.lookup_field(Column(path))
        try:
            if isinstance(target_field, models.IntegerField):
                return c.as_int(raw)
        except c.CellError as exc:
            self.error(column, c.as_text(raw), exc.rule)
            return None
        text = c.as_text(raw)
        return column.normalise(text) if column.normalise else text

    def read_ref(self, target: str) -> None:
        f = self.spec.model_field(target)
        own, lent = self.parts(target)
        given = [(lk, col, v) for lk, col, v in own if v is not None]
        if not given:
            self.refs[target] = None
            if not f.null and not self.failed_cells(own):
                self.error(own[0][1], "", _("必填"))
            if not f.null:
                self.failed.add(target)
            return
        blank = [col for _lk, col, v in own if v is None]
        if blank or any(v is None for *_x, v in lent):
            names = "、".join(str(self.spec.header_of(col)) for _lk, col, _v in own)
            self.error((blank or [own[0][1]])[0], "", _("引用须同时填写：%(names)s") % {"names": names})
            self.failed.add(target)
            return
        filters = {lk: v for lk, _col, v in [*own, *lent]} | self.fixed(target)
        if f.related_model is self.spec.model:
            self.self_refs.append((target, filters, own[-1][1]))
            return
        found = self.find(target, f.related_model, filters, own)
        if found is None:
            self.failed.add(target)
        self.refs[target] = found

    def read_list(self, target: str) -> None:
        f = self.spec.model_field(target)
        own, lent = self.parts(target)
        listed = [(lk, col, v) for lk, col, v in own if col.path == f"{target}.{lk}"]
        lookup, column, items = listed[0]
        shared = {lk: v for lk, _col, v in lent if v is not None} | self.fixed(target)
        found, missing = [], []
        for item in items or []:
            obj = self.lookup(f.related_model, shared | {lookup: item})
            if isinstance(obj, str):
                missing.append(item)
            else:
                found.append(obj)
        if missing:
            what = f.related_model._meta.verbose_name
            rule = _("未找到%(what)s：%(items)s") % {"what": what, "items": "、".join(map(str, missing))}
            self.error(column, c.as_text(self.cells[column]), rule)
            self.failed.add(target)
        self.lists[target] = found

    def find(self, target: str, model: Any, filters: dict[str, Any], own: list[Any]) -> Any:
        obj = self.lookup(model, filters)
        if not isinstance(obj, str):
            return obj
        column = own[-1][1]
        shown = " / ".join(str(v) for _lk, _col, v in own)
        what = model._meta.verbose_name
        rule = _("匹配到多条%(what)s，请补充信息") if obj == "many" else _("未找到%(what)s")
        self.error(column, shown, rule % {"what": what})
        return None

    def fixed(self, target: str) -> dict[str, Any]:
        extra = self.spec.ref_filters.get(target)
        return extra() if extra else {}

    def failed_cells(self, own: list[tuple[str, Column, Any]]) -> bool:
        return any(col is e for _lk, col, _v in own for e, *_rest in self.errors)

    # --- the instance ----------------------------------------------------------------------------
    def key(self) -> tuple[Any, ...] | None:
        parts = []
        for name in self.spec.key:
            if name in self.failed:
                return None
            if name in self.values:
                parts.append(self.values[name])
            elif name in self.refs and self.refs[name] is not None:
                parts.append(self.refs[name])
            else:
                return None
        return tuple(parts)

    def key_text(self) -> str:
        key = self.key() or ()
        return " / ".join(str(getattr(v, "pk", v)) if isinstance(v, models.Model) else str(v) for v in key)

    def key_error(self, rule: str) -> None:
        columns = [col for name in self.spec.key for col in self.spec.columns_for(name) if col in self.cells]
        column = columns[-1] if columns else None
        self.error(column, c.as_text(self.cells[column]) if column else "", rule)

    def build(self) -> tuple[Any, dict[str, Any] | None]:
        key = self.key()
        model = self.spec.model
        existing = model.objects.filter(**dict(zip(self.spec.key, key, strict=True))).first() if key else None
        obj = existing if existing is not None else model()
        before = self.snapshot(existing) if existing is not None else None
        for name, value in (self.values | self.refs).items():
            setattr(obj, name, value)
        return obj, before

    def snapshot(self, obj: Any) -> dict[str, Any]:
        skip = {"created_at", "updated_at", obj._meta.pk.attname}
        return {
            f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip
        }

    def validate(self, obj: Any) -> None:
        meta = obj._meta
        exclude = {f.name for f in meta.get_fields() if f.many_to_many or not getattr(f, "editable", True)}
        exclude |= self.failed | {t for t, *_r in self.self_refs}
        try:
            if self.errors:
                obj.clean_fields(exclude=exclude)
            else:
                obj.full_clean(exclude=exclude)
        except ValidationError as exc:
            self.add_validation_error(exc)
        if self.errors:
            return
        for check in self.spec.checks:
            for name, message in check(obj, self.lists).items():
                self.error(self.column_of(name), self.value_of(name), str(message))
        for warn in self.spec.warnings:
            for name, message in warn(obj):
                self.warns.append((self.column_of(name), self.value_of(name), str(message)))

    def add_validation_error(self, exc: ValidationError) -> None:
        details = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        for name, messages in details.items():
            column = None if name == NON_FIELD_ERRORS else self.column_of(name)
            for message in messages:
                self.error(column, self.value_of(name), str(message))

    def column_of(self, name: str) -> Column | None:
        present = [col for col in self.spec.columns_for(name) if col in self.cells]
        return present[-1] if present else None

    def value_of(self, name: str) -> str:
        column = self.column_of(name)
        if column is None or c.is_blank(self.cells[column]):
            return ""
        return c.as_text(self.cells[column])

    def lists_differ(self, obj: Any) -> bool:
        return any(
            set(getattr(obj, name).values_list("pk", flat=True)) != {o.pk for o in objs}
            for name, objs in self.lists.items()
        )

    def save_lists(self, obj: Any) -> None:
        for name, objs in self.lists.items():
            manager = getattr(obj, name)
            if set(manager.values_list("pk", flat=True)) != {o.pk for o in objs}:
                manager.set(objs)

    def deferred(self, obj: Any) -> list[SelfRef]:
        return [SelfRef(self, obj, *ref) for ref in self.self_refs]

    # --- problems --------------------------------------------------------------------------------
    def error(self, column: Column | None, value: str, rule: str) -> None:
        self.errors.append((column, value, rule))

    def problems(self) -> list[RowProblem]:
        rows = [(*self.place(col), v, r, "error") for col, v, r in self.errors]
        return rows + [(*self.place(col), v, r, "warning") for col, v, r in self.warns]

    def place(self, column: Column | None) -> tuple[int, str, str]:
        if column is None or column not in self.header.columns:
            return self.excel_row, "", ""
        idx = self.header.columns[column]
        return self.excel_row, get_column_letter(idx + 1), self.header.labels[column]


class SelfRef:
    """A lookup into the sheet's own table, resolved once every row of the sheet is saved."""

    def __init__(
        self, row: RowReader, obj: Any, target: str, filters: dict[str, Any], column: Column
    ) -> None:
        self.row, self.obj, self.target, self.filters, self.column = row, obj, target, filters, column

    def resolve(self) -> RowProblem | None:
        found = _lookup(self.row.spec.model, self.filters)
        if isinstance(found, str):
            what = self.row.spec.model._meta.verbose_name
            value = " / ".join(str(v) for v in self.filters.values())
            return (*self.row.place(self.column), value, _("未找到%(what)s") % {"what": what}, "error")
        if getattr(self.obj, f"{self.target}_id") == found.pk:
            return None
        setattr(self.obj, self.target, found)
        with transaction.atomic():
            self.obj.save(update_fields=[self.target])
        return None


def read_cell(spec: TableSpec, column: Column, raw: Any) -> tuple[Any, ...]:
    """What one plain cell gives: ``("set", value)``, ``("skip",)`` (blank, the field's default stays) or
    ``("error", shown value, rule)``. Depends on the cell alone, so the bulk import asks once per distinct
    value of a column."""
    f = spec.model_field(column.target)
    if isinstance(raw, Unreadable):  # an error value or a formula without a result: never a blank
        return ("error", str(raw), raw.rule)
    if c.is_blank(raw):
        if spec.is_required(column):
            return ("error", "", _("必填"))
        if isinstance(f, models.BooleanField) or f.default is not models.NOT_PROVIDED:
            return ("skip",)
        return ("set", _blank_value(f))
    try:
        return ("set", parse_cell(spec, column, f, raw))
    except c.CellError as exc:
        return ("error", c.as_text(raw), exc.rule)


def parse_cell(spec: TableSpec, column: Column, f: Any, raw: Any) -> Any:
    kind = spec.kind_of(column)
    if kind is Kind.CHOICE:
        return _choice(f, raw)
    parsers: dict[Kind, Callable[[Any], Any]] = {
        Kind.TEXT: c.as_text,
        Kind.CODE: c.as_code,
        Kind.INT: lambda v: c.as_int(v, percent=column.percent),
        Kind.DECIMAL: lambda v: c.as_decimal(v, percent=column.percent),
        Kind.DATE: c.as_date,
        Kind.BOOL: c.as_bool,
        Kind.NAMES: c.as_names,
    }
    value = parsers[kind](raw)
    return column.normalise(value) if column.normalise and isinstance(value, str) else value


def _lookup(model: Any, filters: dict[str, Any]) -> Any:
    """The one row matching ``filters`` (text tried as typed, then with full-width forms folded).

    Returns ``"none"`` or ``"many"`` instead of raising, so callers report and carry on.
    """
    tried = [filters]
    folded = {k: c.fold(v) if isinstance(v, str) else v for k, v in filters.items()}
    if folded != filters:
        tried.append(folded)
    for attempt in tried:
        rows = list(model.objects.filter(**attempt)[:2])
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            return "many"
    return "none"


def _blank_value(f: Any) -> Any:
    if isinstance(f, models.JSONField):
        return []
    return None if f.null else ""


def _choice(f: Any, raw: Any) -> Any:
    """A choice by its stored value or its label (Chinese or English), spaces and width ignored."""
    wanted = c.matching_key(c.as_text(raw))
    labels = []
    for value, label in f.choices:
        with translation.override("en"):
            english = str(label)
        with translation.override("zh-hans"):
            chinese = str(label)
        if wanted in {c.matching_key(str(value)), c.matching_key(chinese), c.matching_key(english)}:
            return value
        labels.append(chinese)
    raise c.CellError(_("应为以下之一：%(labels)s") % {"labels": "、".join(x for x in labels if x)})
