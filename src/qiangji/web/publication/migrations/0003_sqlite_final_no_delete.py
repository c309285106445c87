"""SQLite: a final publication can no longer be deleted past the model either (a QuerySet ``delete()``,
raw SQL), as on PostgreSQL since 0002. The trigger stands down only during a maintenance delete (the
SQLite back end's ``flush``, a restore into an empty database: see :mod:`qiangji.web.sqlite` and
accounts 0005, which creates the maintenance table)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARD = """CREATE TRIGGER publication_final_no_delete BEFORE DELETE ON publication_publication
   WHEN OLD.status = 'final' AND NOT EXISTS (SELECT 1 FROM qiangji_maintenance)
   BEGIN SELECT RAISE(ABORT, 'final publication is immutable'); END"""
BACKWARD = "DROP TRIGGER IF EXISTS publication_final_no_delete"


def _run(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("publication", "0002_immutability_triggers"), ("accounts", "0005_sqlite_delete_guards")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
