"""Computing a locked period's index from the publishing page: a background job that really computes,
reports its progress and stores the run; refused out of order and to every role but the programme admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qiangji.web.jobs import runner
from qiangji.web.jobs.models import Job
from qiangji.web.publication import jobs
from qiangji.web.publication.models import IndexRun, Publication, PublicationEvent
from qiangji.web.publication.runs import verify
from tests.web.publication.publishing import CODE, RUNS, client_for, locked_period, person

pytestmark = pytest.mark.django_db
URL = f"/publish/{CODE}/"


@pytest.fixture
def office(db: Any) -> Any:
    return person("office", "admin")


@pytest.fixture
def period(institutions: Any, fv: Any) -> Any:
    return locked_period(fv, institutions, person("reviewer1", "reviewer"))


def post(client: Client, **data: Any) -> Any:
    return client.post(URL + "compute/", {"runs": RUNS, "seed": 7, "expected_run": "", **data}, follow=True)


def test_it_computes_in_a_job_whose_progress_reaches_100_and_stores_the_run(
    office: Any, period: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    report = runner._Reporter.__call__

    def spy(self: Any, fraction: float, step: str = "") -> None:
        report(self, fraction, step)
        seen.append(Job.objects.get(pk=self.pk).percent)

    monkeypatch.setattr(runner._Reporter, "__call__", spy)
    page = post(client_for(office))
    assert page.status_code == 200
    job = Job.objects.get()
    assert (job.kind, job.status, job.progress, job.created_by) == (jobs.COMPUTE, "done", 1.0, office)
    assert seen == sorted(seen) and len(set(seen)) >= 10 and 0 < seen[0] < 20 and seen[-1] >= 90
    pub = Publication.objects.get(period=period)
    assert pub.status == Publication.Status.DRAFT and pub.run.runs == RUNS and pub.run.seed == 7
    assert pub.run.created_by == office and verify(pub.run)  # chunked for progress, yet bit for bit the same
    assert pub.events.get().actor == office
    html = page.content.decode()
    assert 'data-stage="computed"' in html and html.count("data-unit=") == 9
    assert "排行榜草稿预览" in html and "仅市计量院可见" in html


def test_it_refuses_to_compute_a_period_that_is_not_locked(office: Any, institutions: Any, fv: Any) -> None:
    from qiangji.web.assessment import lifecycle

    lifecycle.open_period(CODE, deadline=lifecycle.timezone.localdate(), framework=fv)
    page = post(client_for(office))
    assert "当前为“填报中”，此操作只能在“已锁定、已计算”时进行。" in page.content.decode()
    assert not Job.objects.exists() and not IndexRun.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "leadership", "reporter"])
def test_it_refuses_compute_to_every_role_but_the_programme_admin(
    role: str, period: Any, institutions: Any
) -> None:
    user = person(role, role, institutions["HY-MI"] if role == "reporter" else None)
    assert client_for(user).post(URL + "compute/", {"runs": RUNS, "seed": 7}).status_code == 403
    assert not Job.objects.exists()


def test_it_sends_an_anonymous_visitor_to_the_login(period: Any) -> None:
    response = Client().post(URL + "compute/", {"runs": RUNS, "seed": 7})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Job.objects.exists()


def test_it_answers_compute_only_to_post(office: Any, period: Any) -> None:
    assert client_for(office).get(URL + "compute/").status_code == 405


def test_it_keeps_a_bad_run_count_at_the_field(office: Any, period: Any) -> None:
    response = client_for(office).post(URL + "compute/", {"runs": "0", "seed": 7, "expected_run": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="runs" value="0"' in html and "确保该值大于或等于1" in html
    assert not Job.objects.exists()


def test_a_second_submission_of_the_same_page_does_not_compute_again(office: Any, period: Any) -> None:
    client = client_for(office)
    post(client)
    page = post(client)  # the same form again (expected_run "" while run #1 now exists)
    assert IndexRun.objects.count() == 1 and Job.objects.count() == 1
    assert "未重复计算" in page.content.decode()


def test_a_compute_while_one_runs_joins_it(office: Any, period: Any) -> None:
    running = Job.objects.create(kind=jobs.COMPUTE, key=jobs.key(period), title="计算", status="running")
    page = post(client_for(office))
    assert Job.objects.count() == 1 and not IndexRun.objects.exists()
    html = page.content.decode()
    assert "已在进行中" in html and f'data-job="{running.pk}"' in html and "hx-get" in html


def test_it_recomputes_a_draft_keeping_the_earlier_run_in_the_history(office: Any, period: Any) -> None:
    client = client_for(office)
    post(client)
    first = Publication.objects.get().run
    post(client, expected_run=str(first.pk), seed=8)
    pub = Publication.objects.get()
    assert (
        pub.run != first and pub.run.seed == 8 and list(pub.runs_history.order_by("pk")) == [first, pub.run]
    )
    assert pub.events.filter(action=PublicationEvent.Action.CREATED).count() == 2


def test_a_failed_job_shows_its_reason_on_the_page(office: Any, institutions: Any, fv: Any) -> None:
    from qiangji.web.assessment import lifecycle

    period = lifecycle.open_period(CODE, deadline=lifecycle.timezone.localdate(), framework=fv)
    job, _created = runner.enqueue(  # queued past the page's own check: the job refuses by itself
        jobs.COMPUTE,
        {"period": period.code, "runs": RUNS, "seed": 1},
        user=office,
        title="计算",
        key=jobs.key(period),
    )
    job.refresh_from_db()
    assert job.status == "failed" and "此操作只能在“已锁定、已计算”时进行" in job.error
    html = client_for(office).get(URL).content.decode()
    assert 'data-status="failed"' in html and job.error in html
