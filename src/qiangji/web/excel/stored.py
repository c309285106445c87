"""The stored rows of an import's natural keys, fetched in one query and kept as columns.

The ORM would build a tuple per row and convert every value (a date from SQLite's text, a decimal from its
float) one by one; here the query the ORM compiles is run as it is and each column's *distinct* raw values
are converted with the ORM's own converters (:func:`raw_columns`), so a million stored rows cost a query
and a few conversions per distinct value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db import connections, models
from django.db.models import QuerySet

from qiangji.web.excel.columns import factorise
from qiangji.web.excel.spec import TableSpec

Array = np.ndarray[Any, Any]
#: A file with at most this many distinct first key parts (e.g. institutions) reads only their rows.
FILTER_FIRST = 500
LINK_CHUNK = 10_000
ARRAY_CHUNK = 200_000


def raw_columns(qs: QuerySet[Any]) -> list[Array]:
    """The columns of ``qs.values_list(...)``, each value as the ORM would give it."""
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    connection = connections[qs.db]
    converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    width = len(compiler.select)
    columns = [np.empty(len(rows), dtype=object) for _ in range(width)]
    for position, values in enumerate(zip(*rows, strict=True) if rows else [()] * width):
        columns[position][:] = values
        if position in converters:
            convs, expression = converters[position]
            _convert(columns[position], convs, expression, connection)
    return columns


def _convert(values: Array, convs: list[Any], expression: Any, connection: Any) -> None:
    """Each distinct raw value converted once (a database column holds one type of value, or NULL)."""
    codes, uniques = factorise(values)
    done = np.empty(len(uniques), dtype=object)
    for j, raw in enumerate(uniques):
        for conv in convs:
            raw = conv(raw, expression, connection)
        done[j] = raw
    values[:] = done[codes]


class Stored:
    """Stored rows whose natural key is among ``keys`` (pks for foreign keys), as columns by attname."""

    def __init__(self, spec: TableSpec, keys: list[tuple[Any, ...] | None]) -> None:
        self.model = spec.model
        meta = self.model._meta
        self.attnames = [f.attname for f in meta.concrete_fields]
        self.key_attnames = [meta.get_field(n).attname for n in spec.key]
        self.first_key = spec.key[0]
        self.where: dict[tuple[Any, ...], int] = {}
        self.columns: dict[str, Array] = {a: np.empty(0, dtype=object) for a in self.attnames}
        wanted = {k for k in keys if k is not None}
        if wanted:
            self.load(wanted)

    def rows(self, firsts: set[Any]) -> QuerySet[Any]:
        """The table's rows, only those of ``firsts`` when they are few."""
        rows = self.model._base_manager.order_by()
        if len(firsts) <= FILTER_FIRST:
            rows = rows.filter(**{f"{self.key_attnames[0]}__in": firsts})
        return rows

    def load(self, wanted: set[tuple[Any, ...]]) -> None:
        columns = raw_columns(self.rows({k[0] for k in wanted}).values_list(*self.attnames))
        by_name = dict(zip(self.attnames, columns, strict=True))
        keys = list(zip(*(by_name[a].tolist() for a in self.key_attnames), strict=True))
        keep = [i for i, key in enumerate(keys) if key in wanted]
        self.where = {keys[i]: j for j, i in enumerate(keep)}
        index = np.asarray(keep, dtype=np.int64)
        self.columns = {a: values[index] for a, values in by_name.items()}

    def row_of(self, key: tuple[Any, ...] | None) -> int | None:
        return None if key is None else self.where.get(key)

    def value(self, key: tuple[Any, ...] | None, attname: str) -> Any:
        return self.columns[attname][self.where[key]]  # type: ignore[index]

    def instance(self, key: tuple[Any, ...] | None) -> models.Model:
        j = self.where[key]  # type: ignore[index]
        return self.model.from_db(None, self.attnames, [self.columns[a][j] for a in self.attnames])

    def links(self, name: str, pks: list[Any]) -> dict[Any, set[Any]]:
        """pk → linked pks of the many-to-many ``name`` for the stored rows ``pks``: look-ups by the link
        table's index, in chunks (no join: a planner misled by the statistics of tables filled in the same
        transaction would loop over both)."""
        f = self.model._meta.get_field(name)
        through = f.remote_field.through
        own, other = f.m2m_field_name(), f.m2m_reverse_field_name()
        found: dict[Any, set[Any]] = {}
        db = connections[through.objects.db]
        if db.vendor == "postgresql":  # one array parameter per chunk: the ORM's IN (%s, …) of ten
            return _links_by_array(db, through, own, other, pks)  # thousand parameters cost 1.3 s a chunk
        size = min(db.features.max_query_params or LINK_CHUNK, LINK_CHUNK)
        for start in range(0, len(pks), size):
            rows = through.objects.order_by().filter(**{f"{own}__in": pks[start : start + size]})
            mine, theirs = raw_columns(rows.values_list(own, other))
            for pk, linked in zip(mine.tolist(), theirs.tolist(), strict=True):
                found.setdefault(pk, set()).add(linked)
        return found


def _links_by_array(db: Any, through: Any, own: str, other: str, pks: list[Any]) -> dict[Any, set[Any]]:
    meta, qn = through._meta, db.ops.quote_name
    mine, theirs = (qn(meta.get_field(n).column) for n in (own, other))
    sql = f"SELECT {mine}, {theirs} FROM {qn(meta.db_table)} WHERE {mine} = ANY(%s)"
    found: dict[Any, set[Any]] = {}
    with db.cursor() as cursor:
        for start in range(0, len(pks), ARRAY_CHUNK):
            cursor.execute(sql, [pks[start : start + ARRAY_CHUNK]])
            for pk, linked in cursor.fetchall():
                found.setdefault(pk, set()).add(linked)
    return found
