"""What the column import writes, as tuples: new rows, changed rows, links.

New rows are inserted in batches by :func:`qiangji.web.excel.bulk._write` (COPY on PostgreSQL, prepared
``executemany`` on SQLite), their keys fetched back in one query, their links inserted the same way. Changed
rows (compared field by field with the stored row, timestamps and key left out) are updated with one
prepared statement and get one audit event each with the values before and after; a stored row whose links
differ from the file's gets its links replaced and one many-to-many event. New rows are recorded by the
import's own record (the kept file and its SHA-256), not one event per row. Unchanged rows are not written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connection, models
from django.utils import timezone

from qiangji.web.accounts import audit
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.excel.bulk import _add_links, _drop_links, _m2m_event, _write
from qiangji.web.excel.columns import factorise
from qiangji.web.excel.setchecks import set_based

if TYPE_CHECKING:
    from qiangji.web.excel.fast import FieldColumns, Progress, Stored
    from qiangji.web.excel.spec import TableSpec

Array = np.ndarray[Any, Any]
UPDATE_BATCH = 5_000
SQLITE_CACHE_KIB = 256 * 1024
SKIP_COMPARE = {"created_at", "updated_at"}


class Writer:
    def __init__(
        self, spec: TableSpec, cols: FieldColumns, stored: Stored, lists: dict[str, tuple[Array, list[Any]]]
    ) -> None:
        self.spec, self.model, self.cols, self.stored, self.lists = spec, spec.model, cols, stored, lists
        meta = self.model._meta
        self.fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
        self.compared = [f for f in self.fields if f.attname not in SKIP_COMPARE]
        self.key_attnames = [meta.get_field(n).attname for n in spec.key]
        self.created: Array = np.empty(0, dtype=np.int64)
        self.changed: dict[int, list[str]] = {}
        self.link_changes: dict[str, list[tuple[int, set[Any], set[Any]]]] = {}

    # --- planning --------------------------------------------------------------------------------
    def plan(self, clean: Array, where: Array, keys: list[tuple[Any, ...] | None]) -> dict[str, int]:
        """``where``: each file row's stored row (-1: none)."""
        self.keys, self.where = keys, where
        self.created = clean[where[clean] < 0]
        old = clean[where[clean] >= 0]
        pk = self.model._meta.pk.attname
        self.pks = dict(zip(old.tolist(), self.stored.columns[pk][where[old]].tolist(), strict=True))
        self.compare(old)
        self.diff_links(old)
        for changes in self.link_changes.values():
            for i, _have, _want in changes:  # new links: saved, as the row-by-row import saved the row
                self.changed.setdefault(i, [])
        updated = len(self.changed)
        return {"created": len(self.created), "updated": updated, "unchanged": len(old) - updated}

    def compare(self, rows: Array) -> None:
        if not len(rows):
            return
        differs: dict[str, Array] = {}
        for f in self.compared:
            before = self.stored.columns[f.attname][self.where[rows]]
            differs[f.attname] = np.asarray(self.cols[f.attname][rows] != before, dtype=bool)
        for j in np.flatnonzero(np.logical_or.reduce(list(differs.values()))).tolist():
            self.changed[int(rows[j])] = [a for a, d in differs.items() if d[j]]

    def diff_links(self, rows: Array) -> None:
        if not len(rows):
            return
        pks = [self.pks[i] for i in rows.tolist()]
        for name, (inverse, lists) in self.lists.items():
            have = self.stored.links(name, pks)
            changes = []
            for i in rows.tolist():
                want, old = set(lists[inverse[i]]), have.get(self.pks[i], set())
                if want != old:
                    changes.append((i, old, want))
            self.link_changes[name] = changes

    # --- writing ---------------------------------------------------------------------------------
    def write(self, progress: Progress) -> None:
        with _page_cache(), set_based(self.model, len(self.created)):
            self.write_rows(progress)

    def write_rows(self, progress: Progress) -> None:
        if len(self.created):
            self.insert()
        progress(0.8)
        if self.changed:
            self.update()
        progress(0.9)
        self.relink()
        progress(1.0)

    def insert(self) -> None:
        rows, now, meta = self.created, timezone.now(), self.model._meta
        columns, names = [], [f.column for f in self.fields]
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.cols.values[f.attname][rows] = now
            columns.append(_prepared(f, self.cols[f.attname][rows]))
        ids = reserve_ids(self.model, len(rows))
        if ids is not None:
            columns.insert(0, ids)
            names.insert(0, meta.pk.column)
        _write(meta.db_table, names, list(zip(*columns, strict=True)))
        self.pks.update(zip(rows.tolist(), ids, strict=True) if ids is not None else self.new_pks().items())
        pairs = {
            name: [(self.pks[i], linked) for i in rows.tolist() for linked in lists[inverse[i]]]
            for name, (inverse, lists) in self.lists.items()
        }
        for name, found in pairs.items():
            _add_links(self.model, name, found)

    def new_pks(self) -> dict[int, Any]:
        """The keys the database gave the new rows, found by their natural keys (one query)."""
        wanted = {self.keys[i]: int(i) for i in self.created.tolist()}
        first = {k[0] for k in wanted}  # type: ignore[index]
        rows = self.model._base_manager.order_by()
        if len(first) <= 500:
            rows = rows.filter(**{f"{self.key_attnames[0]}__in": first})
        out = {}
        sql, params = rows.values_list("pk", *self.key_attnames).query.sql_with_params()
        with connection.cursor() as cursor:  # raw rows: keys need no conversion (text, integers, dates as the
            cursor.execute(sql, params)  # file gives them are compared after the ORM's conversion below)
            found = cursor.fetchall()
        convert = self.key_converters()
        for pk, *key in found:
            i = wanted.get(tuple(c(v) for c, v in zip(convert, key, strict=True)))
            if i is not None:
                out[i] = pk
        return out

    def key_converters(self) -> list[Any]:
        """Raw key values as the ORM gives them (SQLite returns a date as text)."""
        out: list[Any] = []
        for name in self.spec.key:
            f = self.model._meta.get_field(name)
            out.append(_as_date if isinstance(f, models.DateField) else _same)
        return out

    def update(self) -> None:
        """Changed rows: one prepared UPDATE per set of changed fields; one audit event per row."""
        now = timezone.now()
        stamp = [f for f in self.fields if getattr(f, "auto_now", False)]
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, names in self.changed.items():
            groups.setdefault(tuple(names), []).append(i)
            for f in stamp:
                self.cols.values[f.attname][i] = now
        meta, qn = self.model._meta, connection.ops.quote_name
        for group, members in groups.items():
            fields = [meta.get_field(a) for a in group] + stamp
            rows = np.asarray(members, dtype=np.int64)
            columns = [_prepared(f, self.cols[f.attname][rows]) for f in fields]
            sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
            sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s"
            params = [
                (*values, self.pks[i]) for values, i in zip(zip(*columns, strict=True), members, strict=True)
            ]
            with connection.cursor() as cursor:
                for start in range(0, len(params), UPDATE_BATCH):
                    cursor.executemany(sql, params[start : start + UPDATE_BATCH])
        before = {self.pks[i]: audit.snapshot(self.stored.instance(self.keys[i])) for i in self.changed}
        audit.record_bulk(AuditEvent.Action.UPDATE, [self.instance(i) for i in self.changed], before=before)

    def instance(self, i: int) -> models.Model:
        meta = self.model._meta
        names = [meta.pk.attname] + [f.attname for f in self.fields]
        return self.model.from_db(None, names, [self.pks[i]] + [self.cols[f.attname][i] for f in self.fields])

    def relink(self) -> None:
        events = []
        for name, changes in self.link_changes.items():
            if not changes:
                continue
            _drop_links(self.model, name, [self.pks[i] for i, _h, _w in changes])
            _add_links(
                self.model, name, [(self.pks[i], pk) for i, _h, want in changes for pk in sorted(want)]
            )
            for i, have, want in changes:
                events.append(_m2m_event(self.instance(i), name, sorted(have), sorted(want)))
        AuditEvent.objects.bulk_create(events, batch_size=500)


