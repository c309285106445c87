"""The set-based audit equals the per-certificate rules on every demo certificate (SQLite and PostgreSQL).

The demo plants defects of every rule and edge cases at the as-of boundaries (a regulation superseded mid
quarter, a registration gap, standards renewed by re-examination); the data set is loaded once for the
module inside a transaction that is rolled back afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.db.models import Max, Min

from qiangji.demo.load import LoadReport, load_demo
from qiangji.web.registry import audit
from qiangji.web.registry.models import Institution, VerificationCertificate
from qiangji.web.registry.traceability import traceability_report

pytestmark = pytest.mark.django_db
Key = tuple[int, str, str, str]


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[LoadReport]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            report = load_demo()
            if connection.vendor == "postgresql":
                # Statistics of the loaded demo: left with those of the small tables of earlier tests, the
                # planner nests loops in the reference's prefetch joins and one query runs for many minutes.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            yield report
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def reference(certs: object) -> list[Key]:
    report = traceability_report(certs)  # type: ignore[arg-type]
    return sorted((pk, i.rule, i.field, str(i.message)) for pk, issues in report.items() for i in issues)


def set_based(scope: audit.Scope) -> list[Key]:
    return sorted(
        (x.certificate_id, x.issue.rule, x.issue.field, str(x.issue.message)) for x in audit.failures(scope)
    )


def span() -> tuple[dt.date, dt.date]:
    got = VerificationCertificate.objects.aggregate(first=Min("verified_on"), last=Max("verified_on"))
    return got["first"], got["last"]


def test_it_finds_the_same_issues_on_every_demo_certificate(loaded: LoadReport) -> None:
    first, last = span()
    expected = reference(VerificationCertificate.objects.all())
    assert set_based(audit.Scope(first, last)) == expected
    assert {rule for _pk, rule, _f, _m in expected} == set(audit.RULES)  # every rule has failures to compare
    assert len(expected) > 100


def test_it_finds_the_same_issues_per_institution_and_quarter(loaded: LoadReport) -> None:
    quarter = (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    for inst in Institution.objects.filter(certificates__isnull=False).distinct():
        certs = VerificationCertificate.objects.filter(
            institution=inst, verified_on__gte=quarter[0], verified_on__lte=quarter[1]
        )
        assert set_based(audit.Scope(*quarter, institution_id=inst.pk)) == reference(certs), inst.code


def test_it_groups_the_same_failing_certificates(loaded: LoadReport) -> None:
    first, last = span()
    report = traceability_report(VerificationCertificate.objects.all())
    expected = {pk: frozenset(i.rule for i in issues) for pk, issues in report.items() if issues}
    got = {
        pk: rules - {audit.ELEMENTS}
        for pk, _no, _inst, rules in audit.failing_certificates(audit.Scope(first, last))
    }
    assert {pk: rules for pk, rules in got.items() if rules} == expected
