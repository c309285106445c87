"""A period taken through its lifecycle for the lifecycle, publication-service, CLI and API tests.

Dates are relative to the real date (``T``), because the writers of a reported value ask the period's
stage on the real date; the steps that take a ``today`` (lock, notice, objections, final) are given one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qiangji.web.assessment import lifecycle, workflow
from qiangji.web.assessment.demo import demo_assessment
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.reporting import Entry, attach_evidence, save_entry
from qiangji.web.registry.models import Institution
from tests.web.registry import factories as f

from .helpers import user

CODES = ("LA", "LB", "LC")


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def institutions() -> list[Institution]:
    made = []
    for code in CODES:
        inst = f.institution(code)
        for _n in range(4):
            f.staff(inst)
        made.append(inst)
    return made


def open_now(code: str = "2026Q3") -> Period:
    """``code`` open from 10 days ago to 10 days ahead."""
    return lifecycle.open_period(code, opens=days(-10), deadline=days(10))


def report(period: Period, inst: Institution, reporter: Any, indicator: str = "D4.3", value: int = 2) -> Any:
    """A value saved with evidence and submitted by ``reporter``."""
    rv = save_entry(period, inst, indicator, Entry(Decimal(value), None, None), reporter)
    attach_evidence(rv, SimpleUploadedFile("证明.pdf", b"%PDF-1.4 test"), reporter)
    return workflow.submit(rv, reporter)


def approved_period(code: str = "2026Q3") -> Period:
    """Every ranked institution's demo values approved (written in bulk, as the demo does), in window."""
    period = open_now(code)
    demo_assessment([period])
    ReportedValue.objects.filter(period=period).update(status=ReportedValue.Status.APPROVED)
    return period


def locked_period(code: str = "2026Q3") -> Period:
    period = approved_period(code)
    lifecycle.lock(period, user("locker"), today=days(11))
    return Period.objects.get(pk=period.pk)
