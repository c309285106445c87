"""The certificate table partitioned by year keeps what the plain table guaranteed (registry migration 0007):
a certificate number unique per institution across years, links to standards only to stored certificates,
a certificate that changes year moved with its links, the key table emptied by a TRUNCATE, and years added
later with their certificates moved out of the DEFAULT partition. PostgreSQL only: SQLite keeps the plain
table (its unique constraint is tested with the models)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from qiangji.web.excel.bulk import insert_rows
from qiangji.web.registry import partitions
from qiangji.web.registry.models import VerificationCertificate
from tests.web.registry import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]
D = dt.date
KEYS = f"{partitions.TABLE}_key"
LINKS = VerificationCertificate.standards.through._meta.db_table
YEAR = D.today().year - 1


def where(cert: VerificationCertificate) -> str:
    """The partition holding ``cert``."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {partitions.TABLE} WHERE id = %s", [cert.pk])
        return str(cursor.fetchone()[0])


def keys() -> set[tuple[int, int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, institution_id, cert_no FROM {KEYS}")
        return set(cursor.fetchall())


def check_constraints() -> None:
    """The deferred foreign keys checked now, as at commit."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def unsaved(inst, **kw) -> VerificationCertificate:
    """A certificate, valid for a year from its verification date."""
    if "verified_on" in kw:
        kw["valid_until"] = kw["verified_on"] + dt.timedelta(days=364)
    return f.certificate(inst, **kw)


def saved(inst, **kw) -> VerificationCertificate:
    cert = unsaved(inst, **kw)
    cert.save()
    return cert


def test_it_refuses_a_number_of_another_year_in_the_database() -> None:
    inst = f.institution()
    first = saved(inst, cert_no="JD-1", verified_on=D(YEAR - 1, 6, 1))
    again = unsaved(inst, cert_no="JD-1", verified_on=D(YEAR, 6, 1))
    with pytest.raises(ValidationError) as form:  # what the admin's form and the importer's rows say
        again.full_clean()
    assert form.value.messages == ["包含 机构 和 证书编号 的 检定证书 已经存在。"]
    with pytest.raises(IntegrityError, match='unique constraint "vcert_unique_no"'), transaction.atomic():
        again.save()  # the database, whatever the code path
    assert where(first) == f"{partitions.TABLE}_y{YEAR - 1}"
    assert keys() == {(first.pk, inst.pk, "JD-1")}
    other = saved(f.institution(), cert_no="JD-1", verified_on=D(YEAR, 6, 1))
    assert keys() == {(first.pk, inst.pk, "JD-1"), (other.pk, other.institution_id, "JD-1")}


def test_the_importer_s_copy_is_refused_too() -> None:
    inst = f.institution()
    saved(inst, cert_no="JD-2", verified_on=D(YEAR, 1, 2))
    again = unsaved(inst, cert_no="JD-2", verified_on=D(YEAR - 2, 1, 2))
    with pytest.raises(IntegrityError, match="vcert_unique_no"), transaction.atomic():
        insert_rows(VerificationCertificate, [again])
    with pytest.raises(IntegrityError, match="vcert_unique_no"), transaction.atomic():
        VerificationCertificate.objects.bulk_create([again, unsaved(inst, cert_no="JD-2")])


def test_a_certificate_that_changes_year_moves_with_its_key_and_links() -> None:
    inst = f.institution()
    cert = saved(inst, verified_on=D(YEAR - 1, 12, 31))
    old_no = cert.cert_no
    cert.standards.add(f.standard(inst))
    cert.verified_on, cert.cert_no = D(YEAR, 1, 1), "JD-moved"
    cert.save()
    assert where(cert) == f"{partitions.TABLE}_y{YEAR}"
    VerificationCertificate.objects.filter(pk=cert.pk).update(verified_on=D(2099, 1, 1), valid_until=None)
    assert where(cert) == f"{partitions.TABLE}_default"
    VerificationCertificate.objects.bulk_update(
        [cert], ["verified_on"]
    )  # back to YEAR, as the importer updates
    assert where(cert) == f"{partitions.TABLE}_y{YEAR}"
    assert keys() == {(cert.pk, inst.pk, "JD-moved")}
    check_constraints()
    assert cert.standards.count() == 1
    saved(inst, cert_no=old_no)  # an old number is free again once its certificate took another


def test_a_link_to_a_missing_certificate_is_refused() -> None:
    inst = f.institution()
    cert = saved(inst)
    link, standard = VerificationCertificate.standards.through, f.standard(inst)
    with pytest.raises(IntegrityError, match="registry_verificationcertificate_key"), transaction.atomic():
        link.objects.create(verificationcertificate_id=cert.pk + 1000, measurementstandard=standard)
        check_constraints()


def test_deleting_certificates_frees_their_numbers() -> None:
    inst = f.institution()
    cert = saved(inst, cert_no="JD-9")
    cert.standards.add(f.standard(inst))
    cert.delete()
    assert keys() == set()
    check_constraints()
    saved(inst, cert_no="JD-9", verified_on=D(YEAR - 3, 5, 5))


def test_a_truncate_empties_the_key_table() -> None:
    """Django's test flush and a restore empty the tables with TRUNCATE, which fires no row trigger."""
    inst = f.institution()
    saved(inst, cert_no="JD-5")
    check_constraints()  # no deferred check pending, or PostgreSQL refuses the TRUNCATE
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {partitions.TABLE}, {VerificationCertificate.standards.through._meta.db_table}"
        )
    assert keys() == set()
    saved(inst, cert_no="JD-5")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", [1, 2])
def test_the_flush_between_transactional_tests_empties_it(run: int) -> None:
    """The same number in two transactional tests: the second runs after Django's flush (TRUNCATE)."""
    saved(f.institution(code="FLUSH"), cert_no="JD-flush")
    assert len(keys()) == 1


def test_the_command_gives_a_year_its_partition_and_moves_its_certificates(capsys) -> None:
    inst = f.institution()
    far = D(2090, 3, 1)
    cert = saved(inst, cert_no="JD-far", verified_on=far)
    cert.standards.add(f.standard(inst))
    later = saved(inst, cert_no="JD-later", verified_on=D(2091, 3, 1))
    assert where(cert) == where(later) == partitions.DEFAULT
    call_command("partitioncertificates", "--ahead", "0", "--year", "2090")
    out = capsys.readouterr().out
    assert f"{partitions.TABLE}_y2090: created, 1 certificates moved from DEFAULT" in out
    assert (where(cert), where(later)) == (f"{partitions.TABLE}_y2090", partitions.DEFAULT)
    assert keys() == {(cert.pk, inst.pk, "JD-far"), (later.pk, inst.pk, "JD-later")}
    check_constraints()
    assert VerificationCertificate.objects.get(pk=cert.pk).standards.count() == 1
    with pytest.raises(IntegrityError, match="vcert_unique_no"), transaction.atomic():
        saved(inst, cert_no="JD-far", verified_on=D(YEAR, 1, 1))
    call_command("partitioncertificates", "--ahead", "0", "--year", "2090")  # nothing left to do
    assert "created" not in capsys.readouterr().out
    assert 2090 in {p.year for p in partitions.partitions()}


def test_the_migration_keeps_every_certificate_both_ways() -> None:
    """Registry 0007 backwards (the plain table) and forwards again over stored certificates: every row,
    its id and its link kept; ids go on from where they were."""
    from django.db.migrations.executor import MigrationExecutor

    inst = f.institution()
    certs = [saved(inst, verified_on=D(year, 3, 1)) for year in (YEAR - 20, YEAR, 2099)]
    certs[1].standards.add(f.standard(inst))
    check_constraints()
    before = table_rows()

    def migrate(name: str) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate([("registry", name)])
        check_constraints()

    migrate("0006_audit_indexes")
    assert not partitions.partitioned() and table_rows() == before
    migrate("0007_certificate_partitions")
    assert partitions.partitioned() and table_rows() == before
    assert keys() == {(c.pk, inst.pk, c.cert_no) for c in certs}
    year = f"{partitions.TABLE}_y{YEAR}"
    assert [where(c) for c in certs] == [partitions.DEFAULT, year, partitions.DEFAULT]
    assert saved(inst).pk > certs[-1].pk


def table_rows() -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {partitions.TABLE} ORDER BY id")
        rows = cursor.fetchall()
        cursor.execute(f"SELECT * FROM {LINKS} ORDER BY id")
        return [*rows, *cursor.fetchall()]
