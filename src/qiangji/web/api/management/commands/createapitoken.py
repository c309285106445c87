"""``qiangji manage createapitoken USERNAME --name NAME [--days N]``: print a new API token once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from qiangji.web.api.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for a user and print it (only its digest is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument("--days", type=int, default=365, help="validity in days (0: no expiry)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['username']!r}")
        days = options["days"]
        if days < 0:
            raise CommandError(f"--days must be 0 or more, got {days}")
        expires = timezone.now() + dt.timedelta(days=days) if days else None
        _row, secret = ApiToken.issue(user, options["name"], expires)
        self.stdout.write(secret)
