"""The three default goals of the programme (idempotent: existing goals are left as they are)."""

from typing import Any

from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    from qiangji.web.programme.defaults import ensure_default_goals

    ensure_default_goals(apps.get_model("programme", "Goal"))


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
