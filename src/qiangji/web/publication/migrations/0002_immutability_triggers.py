"""Database-level guards: an index run is never updated; a final publication is never updated or deleted.

The model methods refuse and log first; these triggers also stop an UPDATE or DELETE issued past the ORM
(a queryset ``update()``, raw SQL, another client). On PostgreSQL UPDATE and DELETE are refused; on SQLite
UPDATE only, because Django empties SQLite tables with DELETE between transactional tests (PostgreSQL uses
TRUNCATE, which row triggers do not see); the model refuses deletion on every back end.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER publication_run_immutable BEFORE UPDATE ON publication_indexrun
       BEGIN SELECT RAISE(ABORT, 'index run is immutable'); END""",
    """CREATE TRIGGER publication_final_no_update BEFORE UPDATE ON publication_publication
       WHEN OLD.status = 'final' BEGIN SELECT RAISE(ABORT, 'final publication is immutable'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS publication_run_immutable",
    "DROP TRIGGER IF EXISTS publication_final_no_update",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION publication_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% on %: % is immutable', TG_OP, TG_TABLE_NAME, OLD.id; END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER publication_run_immutable BEFORE UPDATE ON publication_indexrun
       FOR EACH ROW EXECUTE FUNCTION publication_refuse_change()""",
    """CREATE TRIGGER publication_final_immutable BEFORE UPDATE OR DELETE ON publication_publication
       FOR EACH ROW WHEN (OLD.status = 'final') EXECUTE FUNCTION publication_refuse_change()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS publication_run_immutable ON publication_indexrun",
    "DROP TRIGGER IF EXISTS publication_final_immutable ON publication_publication",
    "DROP FUNCTION IF EXISTS publication_refuse_change()",
]


def _run(statements: dict[str, list[str]]):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)  # no %-interpolation: the SQL holds literal %

    return apply


class Migration(migrations.Migration):
    dependencies = [("publication", "0001_initial")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
