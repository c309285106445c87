"""PostgreSQL only: the certificate table partitioned by year of verification (README, "Size: a city, a
province, a country"). SQLite keeps its plain table, and Django's model state does not change.

What declarative partitioning (``PARTITION BY RANGE (verified_on)``) requires, and how it is met:

* The primary key must contain the partition key: it becomes ``(id, verified_on)``. ``id`` alone stays
  unique through the key table below.
* A unique constraint must contain the partition key, and one index per partition cannot see the other
  years: ``(institution, cert_no)``, unique across years, moves to the *key table*
  ``registry_verificationcertificate_key`` (``id`` primary key, ``institution_id``, ``cert_no``) under its
  old name ``vcert_unique_no``. Statement-level triggers on the partitioned table with transition tables keep
  it in the same statement as every write through the table: INSERT (the ORM, ``bulk_create``, the
  importer's COPY, the API batch through the importer), UPDATE (a changed year moves the row to another
  partition; PostgreSQL reports it to the UPDATE trigger with its old and new row, so its key row stays)
  and DELETE. A TRUNCATE of the certificate table (Django's test flush, a restore) empties it too.
* A foreign key must reference a unique key of the referenced table: the certificate–standard link (the
  many-to-many table, the only foreign key into certificates) references the key table's ``id`` instead,
  with its old name and deferral, so a link to a missing certificate is still refused at commit.

Write through the partitioned table only: a statement on one partition does not fire the table's triggers
(:mod:`qiangji.web.registry.partitions` relies on that to move rows between partitions). A later migration
that changes ``vcert_unique_no`` on PostgreSQL must change it on the key table.

Partitions: one per calendar year from five years before the migration's year (or the earliest year
stored, at most fifteen back) to two years after it, named ``<table>_y<year>``, and ``<table>_default``
for any other date; ``qiangji manage certificate_partitions`` adds years (README). The reverse migration
rebuilds the plain table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import migrations

TABLE = "registry_verificationcertificate"
KEYS = f"{TABLE}_key"
OLD = f"{TABLE}_rebuilt"
UNIQUE = "vcert_unique_no"
PARTITION_KEY = "verified_on"
FUNCTION = "registry_vcert_keys"
BACK, AHEAD, FURTHEST = 5, 2, 15

KEY_TABLE = f"""CREATE TABLE {KEYS} (
    id bigint PRIMARY KEY,
    institution_id bigint NOT NULL,
    cert_no text NOT NULL,
    CONSTRAINT {UNIQUE} UNIQUE (institution_id, cert_no))"""
# One function for every trigger; `new_rows`/`old_rows` are the statement's transition tables.
KEY_FUNCTION = f"""CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {KEYS} (id, institution_id, cert_no) SELECT id, institution_id, cert_no FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Almost every update keeps the keys (a year changed included): one pass over the two transition
        -- tables says so, without touching the key table. Otherwise the changed keys are replaced.
        IF EXISTS (SELECT 1 FROM old_rows o FULL JOIN new_rows n
                   ON n.id = o.id AND n.institution_id = o.institution_id AND n.cert_no = o.cert_no
                   WHERE o.id IS NULL OR n.id IS NULL) THEN
            DELETE FROM {KEYS} k USING old_rows o WHERE k.id = o.id AND NOT EXISTS (SELECT 1 FROM new_rows n
                WHERE n.id = o.id AND n.institution_id = o.institution_id AND n.cert_no = o.cert_no);
            INSERT INTO {KEYS} (id, institution_id, cert_no) SELECT n.id, n.institution_id, n.cert_no
                FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM old_rows o
                WHERE o.id = n.id AND o.institution_id = n.institution_id AND o.cert_no = n.cert_no);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM {KEYS} k USING old_rows o WHERE k.id = o.id;
    ELSE
        DELETE FROM {KEYS};
    END IF;
    RETURN NULL;
