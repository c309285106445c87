"""Declarative description of one registry table as an Excel sheet.

A :class:`TableSpec` lists the sheet's columns; a :class:`Column` names its target with a *path*:

* ``"name"`` — a plain model field;
* ``"institution.code"`` — part of the natural key of a foreign key (``institution`` looked up by
  ``code``); several columns with the same prefix make a composite lookup
  (``"staff.institution__code"`` + ``"staff.staff_no"``);
* ``"divisions.code"`` on a many-to-many field — a "、"/","-separated list, one lookup per item; the other
  columns of the same prefix (usually given through ``also``) are filters shared by every item.

The same spec drives the template, the export and the import; no table has its own import code.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(enum.Enum):
    TEXT = "text"  # free text: only surrounding spaces are removed
    CODE = "code"  # identifiers: full-width forms folded (NFKC), every space at the ends removed
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"
    NAMES = "names"  # a JSON list of names typed as one separated line
    REF = "ref"  # part of a foreign-key lookup
    REFS = "refs"  # a separated list of many-to-many lookups


KIND_UNITS = {
    Kind.DATE: _("日期"),
    Kind.BOOL: _("是/否"),
    Kind.NAMES: _("多项用“、”分隔"),
    Kind.REFS: _("多项用“、”分隔"),
}
KIND_RULES = {
    Kind.TEXT: _("文本"),
    Kind.CODE: _("代码，全角字符和首尾空格会自动规范化"),
    Kind.INT: _("整数，可含千位分隔符"),
    Kind.DECIMAL: _("数字，可含千位分隔符"),
    Kind.DATE: _("日期，如 2024-01-05、2024/1/5、2024年1月5日"),
    Kind.BOOL: _("是 或 否"),
    Kind.CHOICE: _("从下拉列表中选择"),
    Kind.NAMES: _("名称列表，用“、”或逗号分隔"),
    Kind.REF: _("须为系统中已有（或同一文件中导入）的编号"),
    Kind.REFS: _("编号列表，用“、”或逗号分隔，每项须已存在"),
}


@dataclass(frozen=True, eq=False)
class Column:
    """One sheet column. ``header``/``unit`` default to the model field's verbose name and kind."""

    path: str
    header: Any = None
    unit: Any = None
    kind: Kind | None = None
    required: bool | None = None
    note: Any = ""
    also: tuple[str, ...] = ()  # further lookup paths fed with this column's value
    normalise: Callable[[str], str] | None = None
    percent: bool = False  # a "%" typed after the number is accepted (and dropped)
    width: int = 16

    @property
    def target(self) -> str:
        """The model field this column writes (the foreign key for a lookup column)."""
        return self.path.split(".", 1)[0]

    @property
    def lookup(self) -> str:
        return self.path.split(".", 1)[1] if "." in self.path else ""


@dataclass(frozen=True)
class ColumnRules:
    """A model's ``clean()`` and a spec's warnings re-expressed over whole columns, for the column import
    (:mod:`qiangji.web.excel.fast`). Each gets a :class:`~qiangji.web.excel.fast.FieldColumns` (one
    array per field, ``related(field, attname)`` for a looked-up row's attribute) and returns only the
    rows that break a rule: ``{row: {field: message}}`` in the order ``clean()`` builds its dict, and
    ``{row: [(field, message)]}`` as the warnings function lists them. A test proves each equal to the
    per-row function it re-expresses."""

    errors: Callable[[Any], dict[int, dict[str, Any]]]
    warnings: Callable[[Any], dict[int, list[tuple[str, Any]]]]


@dataclass(frozen=True, eq=False)
class TableSpec:
    """A registry table as a sheet: model, names, columns, natural key and extra row checks.

    ``key`` lists the model fields (foreign keys by name) that identify a row: an imported row whose key
    matches a stored row updates it, otherwise a new row is created (upsert by natural key).
    ``checks`` get the unsaved instance and the resolved many-to-many lists and return ``{field: msg}``;
    ``warnings`` get the instance and return ``[(field, msg)]`` shown without refusing the row.
    ``ref_filters`` add fixed filters to a lookup (e.g. the catalogue version in use).
    ``column_rules`` (the model's ``clean()`` and the ``warnings`` over whole columns) let a large sheet
    of the table be imported column by column (:mod:`qiangji.web.excel.fast`).
    """

    name: str
    model: type[models.Model]
    sheet: Any
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    checks: tuple[Callable[[Any, dict[str, list[Any]]], dict[str, Any]], ...] = ()
    warnings: tuple[Callable[[Any], list[tuple[str, Any]]], ...] = ()
    ref_filters: dict[str, Callable[[], dict[str, Any]]] = field(default_factory=dict)
    note: Any = ""
    column_rules: ColumnRules | None = None

    def model_field(self, name: str) -> Any:
        return self.model._meta.get_field(name)

    def kind_of(self, column: Column) -> Kind:
        if column.kind is not None:
            return column.kind
        f = self.model_field(column.target)
        if column.lookup:
            return Kind.REFS if f.many_to_many else Kind.REF
        return _kind_of_field(f)

    def is_required(self, column: Column) -> bool:
        if column.required is not None:
            return column.required
        f = self.model_field(column.target)
        if f.many_to_many or isinstance(f, models.BooleanField):
            return False
        return not f.blank and f.default is models.NOT_PROVIDED

    def header_of(self, column: Column) -> Any:
        return column.header if column.header is not None else self.model_field(column.target).verbose_name

    def unit_of(self, column: Column) -> Any:
        if column.unit is not None:
            return column.unit
        return KIND_UNITS.get(self.kind_of(column), "")

    def lookup_field(self, column: Column, lookup: str | None = None) -> Any:
        """The field at the end of a lookup path ("staff.institution__code" → ``Institution.code``)."""
        model = self.model_field(column.target).related_model
        parts = (lookup if lookup is not None else column.lookup).split("__")
        for part in parts[:-1]:
            model = model._meta.get_field(part).related_model
        return model._meta.get_field(parts[-1])

    def columns_for(self, target: str) -> list[Column]:
        """Columns that write ``target`` (directly, as a lookup part, or through ``also``)."""
        return [
            c for c in self.columns if c.target == target or any(a.startswith(f"{target}.") for a in c.also)
        ]


def _kind_of_field(f: Any) -> Kind:
    if f.choices:
        return Kind.CHOICE
    if isinstance(f, models.BooleanField):
        return Kind.BOOL
    if isinstance(f, models.DateField):
        return Kind.DATE
    if isinstance(f, models.DecimalField | models.FloatField):
        return Kind.DECIMAL
    if isinstance(f, models.IntegerField):
        return Kind.INT
    if isinstance(f, models.JSONField):
        return Kind.NAMES
    return Kind.TEXT
