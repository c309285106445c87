"""`qiangji manage loadcatalogue [FILE]`: load or update the mandatory-verification catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiangji.web.registry.catalogue import DEFAULT_CSV, CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Loads the mandatory-verification catalogue CSV (idempotent; any invalid row changes nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_CSV)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"file not found: {path}")
        try:
            result = load_catalogue(path)
        except CatalogueError as exc:
            raise CommandError(f"{path.name}: nothing loaded, {len(exc.errors)} error(s):\n{exc}") from exc
        self.stdout.write(
            f"catalogue {path.name}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
