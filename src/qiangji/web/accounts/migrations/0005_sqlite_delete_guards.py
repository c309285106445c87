"""SQLite: audit events can no longer be deleted either (PostgreSQL refuses since 0002).

Until now SQLite refused only UPDATE, because Django empties SQLite tables with DELETE between
transactional tests and in ``flush``. The DELETE trigger stands down while the one-row maintenance table
(:mod:`qiangji.web.sqlite`) holds a row, which only that back end's ``flush`` and a restore into an empty
database set, inside their own transaction. The table is created here; publication's guard uses it too.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARD = [
    "CREATE TABLE IF NOT EXISTS qiangji_maintenance (reason TEXT NOT NULL)",
    """CREATE TRIGGER accounts_auditevent_no_delete BEFORE DELETE ON accounts_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM qiangji_maintenance)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only (DELETE refused)'); END""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_delete",
    "DROP TABLE IF EXISTS qiangji_maintenance",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_audit_backup_restore")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
