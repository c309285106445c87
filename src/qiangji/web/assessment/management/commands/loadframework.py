"""``manage.py loadframework [FILE] [--check]``: store a framework file as a new version.

A file whose version number is stored already loads as a no-op if its content is the same and is refused
if it differs (`qiangji.web.assessment.frameworks`: a stored version never changes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qiangji.core.errors import InputError
from qiangji.web.assessment.frameworks import (
    DEFAULT_FRAMEWORK,
    check_same_content,
    framework_text,
    shipped_path,
    store_framework,
    version_fields,
)
from qiangji.web.assessment.models import FrameworkVersion


class Command(BaseCommand):
    help = (
        f"Store a framework file (default: the shipped {DEFAULT_FRAMEWORK}) as a framework version; "
        "refuse a file whose version is stored with different content."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="YAML or JSON framework file")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only compare the file with the stored version of its number; store nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options.get("file")
        origin = path or shipped_path()
        try:
            text = Path(path).read_text(encoding="utf-8") if path else framework_text()
            message = self._check(text, origin) if options["check"] else self._load(text, origin)
        except (OSError, InputError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(message)

    def _load(self, text: str, origin: str) -> str:
        fv, created = store_framework(FrameworkVersion, text, origin=origin)
        if created:
            return f"framework version {fv.version} stored from {origin}"
        note = "" if fv.source == text else " (the file differs only in comments or layout; stored text kept)"
        return f"framework version {fv.version} already stored with the same content, nothing changed{note}"

    def _check(self, text: str, origin: str) -> str:
        version = version_fields(text)["version"]
        existing = FrameworkVersion.objects.filter(version=version).first()
        if existing is None:
            return f"framework version {version} is not stored yet; loading {origin} would store it"
        check_same_content(existing, text, origin=origin)
        return f"framework version {version} is stored with the same content as {origin}"
