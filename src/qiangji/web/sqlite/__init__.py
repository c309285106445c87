"""Django's SQLite back end with qiangji's guard switch (``ENGINE: "qiangji.web.sqlite"``).

SQLite has no TRUNCATE, so Django empties tables with DELETE (``flush``: between transactional tests, the
``flush`` command), which the DELETE triggers guarding the audit trail and final publications would refuse.
Those triggers stand down while the one-row table :data:`MAINTENANCE_TABLE` holds a row; only
:func:`maintenance` (a restore into an empty database) and this back end's ``flush`` set it, inside the
transaction that deletes, so it is never left set. A QuerySet ``delete()``, raw SQL from the application or
another client without it is refused, as on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAINTENANCE_TABLE = "qiangji_maintenance"
#: The trigger condition "not during a maintenance delete" (see the trigger migrations).
NOT_IN_MAINTENANCE = f"NOT EXISTS (SELECT 1 FROM {MAINTENANCE_TABLE})"
MAINTENANCE_ON = f"INSERT INTO {MAINTENANCE_TABLE} (reason) VALUES ('flush')"
MAINTENANCE_OFF = f"DELETE FROM {MAINTENANCE_TABLE}"


@contextmanager
def maintenance(cursor: Any) -> Iterator[None]:
    """Let the SQLite DELETE guards stand down for the deletes in this block (call inside a transaction,
    so an error rolls the switch back with the deletes)."""
    cursor.execute(MAINTENANCE_ON)
    try:
        yield
    finally:
        cursor.execute(MAINTENANCE_OFF)
