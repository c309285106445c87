"""`qiangji manage partitioncertificates [--ahead N] [--year YEAR ...]`: give years their own partition of
the certificate table (PostgreSQL; registry/partitions.py). Run it once a year, before the new year (cron);
a year it has not reached yet goes to the DEFAULT partition meanwhile, whose rows it moves."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiangji.web.registry import partitions


class Command(BaseCommand):
    help = (
        "Creates the certificate table's partitions of this year and the next N years (and of each --year),"
        " moving their certificates out of the DEFAULT partition; idempotent. PostgreSQL only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ahead", type=int, default=2, help="years after this one (default 2)")
        parser.add_argument(
            "--year", type=int, action="append", default=[], help="also this year (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitions.partitioned():
            raise CommandError(
                "the certificate table is not partitioned (PostgreSQL only, registry migration 0007)"
            )
        ahead, extra = options["ahead"], options["year"]
        if ahead < 0 or any(not 1900 <= y <= 9998 for y in extra):
            raise CommandError("--ahead must be 0 or more and each --year between 1900 and 9998")
        added = partitions.add_years([*partitions.years_ahead(ahead), *extra])
        for year, moved in added.items():
            self.stdout.write(f"{partitions.TABLE}_y{year}: created, {moved} certificates moved from DEFAULT")
        years = [str(p.year) for p in partitions.partitions() if p.year is not None]
        self.stdout.write(f"partitions: {', '.join(years)} and DEFAULT")
