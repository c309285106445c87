from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion, Period
from qiangji.web.publication import workflow
from qiangji.web.publication.models import Publication
from qiangji.web.publication.runs import create_run
from qiangji.web.registry.models import Institution
from tests.web.publication.frames import random_inputs

COUNTIES = {
    "HY-MI": "黄岩区计量检定所（示例）",
    "JJ-MI": "椒江区计量检定所（示例）",
    "LH-MI": "临海市计量检定所（示例）",
    "LQ-MI": "路桥区计量检定所（示例）",
    "SM-MI": "三门县计量检定所（示例）",
    "TT-MI": "天台县计量检定所（示例）",
    "WL-MI": "温岭市计量检定所（示例）",
    "XJ-MI": "仙居县计量检定所（示例）",
    "YH-MI": "玉环市计量检定所（示例）",
}
RUNS = 300


@pytest.fixture
def institutions(db: Any) -> dict[str, Institution]:
    return {
        code: Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
        for code, name in COUNTIES.items()
    }


@pytest.fixture
def fv(db: Any) -> FrameworkVersion:
    return ensure_default_framework(FrameworkVersion)[0]


def publish(code: str, seed: int, fv: FrameworkVersion, *, final: bool = True) -> Publication:
    """A period ``code`` published from random inputs (final unless told)."""
    period = Period.for_code(code)
    run = create_run(period, fv, random_inputs(COUNTIES, seed=seed), seed=7, runs=RUNS)
    pub = workflow.create_draft(period, run)
    workflow.start_notice(pub, period.end + dt.timedelta(days=10))
    if final:
        assert pub.notice_ends_on is not None
        workflow.finalise(pub, pub.notice_ends_on + dt.timedelta(days=1))
    return pub


@pytest.fixture
def published(institutions: Any, fv: FrameworkVersion) -> list[Publication]:
    """Two final quarters, 2025Q1 and 2025Q2, with different data."""
    return [publish("2025Q1", 1, fv), publish("2025Q2", 2, fv)]


@pytest.fixture(autouse=True)
def _jobs_run_inline(settings: Any) -> None:
    """Background jobs run for real, inside the request that queues them (django-tasks' immediate backend);
    the browser test runs them through the database queue and its worker instead."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Objection evidence goes to a throwaway MEDIA_ROOT, never the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
