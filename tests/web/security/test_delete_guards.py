"""Rows the database itself keeps: a final publication and the audit trail cannot be deleted past the
model (a QuerySet ``delete()``, raw SQL) on SQLite either, as on PostgreSQL; Django's own ``flush`` (between
transactional tests, the ``flush`` command) and a restore into an empty database still empty them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from qiangji.web.accounts import audit
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.publication.models import Publication, PublicationEvent
from qiangji.web.registry.models import Institution
from tests.web.publication.conftest import COUNTIES, fv, institutions, publish  # noqa: F401 (fixtures)


@pytest.fixture
def final(institutions: Any, fv: Any) -> Publication:  # noqa: F811
    return publish("2025Q1", 1, fv)


def refused(action: Any) -> None:
    with pytest.raises(DatabaseError, match=r"immutable|append-only"), transaction.atomic():
        action()


def test_it_refuses_a_queryset_delete_of_a_final_publication(final: Publication) -> None:
    events = PublicationEvent.objects.filter(publication=final).count()
    assert events > 0
    refused(lambda: Publication.objects.filter(pk=final.pk).delete())
    assert Publication.objects.get(pk=final.pk).content_sha256 == final.content_sha256
    assert PublicationEvent.objects.filter(publication_id=final.pk).count() == events  # none orphaned


def test_it_refuses_a_raw_delete_of_a_final_publication(final: Publication) -> None:
    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM publication_publication WHERE id = %s", [final.pk])

    refused(raw)
    assert Publication.objects.filter(pk=final.pk).exists()


def test_it_still_deletes_a_publication_that_is_not_final(institutions: Any, fv: Any) -> None:  # noqa: F811
    notice = publish("2025Q2", 2, fv, final=False)
    Publication.objects.filter(pk=notice.pk).delete()
    assert not Publication.objects.filter(pk=notice.pk).exists()


def test_it_refuses_deleting_audit_events(db: Any) -> None:
    event = audit.record(AuditEvent.Action.EXPORT, app_label="excel", model="all")
    qs = AuditEvent.objects.filter(pk=event.pk)
    refused(lambda: qs._raw_delete(qs.db))  # past the queryset's own guard

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_auditevent")

    refused(raw)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_it_lets_flush_empty_the_guarded_tables(institutions: Any, fv: Any) -> None:  # noqa: F811
    publish("2025Q1", 1, fv)
    assert AuditEvent.objects.exists() and Publication.objects.filter(status="final").exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not Publication.objects.exists() and not AuditEvent.objects.exists()
    # the guards are back on after the flush
    for code, name in COUNTIES.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    publish("2025Q1", 1, ensure_default_framework(FrameworkVersion)[0])
    refused(lambda: Publication.objects.all().delete())
    refused(lambda: AuditEvent.objects.all()._raw_delete("default"))
