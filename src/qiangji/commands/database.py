"""Starting Django for the database commands (`web`, `period`, `production` share it)."""

from __future__ import annotations

import os


def setup_django(data_dir: str | None = None) -> None:
    """Point Django at the configured database (DATA_DIR or DATABASE_URL) and initialise it."""
    if data_dir:
        os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiangji.web.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
