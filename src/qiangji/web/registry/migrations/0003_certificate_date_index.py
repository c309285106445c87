"""PostgreSQL only: an index on the certificates' verification date, for a period of every institution.

The set-based audit (registry/audit.py) reads a date range of every institution; (institution, verified_on)
serves one institution's period. PostgreSQL's planner, with its statistics, takes this index for a month of a
multi-year table and a sequential scan for the whole of a one-year one. SQLite has no such statistics for
ranges and would take the index even for the whole year, which measured 2.6 times slower than a scan
(300,000 certificates): so it is not created there.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEX = "vcert_verified_on"
TABLE = "registry_verificationcertificate"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (verified_on)")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_previous_assessment")]

    operations = [migrations.RunPython(create, drop)]
