"""2026Q1 of the demo as the office reaches it on the real demo path: the registry demo data (with their
2026 extension), 2025Q4 published on 2025.1 as the programme's baseline, the demo's 2026 periods opened;
then 2026Q1 locked, computed and put on notice through the services. With data in 2026 no indicator is
missing for everyone, the progress index (进步指数) shows institutions improving and declining (天台 and 三门,
the improving small counties, near its top), and 温岭's open 重大 finding caps it at 59 (G1).

The demo is loaded once for the module inside a transaction rolled back afterwards (as test_demo_runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from qiangji.demo.load import load_demo
from qiangji.web.assessment import lifecycle
from qiangji.web.assessment.demo import GATED_INSTITUTION, demo_open_periods
from qiangji.web.assessment.inputs import Inputs
from qiangji.web.assessment.models import Period
from qiangji.web.comparisons.demo import load_comparisons_demo
from qiangji.web.programme.demo import load_programme_demo
from qiangji.web.publication import service
from qiangji.web.publication.content import current_content
from qiangji.web.publication.demo import publish_demo

pytestmark = pytest.mark.django_db
IMPROVING = ("TT-MI", "SM-MI")


@pytest.fixture(scope="module")
def noticed(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _noticed()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _noticed() -> dict[str, Any]:
    today = max(timezone.localdate(), dt.date(2026, 4, 16))
    load_demo()
    load_programme_demo()
    load_comparisons_demo()
    assert publish_demo(["2025Q4"], runs=100, today=today).published == ["2025Q4"]
    demo_open_periods(today)
    admin = get_user_model().objects.get(username="admin")
    period = Period.objects.get(code="2026Q1")
    lifecycle.lock(period, admin, today=max(today, period.deadline + dt.timedelta(days=1)))
    pub = service.compute(period, runs=100, user=admin)
    pub = service.start_notice(period, user=admin)
    assert pub.run is not None
    return {"content": current_content(pub), "inputs": Inputs.from_json(pub.run.inputs_json)}


def test_no_indicator_of_2026q1_is_missing_for_every_institution(noticed: dict[str, Any]) -> None:
    frame = noticed["inputs"].frame
    assert len(frame) == 9
    assert [c for c in frame.columns if frame[c].isna().all()] == []
    # the certificate sample and the flows of 2026 are there: nothing floored for lack of data
    assert {r["unit"]: r["floored"] for r in noticed["content"]["rows"] if r["floored"]} == {}
    assert (frame[["D4.1", "D4.2"]] > 0).all().all()


def test_the_progress_index_shows_improvement_and_decline(noticed: dict[str, Any]) -> None:
    progress = noticed["content"]["progress"]
    assert progress["baseline_period"] == "2025Q4"
    rows = {r["unit"]: r for r in progress["rows"]}
    assert len(rows) == 9
    assert any(r["change"] > 0 for r in rows.values()) and any(r["change"] < 0 for r in rows.values())
    for code in IMPROVING:
        assert rows[code]["change"] > 0 and rows[code]["rank"] <= 3, rows[code]


def test_the_gate_caps_the_institution_with_an_open_critical_finding(noticed: dict[str, Any]) -> None:
    rows = {r["unit"]: r for r in noticed["content"]["rows"]}
    assert [u for u, r in rows.items() if r["gate"]] == [GATED_INSTITUTION]
    gated = rows[GATED_INSTITUTION]
    assert "G1" in str(gated["gate"]) and gated["score"] == pytest.approx(59)
    ungated = next(p for p in noticed["content"]["progress"]["rows"] if p["unit"] == GATED_INSTITUTION)
    assert ungated["current"] > 59  # capped: its indicators alone would score it higher
