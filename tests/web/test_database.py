"""The suite really runs on the database that scripts/run-tests.sh asked for."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_it_runs_on_the_requested_database() -> None:
    wanted = os.environ.get("QIANGJI_TEST_DB", "sqlite")
    assert connection.vendor == {"sqlite": "sqlite", "postgres": "postgresql"}[wanted]
