"""Every audit and indicator statement reads only the partitions of its dates (PostgreSQL, where the
certificate table is partitioned by year: registry migration 0007; README, "Size: a city, a province, a
country"). Read from ``EXPLAIN`` on the registry's own table."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiangji.web.registry import audit, audit_cache, partitions

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]
YEAR = dt.date.today().year - 1  # the migration creates partitions from five years back
READ = re.compile(rf"\b({partitions.TABLE}_(?:y\d{{4}}|default))\b")


def plan(sql: str, params: list[object] | None = None) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def read(explained: str) -> set[str]:
    """The partitions a plan reads."""
    return set(READ.findall(explained))


def test_it_runs_on_a_table_partitioned_by_year() -> None:
    assert partitions.partitioned()
    years = [p.year for p in partitions.partitions()]
    assert years[-1] is None  # DEFAULT, for any date without a partition of its own
    assert years[:-1] == list(range(YEAR - 4, YEAR + 4))


@pytest.mark.parametrize("rule", [*audit.RULES, audit.ELEMENTS])
@pytest.mark.parametrize("institution_id", [None, 7])
def test_it_reads_only_the_year_s_partition(rule: str, institution_id: int | None) -> None:
    scope = audit.Scope(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), institution_id)
    explained = plan(*audit.rule_sql(rule, scope))
    assert read(explained) == {f"{partitions.TABLE}_y{YEAR}"}, explained


def test_it_reads_two_partitions_for_a_range_across_new_year() -> None:
    scope = audit.Scope(dt.date(YEAR - 1, 12, 1), dt.date(YEAR, 1, 31), 7)
    explained = plan(*audit.rule_sql("TR-7", scope))
    assert read(explained) == {f"{partitions.TABLE}_y{YEAR - 1}", f"{partitions.TABLE}_y{YEAR}"}


@pytest.mark.parametrize("sample_size", [0, 3])
def test_every_statement_of_the_indicators_reads_only_the_year_s_partition(
    sample_size: int, settings
) -> None:
    """C3/C4 of a period as the index computes them (fingerprints, counts, the drawn sample, failures)."""
    settings.QIANGJI = {**settings.QIANGJI, "CERTIFICATE_SAMPLE_SIZE": sample_size}
    period = SimpleNamespace(pk=1, code=str(YEAR), start=dt.date(YEAR, 1, 1), end=dt.date(YEAR, 12, 31))
    with CaptureQueriesContext(connection) as queries:
        audit_cache.certificate_rates([audit.Institution(pk=7, code="X")], period)
    statements = [q["sql"] for q in queries.captured_queries if partitions.TABLE + " " in q["sql"]]
    assert len(statements) >= 4 + (sample_size > 0)
    for sql in statements:
        explained = plan(sql)
        assert read(explained) == {f"{partitions.TABLE}_y{YEAR}"}, (sql, explained)
