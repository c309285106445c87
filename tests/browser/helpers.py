"""Shared steps of the browser tests: signing in on the site's login page, and running the background jobs
that a page queued through the database queue's own worker (in the test's thread, until the queue is
empty)."""

from __future__ import annotations

from typing import Any


def login(page: Any, base: str, name: str, password: str, then: str) -> None:
    page.goto(f"{base}/admin/login/?next={then}")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"**{then}", timeout=120_000)


def run_worker() -> None:
    """The database queue's own worker, in this thread, until the queue is empty."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="browser-test", excluded_queue_names=[],
    ).run()  # fmt: skip
