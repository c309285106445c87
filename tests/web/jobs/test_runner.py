"""The generic background jobs: one unfinished job per key (a second request joins it), a stalled job no
longer blocks its key, an unexpected failure is recorded with a generic sentence, and who may follow a job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from qiangji.web.jobs import runner
from qiangji.web.jobs.models import Job
from tests.web.publication.publishing import client_for, person

pytestmark = pytest.mark.django_db
CALLS: list[dict[str, Any]] = []


@runner.register("test.echo", viewers=frozenset({"reviewer"}), expected=(ValueError,))
def echo(job: Job, progress: runner.Progress) -> Mapping[str, Any]:
    CALLS.append(dict(job.params))
    progress(0.5, "一半")
    if job.params.get("refuse"):
        raise ValueError("参数不合适（示例）。")
    if job.params.get("crash"):
        raise RuntimeError("boom")
    return {"echo": job.params.get("x"), "url": "/publish/"}


@pytest.fixture(autouse=True)
def _inline(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    CALLS.clear()


def test_it_runs_a_job_and_records_its_result() -> None:
    job, created = runner.enqueue("test.echo", {"x": 3}, user=None, title="回显")
    assert created and (job.status, job.progress, job.result, job.result_url) == (
        "done",
        1.0,
        {"echo": 3, "url": "/publish/"},
        "/publish/",
    )
    assert job.started_at and job.finished_at and job.task_id


def test_a_second_job_of_the_same_key_joins_the_unfinished_one() -> None:
    running = Job.objects.create(
        kind="test.echo", key="k", title="回显", status="running", heartbeat_at=timezone.now()
    )
    job, created = runner.enqueue("test.echo", {"x": 1}, user=None, title="回显", key="k")
    assert not created and job == running and CALLS == []
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        Job.objects.create(kind="test.echo", key="k", title="回显", status="queued")


def test_a_stalled_job_no_longer_blocks_its_key() -> None:
    old = timezone.now() - runner.STALE_AFTER - dt.timedelta(minutes=1)
    stalled = Job.objects.create(kind="test.echo", key="k", title="回显", status="running", heartbeat_at=old)
    job, created = runner.enqueue("test.echo", {"x": 2}, user=None, title="回显", key="k")
    stalled.refresh_from_db()
    assert (
        created and job.status == "done" and stalled.status == "failed" and "长时间没有进展" in stalled.error
    )


def test_an_expected_refusal_is_the_error_shown() -> None:
    job, _created = runner.enqueue("test.echo", {"refuse": True}, user=None, title="回显")
    assert (job.status, job.error) == ("failed", "参数不合适（示例）。")


def test_an_unexpected_failure_is_logged_and_named_by_job(caplog: pytest.LogCaptureFixture) -> None:
    job, _created = runner.enqueue("test.echo", {"crash": True}, user=None, title="回显")
    assert (
        job.status == "failed" and job.error == f"后台任务 #{job.pk} 出现内部错误，已记录；请联系系统管理员。"
    )
    assert "boom" in caplog.text


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="`kind` must be one of"):
        runner.enqueue("nope", {}, user=None, title="x")


def test_the_creator_and_the_kinds_viewers_follow_a_job() -> None:
    from qiangji.web.registry.models import Institution

    county_institution = Institution.objects.create(code="HY-MI", name="黄岩区计量检定所（示例）")
    owner = person("owner", "admin")
    job, _created = runner.enqueue("test.echo", {"x": 1}, user=owner, title="回显")
    assert client_for(owner).get(f"/jobs/{job.pk}/").status_code == 200
    assert client_for(person("rev", "reviewer")).get(f"/jobs/{job.pk}/progress/").status_code == 200
    assert client_for(person("lead", "leadership")).get(f"/jobs/{job.pk}/").status_code == 403
    county = person("county", "reporter", county_institution)
    assert client_for(county).get(f"/jobs/{job.pk}/").status_code == 403


def test_the_progress_fragment_polls_while_running_and_sends_htmx_on_when_done() -> None:
    owner = person("owner", "admin")
    job = Job.objects.create(
        kind="test.echo", title="回显", status="running", progress=0.42, step="一半", created_by=owner
    )
    client = client_for(owner)
    html = client.get(f"/jobs/{job.pk}/progress/?next=/publish/").content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="42"' in html and "一半" in html
    Job.objects.filter(pk=job.pk).update(status="done", progress=1.0)
    done = client.get(f"/jobs/{job.pk}/progress/?next=/publish/", HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == "/publish/"
    elsewhere = client.get(f"/jobs/{job.pk}/progress/?next=https://evil.invalid/", HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in elsewhere and "hx-trigger" not in elsewhere.content.decode()
