"""`qiangji remind [--today DATE]`, run daily from cron: reminders of near reporting deadlines and of
rectifications due or overdue, of A级 candidates slipping, then every email still pending (including
earlier failed sends)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from qiangji.web.accounts import context
from qiangji.web.inbox import events
from qiangji.web.inbox.notify import send_pending


@dataclass(frozen=True)
class RemindResult:
    deadline: int
    rectification: int
    emails: int
    readiness: int = 0

    @property
    def notifications(self) -> int:
        return self.deadline + self.rectification + self.readiness

    def summary(self, day: dt.date) -> str:
        return (
            f"qiangji remind {day}: {self.notifications} notifications "
            f"({self.deadline} deadline, {self.rectification} rectification, {self.readiness} readiness), "
            f"{self.emails} emails"
        )


def remind(today: dt.date | None = None) -> RemindResult:
    """Create the day's reminders (each once per user and event) and send every pending email."""
    day = today or timezone.localdate()
    with context.as_command(), transaction.atomic():
        deadline = events.deadlines_near(day)
        rectification = events.rectifications_due(day)
        readiness = events.readiness_slipped(day)
    return RemindResult(len(deadline), len(rectification), send_pending(), len(readiness))


def run(today: dt.date | None) -> int:
    """The command: one summary line, exit 0."""
    day = today or timezone.localdate()
    print(remind(day).summary(day))
    return 0
