"""Two saves of the same record at the same moment, on a real file-based SQLite database and on
PostgreSQL: the second is refused with the documented conflict (API 409 ``{"error": ...}``, the report
page's "保存被拒绝" message), the first one's value is kept, and nobody gets a server error. Before SQLite
transactions started IMMEDIATE, the second writer failed with "database is locked" (HTTP 500).

The writers run in a separate program (concurrent_saves.py) with their own connections."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def database_url(tmp_path: Path) -> str:
    """SQLite: a file copy of the migrated test database; PostgreSQL: the test database itself."""
    if connection.vendor == "sqlite":
        path = tmp_path / "qiangji.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return f"sqlite:///{path}"
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def run_writers(mode: str, tmp_path: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(tmp_path),
        "DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "qiangji.web.settings",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.web.security.concurrent_saves", mode],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-5000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["vendor"] == connection.vendor
    return result


def one_wins(result: dict[str, Any], won: Any, lost: Any) -> None:
    """Exactly one writer won (A stores 2, B stores 3); the other was refused with the conflict."""
    outcomes = {name: (result[f"{name}_status"], result[f"{name}_body"]) for name in ("a", "b")}
    winners = [name for name, outcome in outcomes.items() if won(*outcome)]
    losers = [name for name, outcome in outcomes.items() if lost(*outcome)]
    assert len(winners) == len(losers) == 1 and winners != losers, {
        k: v[1][-1500:] for k, v in outcomes.items()
    }
    assert result["stored"] == {"a": 2.0, "b": 3.0}[winners[0]]


@pytest.mark.django_db(transaction=True)
def test_it_answers_409_to_the_loser_of_two_concurrent_api_saves(tmp_path: Path) -> None:
    one_wins(
        run_writers("api", tmp_path),
        won=lambda status, body: status == 200,
        lost=lambda status, body: status == 409 and "保存被拒绝" in json.loads(body)["error"],
    )


@pytest.mark.django_db(transaction=True)
def test_it_refuses_the_loser_of_two_concurrent_report_form_saves(tmp_path: Path) -> None:
    one_wins(
        run_writers("form", tmp_path),
        won=lambda status, body: status == 200 and "已保存 1 项" in body and "D1.3" in body,
        lost=lambda status, body: status == 400 and "保存被拒绝" in body,  # the form again, typed values kept
    )
