"""In-memory answers to the importer's lookups, and the model rules checked without a query per row.

:class:`Index` loads a referenced table once (one query per distinct set of lookup paths) and answers
``lookup(model, filters)`` exactly as :func:`qiangji.web.excel.rows._lookup` does: the one row matching, or
``"none"`` / ``"many"``; text tried as typed, then with full-width forms folded. Exact equality, like the
database's ``=`` on the project's columns (case-sensitive text, integers).

:func:`condition_holds` evaluates a :class:`~django.db.models.CheckConstraint` condition on an unsaved
instance in Python, with SQL's three-valued logic (a condition that is unknown passes, as the database's
CHECK and Django's own validation let it pass). Only simple shapes are understood (comparisons of a field
with a literal or another field, ``isnull``, ``in``, AND/OR/NOT); anything else raises :class:`Unsupported`
and the caller asks the database as ``Model.validate_constraints`` does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import F, Q

from qiangji.web.excel import cells as c


class Index:
    """Lookups answered from memory; each (model, fields) pair is loaded with one query on first use."""

    def __init__(self) -> None:
        self.keys: dict[tuple[Any, tuple[str, ...]], dict[tuple[Any, ...], list[Any]]] = {}
        self.rows: dict[Any, dict[Any, models.Model]] = {}

    def __call__(self, model: Any, filters: dict[str, Any]) -> Any:
        tried = [filters]
        folded = {k: c.fold(v) if isinstance(v, str) else v for k, v in filters.items()}
        if folded != filters:
            tried.append(folded)
        names = tuple(sorted(filters))
        index = self.index(model, names)
        for attempt in tried:
            pks = index.get(tuple(attempt[n] for n in names), [])
            if len(pks) == 1:
                return self.row(model, pks[0])
            if len(pks) > 1:
                return "many"
        return "none"

    def index(self, model: Any, names: tuple[str, ...]) -> dict[tuple[Any, ...], list[Any]]:
        found = self.keys.get((model, names))
        if found is None:
            found = {}
            for pk, *values in model.objects.values_list("pk", *names).order_by():
                found.setdefault(tuple(values), []).append(pk)
            self.keys[model, names] = found
        return found

    def row(self, model: Any, pk: Any) -> models.Model:
        rows = self.rows.get(model)
        if rows is None:
            rows = self.rows[model] = model.objects.in_bulk()
        return rows[pk]


class Unsupported(Exception):
    """A condition this evaluator does not understand."""


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def condition_holds(q: Q, obj: models.Model) -> bool | None:
    """True, False or None (unknown) for ``q`` on ``obj``'s attribute values."""
    results = [_child(child, obj) for child in q.children]
    if q.connector == Q.AND:
        value = False if False in results else (None if None in results else True)
    else:
        value = True if True in results else (None if None in results else False)
    if q.negated:
        return None if value is None else not value
    return value


def _child(child: Any, obj: models.Model) -> bool | None:
    if isinstance(child, Q):
        return condition_holds(child, obj)
    if not isinstance(child, tuple):
        raise Unsupported(repr(child))
    path, rhs = child
    name, _sep, lookup = path.partition("__")
    left = _value(obj, name)
    if lookup == "isnull":
        return (left is None) is bool(rhs)
    right = _value(obj, rhs.name) if isinstance(rhs, F) else rhs
    if lookup == "in":
        return None if left is None else left in right
    if lookup == "range":
        return None if left is None else right[0] <= left <= right[1]
    compare = COMPARE.get(lookup or "exact")
    if compare is None or not _plain(right):
        raise Unsupported(path)
    return None if left is None or right is None else compare(left, right)


def _plain(value: Any) -> bool:
    return not hasattr(value, "resolve_expression")


def _value(obj: models.Model, name: str) -> Any:
    if "__" in name:
        raise Unsupported(name)
    return getattr(obj, obj._meta.get_field(name).attname)


def referenced(q: Q) -> set[str]:
    """The field names a condition reads."""
    names: set[str] = set()
    for child in q.children:
        if isinstance(child, Q):
            names |= referenced(child)
        elif isinstance(child, tuple):
            names.add(child[0].split("__", 1)[0])
            if isinstance(child[1], F):
                names.add(child[1].name.split("__", 1)[0])
    return names
