"""``qiangji manage createapitoken USERNAME --name NAME [--days N]``: print a new API token once.

This is how service accounts get tokens (it needs server access; the admin issues tokens only to the
signed-in user). The token lasts 90 days unless ``--days`` says otherwise, at most 365; its creation is
audited with the operating-system account that ran the command as actor (source ``cli``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from qiangji.web.accounts.context import as_command
from qiangji.web.api.models import DEFAULT_DAYS, MAX_DAYS, ApiToken


class Command(BaseCommand):
    help = "Create an API token for a user and print it (only its digest is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"validity in days, 1 to {MAX_DAYS} (default {DEFAULT_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['username']!r}")
        days = options["days"]
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS} (every token expires), got {days}")
        with as_command():
            _row, secret = ApiToken.issue(user, options["name"], timezone.now() + dt.timedelta(days=days))
        self.stdout.write(secret)
