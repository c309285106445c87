from typing import Any

from django.core.management.base import BaseCommand

from qiangji.web.programme.defaults import ensure_default_goals
from qiangji.web.programme.models import Goal


class Command(BaseCommand):
    help = "Create the programme's default goals that are missing (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"created {ensure_default_goals(Goal)} goal(s)")
