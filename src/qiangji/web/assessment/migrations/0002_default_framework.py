from django.db import migrations


def load_default(apps, schema_editor):
    from qiangji.web.assessment.frameworks import ensure_default_framework

    ensure_default_framework(apps.get_model("assessment", "FrameworkVersion"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(load_default, migrations.RunPython.noop)]
