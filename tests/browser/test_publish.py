"""The programme admin publishes a locked period from the pages, in Chromium: compute (a job on the
database queue, run by the worker; the page follows its progress through htmx polling) → preview next to
the previous final ranking → public notice → final → bulletin. Screenshots in test-output/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from qiangji.web.accounts.roles import assign_role
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.jobs import runner
from qiangji.web.jobs.models import Job
from qiangji.web.publication.models import Publication
from qiangji.web.registry.models import Institution
from tests.web.publication.conftest import COUNTIES, publish
from tests.web.publication.publishing import CODE, locked_period, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "office-passphrase-2026"


def setting_up() -> Any:
    institutions = {
        code: Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
        for code, name in COUNTIES.items()
    }
    fv = ensure_default_framework(FrameworkVersion)[0]
    publish("2026Q2", 5, fv)  # the previous final quarter
    locked_period(fv, institutions, person("reviewer1", "reviewer"))
    office = get_user_model().objects.create_user("office", "office@example.invalid", PASSWORD)
    assign_role(office, "admin")
    return office


def run_worker() -> None:
    """The database queue's own worker, in this thread, until the queue is empty."""
    Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="browser-test", excluded_queue_names=[],
    ).run()  # fmt: skip


def test_the_admin_computes_with_progress_previews_notices_and_publishes(
    new_page: Any, live_server: Any, output_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    setting_up()
    page = new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/admin/login/?next=/publish/{CODE}/")
    page.fill("#id_username", "office")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#compute-button")
    page.wait_for_load_state("load")  # the signed-in page's own load is not one of the steps counted below
    assert page.locator("#stage").get_attribute("data-stage") == "locked"
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))

    page.fill("#id_runs", "400")
    page.click("#compute-button")
    page.wait_for_selector(".job[data-status=queued]")
    assert Job.objects.get().status == "queued"  # nothing ran in the request: the worker runs it

    seen: list[int] = []
    report = runner._Reporter.__call__

    def watched(self: Any, fraction: float, step: str = "") -> None:
        report(self, fraction, step)
        if fraction >= 0.5 and not seen:  # halfway: the page, polling, shows it
            page.wait_for_function(
                "() => +document.querySelector('.job progress')?.value >= 50", timeout=15000
            )
            seen.append(int(page.locator(".job progress").get_attribute("value")))
            page.screenshot(path=str(output_dir / "publish-progress.png"), full_page=True)

    monkeypatch.setattr(runner._Reporter, "__call__", watched)
    run_worker()
    assert Job.objects.get().status == "done" and 50 <= seen[0] < 100
    page.wait_for_selector("#draft-ranking")  # htmx sends the page on to the result when the job is done
    assert page.locator("#stage").get_attribute("data-stage") == "computed"
    assert page.locator("#draft-ranking tbody tr[data-unit]").count() == 9
    assert page.locator("#draft-ranking td.prev-rank").all_inner_texts() != ["—"] * 9
    assert "2026年第2季度（上期正式发布）" in page.locator("#draft-ranking thead").inner_text()
    page.screenshot(path=str(output_dir / "publish-preview.png"), full_page=True)

    page.fill("input[name=start]", "2026-12-07")
    page.wait_for_function(
        "() => document.querySelector('#notice-deadline').innerText.includes('2026-12-14')"
    )
    page.fill("input[name=start]", timezone.localdate().isoformat())
    page.click("#notice-button")
    page.wait_for_selector("#objections")
    assert page.locator("#stage").get_attribute("data-stage") == "notice"
    assert page.locator("#final-button").is_disabled()
    page.screenshot(path=str(output_dir / "publish-notice.png"), full_page=True)

    pub = Publication.objects.get(period__code=CODE)
    Publication.objects.filter(pk=pub.pk).update(notice_ends_on=timezone.localdate() - dt.timedelta(days=1))
    page.reload()  # as the officer does on the day after the objection period
    page.click("#final-button")
    page.wait_for_selector("#bulletin-link")
    assert page.locator("#stage").get_attribute("data-stage") == "published"
    page.screenshot(path=str(output_dir / "publish-final.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#bulletin-link")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert Publication.objects.get(pk=pub.pk).status == Publication.Status.FINAL
    # compute (POST + the result htmx sends on to), notice, reload, final: five page loads
    assert len(loads) <= 5, loads
    assert not [p for p in problems if "Content Security Policy" in p], problems
