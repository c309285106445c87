"""The audit's statements prune a certificate table partitioned by year (PostgreSQL; issue 16 point 7).

The registry's own table is not partitioned (see README, Deployment: its many-to-many link to standards
references ``id`` alone, which PostgreSQL cannot enforce on a table partitioned by date). This test builds a
table of the same columns partitioned by ``verified_on`` per year, points the audit at it and reads
``EXPLAIN``: a year's audit touches that year's partition only, with or without an institution.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from qiangji.web.registry import audit

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]
YEARS = (2023, 2024, 2025)


@pytest.fixture
def partitioned(monkeypatch: pytest.MonkeyPatch) -> str:
    with connection.cursor() as cursor:
        like = f"LIKE {audit.CERT} INCLUDING DEFAULTS"
        cursor.execute(f"CREATE TABLE vcert_by_year ({like}) PARTITION BY RANGE (verified_on)")
        for year in YEARS:
            cursor.execute(
                f"CREATE TABLE vcert_{year} PARTITION OF vcert_by_year FOR VALUES FROM (%s) TO (%s)",
                [dt.date(year, 1, 1), dt.date(year + 1, 1, 1)],
            )
        cursor.execute("CREATE INDEX ON vcert_by_year (institution_id, verified_on)")
    monkeypatch.setattr(audit, "CERT", "vcert_by_year")
    return "vcert_by_year"


def plan(sql: str, params: list[object]) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("rule", [*audit.RULES, audit.ELEMENTS])
@pytest.mark.parametrize("institution_id", [None, 7])
def test_it_reads_only_the_year_s_partition(partitioned: str, rule: str, institution_id: int | None) -> None:
    scope = audit.Scope(dt.date(2024, 1, 1), dt.date(2024, 12, 31), institution_id)
    explained = plan(*audit.rule_sql(rule, scope))
    assert "vcert_2024" in explained, explained
    assert "vcert_2023" not in explained and "vcert_2025" not in explained, explained


def test_it_reads_two_partitions_for_a_range_across_new_year(partitioned: str) -> None:
    scope = audit.Scope(dt.date(2024, 12, 1), dt.date(2025, 1, 31))
    explained = plan(*audit.rule_sql("TR-7", scope))
    assert "vcert_2024" in explained and "vcert_2025" in explained and "vcert_2023" not in explained
