"""The audit's statements run side by side on PostgreSQL (audit.side_by_side): same rows, in the same order,
as one after the other; a failing statement's error reaches the reader; a reader that stops early leaves
no statement or connection behind."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection, transaction

from qiangji.web.registry import audit
from qiangji.web.registry.models import MVCatalogueItem

from . import factories as f
from .test_audit import cert as cert  # the fixture: a certificate that satisfies every rule

D = f.D
YEAR = audit.Scope(D(2024, 1, 1), D(2024, 12, 31))
pytestmark = pytest.mark.django_db(transaction=True)  # the statements' own connections see committed rows


@pytest.fixture
def broken(cert: Any) -> None:
    """Certificates that break every rule, committed: a copy of ``cert`` per defect."""
    inst = cert.institution
    defects: list[dict[str, Any]] = [
        {"record_no": " "}, {"temperature_c": None}, {"humidity_pct": 99}, {"valid_until": D(2026, 5, 15)},
        {"verified_on": D(2024, 5, 16), "checker": cert.verifier}, {"approver": f.staff(inst)},
        {"verifier": f.staff(inst)}, {"regulation": f.regulation("JJG 9539-2099", D(2099, 1, 1))},
        {"mv_item": MVCatalogueItem.objects.create(
            catalogue_version="2020-42", level1_no=2, level1_name="非自动衡器", level2_no=3,
            level2_name="电子台案秤", supervision_mode="P+V", mv_form="periodic", evidence="confirmed")},
    ]  # fmt: skip
    for n, changes in enumerate(defects):
        copy = f.certificate(inst, **{**_fields(cert), "cert_no": f"BAD-{n}", **changes})
        copy.save()
        if n % 2:
            copy.standards.add(*cert.standards.all())


def _fields(good: Any) -> dict[str, Any]:
    names = ("verifier", "checker", "approver", "regulation", "verified_on", "valid_until", "mv_item",
             "record_no", "temperature_c", "humidity_pct")  # fmt: skip
    return {name: getattr(good, name) for name in names}


def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the statements run side by side on PostgreSQL only")


def test_side_by_side_gives_the_rows_of_one_after_the_other(broken: None) -> None:
    postgres_only()
    assert audit.side_by_side(YEAR, audit._groups(audit.RULES), "default")
    together = list(audit.failure_rows(YEAR))
    with transaction.atomic():  # inside a transaction the statements run in turn on this connection
        assert not audit.side_by_side(YEAR, audit._groups(audit.RULES), "default")
        in_turn = list(audit.failure_rows(YEAR))
    assert together == in_turn
    assert {row[3] for row in together} == set(audit.RULES) - {"TR-2"}  # each defect found (TR-2 has none)


def test_failing_certificates_side_by_side_equal_one_statement(broken: None) -> None:
    postgres_only()
    together = list(audit.failing_certificates(YEAR))
    with transaction.atomic():  # one statement grouping the rules' UNION ALL
        grouped = list(audit.failing_certificates(YEAR))
    assert together == grouped
    found = {rule for *_keys, rules in together for rule in rules}
    assert found == set(audit.RULES) - {"TR-2"} | {audit.ELEMENTS}  # each defect found (TR-2 has none)


def test_a_statement_s_error_reaches_the_reader(broken: None, monkeypatch: pytest.MonkeyPatch) -> None:
    postgres_only()
    real = audit._statement

    def failing(group: tuple[str, ...], scope: audit.Scope, using: str) -> tuple[str, list[Any]]:
        sql, params = real(group, scope, using)
        return (sql.replace(audit.CERT, "no_such_table", 1), params) if group == ("TR-3",) else (sql, params)

    monkeypatch.setattr(audit, "_statement", failing)
    with pytest.raises(Exception, match="no_such_table"):
        list(audit.failure_rows(YEAR))


def _other_backends() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return {pid for (pid,) in cursor.fetchall()}


def test_a_reader_that_stops_early_leaves_nothing_running(broken: None) -> None:
    postgres_only()
    before = _other_backends()  # connections of earlier tests' servers, if any
    rows = audit.failure_rows(YEAR)
    next(rows)
    rows.close()  # joins every statement's thread, which closes its connection
    left: set[int] = set()
    for _ in range(50):  # a closed connection's server process ends a moment after the client leaves
        left = _other_backends() - before
        if not left:
            break
        time.sleep(0.1)
    assert left == set()
