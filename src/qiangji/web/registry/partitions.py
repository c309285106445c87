"""The certificate table's year partitions on PostgreSQL (registry migration 0007; README, "Size: a city, a
province, a country"): which exist, and adding years.

The migration creates a partition per year up to two years ahead and a DEFAULT partition that takes any
other date, so a certificate is never refused for its year; a year without its own partition only loses
pruning. :func:`add_years` gives years their own partition, moving the DEFAULT partition's rows of those
years into it: the DEFAULT partition is detached for the move and attached again (PostgreSQL refuses a new
partition while the DEFAULT one holds rows of its range), all in one transaction. The rows move partition
to partition, not through the partitioned table, so the table's triggers do not fire and the key table
(``<table>_key``: certificate numbers unique across years, the target of the links to standards) keeps
its rows, as it should: the certificates stay the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.backends.utils import CursorWrapper

from qiangji.web.registry.models import VerificationCertificate

TABLE = VerificationCertificate._meta.db_table
DEFAULT = f"{TABLE}_default"


@dataclass(frozen=True)
class Partition:
    name: str
    year: int | None  # None: the DEFAULT partition


def partitioned(using: str = "default") -> bool:
    """Whether the certificate table is partitioned: PostgreSQL after migration 0007."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def partitions(using: str = "default") -> list[Partition]:
    """The partitions, by year, the DEFAULT one last."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = [Partition(n, None if n == DEFAULT else int(n.rsplit("_y", 1)[1])) for n in names]
    return sorted(found, key=lambda p: (p.year is None, p.year or 0))


def add_years(years: Iterable[int], using: str = "default") -> dict[int, int]:
    """Gives each of ``years`` without one its own partition; returns year → certificates moved into it
    from the DEFAULT partition (module docstring). Years that have one are left alone."""
    have = {p.year for p in partitions(using)}
    added: dict[int, int] = {}
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for year in sorted(set(years) - have):
            start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
            cursor.execute(
                f"SELECT COUNT(*) FROM {DEFAULT} WHERE verified_on >= %s AND verified_on < %s", [start, end]
            )
            waiting = int(cursor.fetchone()[0])
            if waiting:
                cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT}")
            cursor.execute(
                f"CREATE TABLE {TABLE}_y{year} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
                [start, end],
            )
            if waiting:
                _move(cursor, year, start, end)
                cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {DEFAULT} DEFAULT")
            added[year] = waiting
    return added


def _move(cursor: CursorWrapper, year: int, start: dt.date, end: dt.date) -> None:
    columns = ", ".join(f.column for f in VerificationCertificate._meta.concrete_fields)
    within = "verified_on >= %s AND verified_on < %s"
    cursor.execute(
        f"INSERT INTO {TABLE}_y{year} ({columns}) SELECT {columns} FROM {DEFAULT} WHERE {within}",
        [start, end],
    )
    cursor.execute(f"DELETE FROM {DEFAULT} WHERE {within}", [start, end])


def years_ahead(ahead: int, today: dt.date | None = None) -> range:
    """This year and the ``ahead`` years after it."""
    year = (today or dt.date.today()).year
    return range(year, year + ahead + 1)
