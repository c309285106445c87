"""``manage.py assignrole USERNAME ROLE [--institution CODE]``: give an existing user its one role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiangji.web.accounts import policy
from qiangji.web.accounts.context import acting_as
from qiangji.web.accounts.roles import assign_role
from qiangji.web.registry.models import Institution


class Command(BaseCommand):
    help = "Give a user a role (admin, reviewer, reporter, leadership); a reporter needs --institution."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(policy.STAFF_ROLES))
        parser.add_argument("--institution", help="institution code (required for a reporter)")

    def handle(self, *args: Any, username: str, role: str, institution: str | None, **opts: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"`username` must name an existing user, got {username!r}")
        inst = None
        if institution:
            inst = Institution.objects.filter(code=institution).first()
            if inst is None:
                raise CommandError(f"`--institution` must be an institution code, got {institution!r}")
        try:
            with acting_as(None, source="cli"):
                profile = assign_role(user, role, inst)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(str(profile))
