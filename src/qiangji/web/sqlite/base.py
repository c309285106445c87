"""The back end proper (package docstring): Django's SQLite wrapper with a guarded ``flush``."""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base, operations

from qiangji.web.sqlite import MAINTENANCE_OFF, MAINTENANCE_ON, MAINTENANCE_TABLE


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        sql: list[str] = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not sql or MAINTENANCE_TABLE not in self.connection.introspection.table_names():
            return sql
        return [MAINTENANCE_ON, *sql, MAINTENANCE_OFF]  # execute_sql_flush runs them in one transaction


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
