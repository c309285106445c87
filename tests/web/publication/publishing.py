"""Set-up for the publishing-page tests: a locked period whose counties reported every reportable indicator
(approved, then locked through the lifecycle), users of every role, and a one-line request helper."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.accounts.roles import assign_role
from qiangji.web.assessment import lifecycle
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue
from qiangji.web.indicators import is_reportable
from qiangji.web.registry.models import Institution

CODE = "2026Q3"
OPENS, DEADLINE = dt.date(2026, 10, 1), dt.date(2026, 10, 20)
#: A run count small enough for quick tests, large enough for several progress chunks.
RUNS = 200


def reported_values(
    period: Period, fv: FrameworkVersion, institutions: dict[str, Institution], seed: int
) -> None:
    """An approved value for every reportable indicator of every institution (within its bounds)."""
    fw = period.framework_for(fv)
    rng = np.random.default_rng(seed)
    for inst in institutions.values():
        for code in fw.indicators:
            if not is_reportable(code):
                continue
            node = fw.node(code)
            if (node.unit or "").strip() == "%":
                den = Decimal(int(rng.integers(10, 40)))
                num = Decimal(int(rng.integers(0, int(den) + 1)))
                value = (100 * num / den).quantize(Decimal("0.000001"))
                extra: dict[str, Any] = {"numerator": num, "denominator": den, "value": value}
            else:
                lo, hi = node.bounds or (0.0, 100.0)
                hi = min(hi if hi is not None else 30.0, 100.0)
                extra = {"value": Decimal(str(round(float(rng.uniform(lo or 0.0, hi)), 1)))}
            ReportedValue.objects.create(
                period=period, institution=inst, indicator=code, status=ReportedValue.Status.APPROVED, **extra
            )


def locked_period(
    fv: FrameworkVersion, institutions: dict[str, Institution], reviewer: Any, code: str = CODE
) -> Period:
    period = lifecycle.open_period(code, deadline=DEADLINE, opens=OPENS, framework=fv, today=OPENS)
    reported_values(period, fv, institutions, seed=11)
    lifecycle.lock(period, reviewer)
    return Period.objects.get(pk=period.pk)


def person(name: str, role: str | None, institution: Institution | None = None) -> Any:
    user = get_user_model().objects.create_user(name, f"{name}@example.invalid")
    if role == "superuser":
        user.is_superuser = user.is_staff = True
        user.save()
    elif role:
        assign_role(user, role, institution)
    return user


def client_for(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c