END $$"""
TRIGGERS = (
    ("insert", "INSERT", "REFERENCING NEW TABLE AS new_rows"),
    ("update", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("delete", "DELETE", "REFERENCING OLD TABLE AS old_rows"),
    ("truncate", "TRUNCATE", ""),
)


def _rows(cursor: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    cursor.execute(sql, params)
    return list(cursor.fetchall())


class Definition:
    """What the rebuild must put back on the new table: read from the catalogue before the old one goes."""

    def __init__(self, cursor: Any, referenced: str) -> None:
        rel = (TABLE,)
        self.columns = [
            r[0]
            for r in _rows(
                cursor,
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                " AND NOT attisdropped ORDER BY attnum",
                rel,
            )
        ]
        self.indexes = [
            r[0].replace(" ON ONLY ", " ON ")  # a partitioned table's index reads "ON ONLY"
            for r in _rows(
                cursor,
                """SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass
                AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)""",
                rel,
            )
        ]
        self.constraints = _rows(
            cursor,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('c', 'f') ORDER BY conname",
            rel,
        )
        # Foreign keys into the certificates (the link to standards), on `referenced` today.
        self.references = _rows(
            cursor,
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE confrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            (referenced,),
        )
        self.primary = _rows(
            cursor, "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", rel
        )[0][0]
        seq = _rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", rel)[0][0]
        self.next_id = _rows(cursor, f"SELECT nextval('{seq}')")[0][0]


def _years(cursor: Any) -> range:
    this = dt.date.today().year
    first = _rows(cursor, f"SELECT MIN(EXTRACT(YEAR FROM {PARTITION_KEY}))::int FROM {TABLE}")[0][0]
    start = max(min(this - BACK, first or this), this - FURTHEST)
    return range(start, this + AHEAD + 1)


def _swap(cursor: Any, d: Definition, partitioned: bool, years: range) -> None:
    """The table renamed away, a new one (partitioned or plain) filled from it, the old one dropped."""
    for table, name, _definition in d.references:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    cursor.execute(f"ALTER TABLE {OLD} ALTER COLUMN id DROP IDENTITY")
    by = f" PARTITION BY RANGE ({PARTITION_KEY})" if partitioned else ""
    cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING STORAGE){by}")
    if partitioned:
        for year in years:
            cursor.execute(
                f"CREATE TABLE {TABLE}_y{year} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
                (dt.date(year, 1, 1), dt.date(year + 1, 1, 1)),
            )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
    columns = ", ".join(d.columns)
    cursor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {OLD}")
    cursor.execute(f"DROP TABLE {OLD}")
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START {d.next_id})")
    primary = f"id, {PARTITION_KEY}" if partitioned else "id"
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {d.primary} PRIMARY KEY ({primary})")
    for name, definition in d.constraints:
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
    for index in d.indexes:
        cursor.execute(index)


def _link(cursor: Any, d: Definition, old: str, new: str) -> None:
    for table, name, definition in d.references:
        definition = definition.replace(f"REFERENCES {old}(", f"REFERENCES {new}(")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def partition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        unique = _rows(
            cursor,
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
            (TABLE,),
        )
        if unique != [(UNIQUE,)]:  # another unique set would need a key table of its own
            raise RuntimeError(f"{TABLE}: unexpected unique constraints {unique}")
        d = Definition(cursor, TABLE)
        _swap(cursor, d, partitioned=True, years=_years(cursor))
        cursor.execute(KEY_TABLE)
        cursor.execute(f"INSERT INTO {KEYS} SELECT id, institution_id, cert_no FROM {TABLE}")
        cursor.execute(KEY_FUNCTION)
        for name, event, transition in TRIGGERS:
            cursor.execute(
                f"CREATE TRIGGER vcert_keys_{name} AFTER {event} ON {TABLE} {transition}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )
        _link(cursor, d, TABLE, KEYS)


def unpartition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        d = Definition(cursor, KEYS)
        _swap(cursor, d, partitioned=False, years=range(0))
        cursor.execute(f"DROP TABLE {KEYS}")
        cursor.execute(f"DROP FUNCTION {FUNCTION}()")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {UNIQUE} UNIQUE (institution_id, cert_no)")
        _link(cursor, d, KEYS, TABLE)


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_audit_indexes")]

    operations = [migrations.RunPython(partition, unpartition)]