@contextmanager
def _page_cache() -> Iterator[None]:
    """On SQLite, a page cache big enough for the table's indexes while the rows go in (the default 2 MiB
    spills to the write-ahead log and reads it back: a quarter of the insert's time), then the old size."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (old,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(old)}")


def reserve_ids(model: Any, n: int) -> list[int] | None:
    """``n`` primary keys for new rows, taken from the table's sequence so that links need no second query
    for them; None when the key is not an auto-increment (the caller then reads them back).

    PostgreSQL: ``nextval`` of the identity sequence, as many times. SQLite: the statement that touches
    ``sqlite_sequence`` takes the database's write lock, which this transaction then holds until it ends,
    so nobody else inserts between reading the last key and using the next ones (AUTOINCREMENT then moves
    past them on its own)."""
    pk = model._meta.pk
    if not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField) or not n:
        return None
    table, qn = model._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"
            cursor.execute(sql, [table, pk.column, n])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            return None
        cursor.execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        cursor.execute(f"SELECT MAX({qn(pk.column)}) FROM {qn(table)}")
        top = cursor.fetchone()
    start = max(seq[0] if seq else 0, top[0] or 0) + 1
    return list(range(start, start + n))


def _same(value: Any) -> Any:
    return value


def _as_date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _prepared(f: Any, values: Array) -> list[Any]:
    """The field's database values, each distinct value converted once (text and whole numbers need no
    conversion)."""
    types = set(map(type, values))
    if isinstance(f, models.CharField | models.TextField) and types <= {str}:
        return values.tolist()  # type: ignore[no-any-return]
    if isinstance(f, models.IntegerField | models.ForeignKey) and types <= {int, type(None)}:
        return values.tolist()  # type: ignore[no-any-return]
    if len(types - {type(None)}) <= 1:  # one kind of value: pandas can number them without joining 1 and True
        try:
            codes, uniques = factorise(values)
        except TypeError:  # unhashable (a JSON list)
            return [f.get_db_prep_save(v, connection=connection) for v in values]
        done = np.empty(len(uniques), dtype=object)
        done[:] = [f.get_db_prep_save(v, connection=connection) for v in uniques]
        return done[codes].tolist()  # type: ignore[no-any-return]
    return [f.get_db_prep_save(v, connection=connection) for v in values]
