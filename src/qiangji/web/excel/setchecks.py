"""PostgreSQL: a large import's foreign keys checked once per constraint, by one query, instead of per row.

A foreign key is checked by a trigger per inserted row (deferred to the COMMIT here: Django declares them
``DEFERRABLE INITIALLY DEFERRED``). A million certificates carry six foreign keys and about one and a half
million links two more: ten million single-row look-ups, each locking the row it finds, which made the
COMMIT alone last minutes. The importer has already resolved every reference against the referenced tables
(:class:`~qiangji.web.excel.lookups.Index`: a name that matches no row, or several, is refused with its row,
column and rule before anything is written), so for a large import, inside the import's transaction:

1. the transaction's pending checks are run now (``SET CONSTRAINTS ALL IMMEDIATE``, then back to
   deferred): PostgreSQL refuses to alter a table with pending trigger events;
2. the foreign keys *of* the table and of its many-to-many link tables are dropped (on a partitioned table,
   the parent's constraint takes its partitions' copies with it);
3. the rows are written;
4. each constraint is added again under its own name and definition (``pg_get_constraintdef``): PostgreSQL
   validates it with one anti-join over the whole table (per partition), and a row that breaks it fails the
   statement, which rolls the import back (DDL is transactional) and lets the importer fall back to the
   row-by-row import, whose messages name the row (:meth:`~qiangji.web.excel.importer.SheetImport.run_bulk`).

Nothing outside the transaction ever sees the table without its constraints, but the ``ALTER TABLE`` holds
an ACCESS EXCLUSIVE lock on the table (and a SHARE ROW EXCLUSIVE lock on each referenced table) until the
import commits: other sessions' reads of the table wait for it (README, deployment). Re-validation reads
the whole table, so it is chosen only when the import's new rows are at least
``QIANGJI_IMPORT_SET_CHECK_ROWS`` and at least a ``1 / QIANGJI_IMPORT_SET_CHECK_SHARE`` share of the rows
already stored; a small import into a large table keeps the per-row checks. Measured on a million new
certificates: the eight constraints added again in 4 s, against 52 s of deferred checks at the COMMIT.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection


def chosen(model: Any, new_rows: int) -> bool:
    """Whether ``new_rows`` new rows of ``model`` are checked set-based (PostgreSQL only)."""
    if connection.vendor != "postgresql" or new_rows < int(settings.QIANGJI_IMPORT_SET_CHECK_ROWS):
        return False
    return new_rows * int(settings.QIANGJI_IMPORT_SET_CHECK_SHARE) >= _estimated_rows(model._meta.db_table)


def _estimated_rows(table: str) -> float:
    """The planner's row count of ``table`` and its partitions (no scan; -1, "never analysed", as 0)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(GREATEST(c.reltuples, 0)), 0) FROM pg_class c WHERE c.oid = %s::regclass"
            " OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)",
            [table, table],
        )
        return float(cursor.fetchone()[0])


def tables(model: Any) -> list[str]:
    """The model's table and its many-to-many link tables (whose rows the import writes too)."""
    out = [model._meta.db_table]
    for f in model._meta.many_to_many:
        through = f.remote_field.through
        if through._meta.auto_created:
            out.append(through._meta.db_table)
    return out


def foreign_keys(names: list[str]) -> list[tuple[str, str, str]]:
    """(table, constraint, definition) of the foreign keys declared on ``names`` (not the copies on
    partitions, which follow their parent's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conparentid = 0 AND conrelid = ANY(%s::regclass[])"
            " ORDER BY conrelid::regclass::text, conname",
            [names],
        )
        return [(str(t), str(n), str(d)) for t, n, d in cursor.fetchall()]


@contextmanager
def set_based(model: Any, new_rows: int) -> Iterator[None]:
    """Inside the import's transaction: the foreign keys of ``model``'s tables dropped while the block
    writes and added again (validated) after it, when :func:`chosen`; otherwise nothing."""
    if not chosen(model, new_rows):
        yield
        return
    found = foreign_keys(tables(model))
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        _run_pending(cursor)
        for table, name, _definition in found:
            cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in found:
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")


def _run_pending(cursor: Any) -> None:
    """Every check still pending in the transaction, run now (a violation fails here, as it would at
    COMMIT): PostgreSQL refuses to alter a table with pending trigger events, and adding a foreign key
    alters the referenced table too (an institution or staff sheet imported before, in the same
    transaction, leaves checks pending there). Then each constraint back to its declared mode."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname) FROM pg_constraint c"
        " JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.condeferrable AND NOT c.condeferred"
    )
    immediate = [row[0] for row in cursor.fetchall()]
    if immediate:
        cursor.execute(f"SET CONSTRAINTS {', '.join(immediate)} IMMEDIATE")


__all__ = ["chosen", "foreign_keys", "set_based", "tables"]
