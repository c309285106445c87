"""A :class:`~django.db.models.CheckConstraint` condition evaluated over whole columns, with SQL's
three-valued logic, as :func:`qiangji.web.excel.lookups.condition_holds` evaluates it on one instance (a
condition that is unknown passes, as the database's CHECK and Django's validation let it pass). The same
shapes are understood (a field compared with a literal or another field, ``isnull``, ``in``, ``range``,
AND/OR/NOT); anything else raises :class:`~qiangji.web.excel.lookups.Unsupported`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import F, Q

from qiangji.web.excel.lookups import COMPARE, Unsupported

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Truth:
    """Per row: the condition holds (``true``), fails (``false``), or neither (unknown: a NULL)."""

    true: Array
    false: Array

    def negate(self) -> Truth:
        return Truth(self.false, self.true)


def column_condition(q: Q, cols: Any) -> Truth:
    """``q`` on every row of ``cols`` (``cols.n`` rows, ``cols.values[attname]`` object arrays)."""
    results = [_child(child, cols) for child in q.children]
    true, false = np.ones(cols.n, dtype=bool), np.zeros(cols.n, dtype=bool)
    if q.connector == Q.AND:
        for r in results:
            true &= r.true
            false |= r.false
    else:
        true, false = ~true, ~false
        for r in results:
            true |= r.true
            false &= r.false
    value = Truth(true, false)
    return value.negate() if q.negated else value


def _child(child: Any, cols: Any) -> Truth:
    if isinstance(child, Q):
        return column_condition(child, cols)
    if not isinstance(child, tuple):
        raise Unsupported(repr(child))
    path, rhs = child
    name, _sep, lookup = path.partition("__")
    left = _column(cols, name)
    missing = _nones(left)
    if lookup == "isnull":
        holds = missing == bool(rhs)
        return Truth(holds, ~holds)
    if lookup in ("in", "range"):
        test = (lambda v: v in rhs) if lookup == "in" else (lambda v: rhs[0] <= v <= rhs[1])
        holds = np.array([not m and bool(test(v)) for v, m in zip(left, missing, strict=True)], dtype=bool)
        return Truth(holds, ~holds & ~missing)
    compare = COMPARE.get(lookup or "exact")
    if compare is None or (hasattr(rhs, "resolve_expression") and not isinstance(rhs, F)):
        raise Unsupported(path)
    right = _column(cols, rhs.name) if isinstance(rhs, F) else np.full(cols.n, rhs, dtype=object)
    known = ~missing & ~_nones(right)
    holds = np.zeros(cols.n, dtype=bool)
    if known.any():
        holds[known] = np.asarray(compare(left[known], right[known]), dtype=bool)
    return Truth(holds, known & ~holds)


def _column(cols: Any, name: str) -> Array:
    if "__" in name:
        raise Unsupported(name)
    attname = cols.model._meta.get_field(name).attname
    values = cols.values.get(attname)
    return np.full(cols.n, None, dtype=object) if values is None else values


def _nones(values: Array) -> Array:
    return np.fromiter((v is None for v in values), dtype=bool, count=len(values))
