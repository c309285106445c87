"""A large import on PostgreSQL checks its foreign keys with one query per constraint (dropped while the rows
are written, added again after): here forced on with a threshold of one row. The constraints come back
under their names and definitions (on the partitioned table's partitions too), a bad reference is still
refused by the importer's own message with nothing stored, and a reference only the database finds broken
fails the re-added constraint, which rolls the batch back and leaves the row-by-row import to name the row."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from django.db import connection

from qiangji.web.excel import setchecks
from qiangji.web.excel.importer import import_workbook
from qiangji.web.excel.lookups import Index
from qiangji.web.excel.synthetic import certificate_csv, certificate_rows, reference_registry
from qiangji.web.registry import models as m

pytestmark = pytest.mark.django_db
CERTS = "verification_certificate"
N = 60
VERIFIER = 15  # 检定员工号 in the generated rows


def load(rows: list[list[str]]):
    return import_workbook(io.BytesIO(certificate_csv(rows)), table=CERTS, name="certs.csv")


def declared() -> list[tuple[str, str, str]]:
    """Every foreign key on the certificate tables, partitions' copies included."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text LIKE 'registry_verificationcertificate%'"
            " ORDER BY 1, 2"
        )
        return cursor.fetchall()


@pytest.fixture
def forced(settings: Any) -> None:
    settings.QIANGJI_IMPORT_SET_CHECK_ROWS = 1
    settings.QIANGJI_IMPORT_SET_CHECK_SHARE = 1_000_000
    reference_registry()


def test_it_is_chosen_only_on_postgresql_above_the_threshold(forced: None, settings: Any) -> None:
    postgres = connection.vendor == "postgresql"
    assert setchecks.chosen(m.VerificationCertificate, 1) is postgres
    settings.QIANGJI_IMPORT_SET_CHECK_ROWS = 2
    assert setchecks.chosen(m.VerificationCertificate, 1) is False


def test_the_constraints_come_back_as_they_were(forced: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite checks its foreign keys as before")
    before = declared()
    assert len(before) >= 8  # six on the certificate table (and each partition), two on its links
    result = load(list(certificate_rows(N)))
    assert result.ok and result.counts() == {CERTS: {"created": N, "updated": 0, "unchanged": 0}}
    assert declared() == before
    assert m.VerificationCertificate.standards.through.objects.count() == 2 * N
    with connection.cursor() as cursor:  # added again validated, not NOT VALID
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
            " AND conrelid::regclass::text LIKE 'registry_verificationcertificate%'"
        )
        assert cursor.fetchone() == (0,)


def test_an_unknown_reference_is_refused_by_the_importers_message(forced: None) -> None:
    before = declared() if connection.vendor == "postgresql" else None
    rows = list(certificate_rows(N))
    rows[-1][VERIFIER] = "999"
    result = load(rows)
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (N + 1, "P", "999")
    assert error.rule == "未找到人员"
    assert result.counts() == {} and not m.VerificationCertificate.objects.exists()
    if before is not None:
        assert declared() == before


def test_a_reference_only_the_database_finds_broken_falls_back_to_the_row_import(
    forced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staff member resolved from memory but gone from the table (removed after the look-ups were
    loaded): the set-based path writes the row, the re-added constraint refuses it, the batch is rolled
    back and the row-by-row import, which asks the database, names the row."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the constraints are dropped and added again there")
    real = m.Staff.objects.get(institution__code="SY09", staff_no="000")
    ghost = copy.copy(real)
    ghost.pk, ghost.staff_no = 10**9, "999"
    lookup = Index.__call__

    def stale(self: Index, model: Any, filters: dict[str, Any]) -> Any:
        if model is m.Staff and "999" in filters.values():
            return ghost
        return lookup(self, model, filters)

    monkeypatch.setattr(Index, "__call__", stale)
    before = declared()
    rows = list(certificate_rows(N))
    rows[-1][VERIFIER] = "999"  # the last row is SY09's
    result = load(rows)
    (error,) = result.errors
    assert (error.row, error.column, error.value, error.rule) == (N + 1, "P", "999", "未找到人员")
    assert result.counts() == {} and not m.VerificationCertificate.objects.exists()
    assert declared() == before
