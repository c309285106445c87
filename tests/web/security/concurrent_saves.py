"""Two writers save the same reported value at the same moment, on a real database (run as a program by
test_concurrent_saves.py, so its connections are its own: a SQLite *file* or the PostgreSQL test database).

Both start from version v. Writer B opens its transaction and reads the row; right then writer A saves
(B waits for A to finish, at most PAUSE_SECONDS); then B goes on to lock the row and store. Exactly one
must win and the other be told "someone else changed it" (API: 409 ``{"error": ...}``; report page: the
"保存被拒绝" message), with the winner's value stored and no server error. (With SQLite's default deferred
transactions B failed with "database is locked", HTTP 500: its read snapshot was older than A's commit.)
Prints one JSON line with what happened.

Usage: ``python -m tests.web.security.concurrent_saves api|form`` (DATABASE_URL in the environment).
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import django

PAUSE_SECONDS = 3.0


def seed() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from qiangji.web.accounts.locking import version_token
    from qiangji.web.accounts.roles import assign_role
    from qiangji.web.api.models import ApiToken
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.models import FrameworkVersion, ReportedValue
    from qiangji.web.registry.models import Institution

    ensure_default_framework(FrameworkVersion)
    inst = Institution.objects.create(code="CC-MI", name="并发计量所（示例）", level=Institution.Level.COUNTY)
    user = get_user_model().objects.create_user("concurrent-reporter")
    assign_role(user, "reporter", inst)
    period = _open("2024Q2")
    report = ReportedValue.objects.create(
        period=period, institution=inst, indicator="D1.3", value=1, updated_by=user
    )
    return {"user": user, "token": ApiToken.issue(user, "concurrency")[1], "version": version_token(report)}


def _open(code: str) -> Any:
    """The period open for reporting today (values are accepted only inside the window)."""
    import datetime as dt

    from django.utils import timezone

    from qiangji.web.assessment.lifecycle import open_period

    today = timezone.localdate()
    return open_period(code, opens=today - dt.timedelta(days=5), deadline=today + dt.timedelta(days=10))


def pause_writer_b_after_its_read(b_read: threading.Event, a_done: threading.Event) -> None:
    """Writer B, inside its transaction and after reading the row, waits for A before it locks the row."""
    from qiangji.web.api import reporting as api_reporting
    from qiangji.web.assessment.views import report_rows as report_views

    def pausing(original: Any) -> Any:
        def check_version(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread().name == "B":
                b_read.set()
                a_done.wait(PAUSE_SECONDS)  # A may also wait for B's lock: then B goes on after the pause
            return original(*args, **kwargs)

        return check_version

    api_reporting.check_version = pausing(api_reporting.check_version)  # type: ignore[attr-defined]
    report_views.check_version = pausing(report_views.check_version)  # type: ignore[attr-defined]


def save(mode: str, world: dict[str, Any], value: int) -> tuple[int, str]:
    from django.test import Client

    client = Client(raise_request_exception=False)
    if mode == "api":
        response = client.put(
            "/api/v1/reports/2024Q2/CC-MI/D1.3",
            data=json.dumps({"value": str(value), "version": world["version"]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {world['token']}",
        )
        return response.status_code, response.content.decode()
    client.force_login(world["user"])
    form = {"D1.3-value": str(value), "D1.3-version": world["version"], "action": "save"}
    response = client.post("/assessment/2024Q2/report/CC-MI/", form, follow=True)
    return response.status_code, response.content.decode()


def main(mode: str) -> None:
    django.setup()
    from django.db import connections

    from qiangji.web.assessment.models import ReportedValue

    world = seed()
    b_read, a_done = threading.Event(), threading.Event()
    pause_writer_b_after_its_read(b_read, a_done)
    out: dict[str, tuple[int, str]] = {}

    def writer(name: str, value: int) -> None:
        try:
            if name == "A":
                assert b_read.wait(60), "writer B never read the row"
            out[name] = save(mode, world, value)
        finally:
            (a_done if name == "A" else b_read).set()  # never leave the other waiting
            connections.close_all()

    threads = [threading.Thread(target=writer, name=n, args=(n, v)) for n, v in (("A", 2), ("B", 3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    stored = ReportedValue.objects.get(indicator="D1.3", institution__code="CC-MI")
    print(json.dumps({
        "a_status": out["A"][0], "a_body": out["A"][1],
        "b_status": out["B"][0], "b_body": out["B"][1],
        "stored": float(stored.value), "vendor": connections["default"].vendor,
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
