"""Builders shared by the assessment tests (every name fictitious)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from qiangji.web.accounts.roles import assign_role
from qiangji.web.registry.models import Institution, MeasurementStandard, VerificationCertificate
from tests.web.registry import factories as f

D = dt.date


def user(name: str, **kw: Any) -> Any:
    """A city reviewer by default (``is_staff=False``: no role; ``is_superuser``: the programme admin)."""
    kw.setdefault("is_staff", True)
    made = get_user_model().objects.create_user(name, f"{name}@example.invalid", **kw)  # no password: fast
    if made.is_staff and not made.is_superuser:
        assign_role(made, "reviewer")
    return made


def clean_certificate(inst: Institution, std: MeasurementStandard, **kw: Any) -> VerificationCertificate:
    """A sampled certificate that passes TR-1…TR-8 on 2024-03-01, unless ``kw`` breaks something."""
    verifier = f.staff(inst)
    f.registration(verifier, D(2020, 1, 1), D(2025, 12, 31))
    kw.setdefault("verifier", verifier)
    kw.setdefault("checker", f.staff(inst))
    kw.setdefault("approver", f.staff(inst, is_authorised_signatory=True))
    kw.setdefault("record_no", "YS-1")
    kw.setdefault("temperature_c", 20)
    kw.setdefault("humidity_pct", 50)
    cert = f.certificate(inst, **kw)
    cert.save()
    cert.standards.add(std)
    return cert


def valid_standard(inst: Institution, **kw: Any) -> MeasurementStandard:
    std = f.standard(inst, **kw)
    f.instrument_certificate(std, D(2023, 6, 1), D(2024, 5, 31))
    return std


def reporting_period(code: str) -> Any:
    """``code`` opened for reporting: the window runs from 30 days ago to 30 days ahead of the real date
    (a period never opened refuses every value, :mod:`qiangji.web.assessment.lifecycle`)."""
    from django.utils import timezone

    from qiangji.web.assessment.lifecycle import open_period

    today = timezone.localdate()
    return open_period(code, opens=today - dt.timedelta(days=30), deadline=today + dt.timedelta(days=30))


def reporter(name: str, inst: Institution) -> Any:
    """A county reporter of ``inst``."""
    from qiangji.web.accounts.roles import assign_role

    made = get_user_model().objects.create_user(name, f"{name}@example.invalid")
    assign_role(made, "reporter", inst)
    return made


def open_now(code: str, *, days_left: int = 10) -> Any:
    """Period ``code`` open for reporting from 5 days ago until ``days_left`` days from today (negative:
    the deadline has passed and the period is in review)."""
    from django.utils import timezone

    from qiangji.web.assessment import lifecycle

    today = timezone.localdate()
    opens = min(today - dt.timedelta(days=5), today + dt.timedelta(days=days_left))
    return lifecycle.open_period(code, deadline=today + dt.timedelta(days=days_left), opens=opens)


def close_now(period: Any) -> Any:
    """The office closes ``period``'s window: the deadline becomes yesterday (the start stays), so the
    period is in review. Values are submitted while it is open, as the lifecycle requires."""
    from django.utils import timezone

    from qiangji.web.assessment import lifecycle

    return lifecycle.open_period(period.code, deadline=timezone.localdate() - dt.timedelta(days=1))


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
