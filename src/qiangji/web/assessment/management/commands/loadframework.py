"""``manage.py loadframework [FILE]``: store a framework file as a version (idempotent by version)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qiangji.core.errors import InputError
from qiangji.web.assessment.frameworks import version_fields
from qiangji.web.assessment.models import FrameworkVersion


class Command(BaseCommand):
    help = "Store a framework file (default: the shipped tz-cap-2025.1.yaml) as a framework version."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="YAML or JSON framework file")

    def handle(self, *args: Any, **options: Any) -> None:
        from qiangji.web.assessment.frameworks import framework_text

        path = options.get("file")
        try:
            text = Path(path).read_text(encoding="utf-8") if path else framework_text()
            fields = version_fields(text)
        except (OSError, InputError) as exc:
            raise CommandError(str(exc)) from None
        existing = FrameworkVersion.objects.filter(version=fields["version"]).first()
        if existing is None:
            FrameworkVersion(version=fields["version"], source=text).save()
            self.stdout.write(f"framework version {fields['version']} stored")
        elif existing.sha256 != fields["sha256"]:
            raise CommandError(
                f"framework version {fields['version']} already exists with different content; "
                "give the file a new version number"
            )
        else:
            self.stdout.write(f"framework version {fields['version']} already stored, nothing changed")
