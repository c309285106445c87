"""C3/C4 kept per institution under a fingerprint of the rows they read (registry/audit_cache.py).

After a change only the institutions whose rows changed are audited again, and the values are always
those a fresh audit gives: checked after a certificate's save, a bulk update that sets ``updated_at``, a
link removed, a new certificate, a deleted one, a change to a shared table (every institution again), and a
change to one institution's staff or standards (that institution, and those whose certificates name them).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from qiangji.web.assessment.models import Period
from qiangji.web.registry import audit_cache
from qiangji.web.registry.models import (
    MVCatalogueItem,
    ProfessionalItemMapping,
    RMRegistration,
    VerificationCertificate,
)
from qiangji.web.registry.samples import SAMPLE_RULES, certificate_samples
from tests.web.registry import factories as f

from .helpers import D, clean_certificate, valid_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    insts = [f.institution() for _ in range(3)]
    certs = {}
    for inst in insts:
        std = valid_standard(inst)
        for n in range(3):
            certs[inst.pk, n] = clean_certificate(inst, std, cert_no=f"{inst.pk}-{n}")
    return {"period": Period.for_code("2024Q1"), "insts": insts, "certs": certs}


@pytest.fixture
def audited(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """The institutions each call of certificate_rates audited afresh."""
    calls: list[set[int]] = []
    real = audit_cache._audit

    def spy(insts: Any, period: Period) -> Any:
        calls.append({i.pk for i in insts})
        return real(insts, period)

    monkeypatch.setattr(audit_cache, "_audit", spy)
    return calls


def rates(world: dict[str, Any]) -> dict[int, Any]:
    return audit_cache.certificate_rates(world["insts"], world["period"])


def fresh(world: dict[str, Any]) -> dict[int, Any]:
    samples = certificate_samples(world["insts"], world["period"])
    return {pk: {code: s.rate(rule) for code, rule in SAMPLE_RULES.items()} for pk, s in samples.items()}


def test_it_audits_only_the_institution_whose_certificate_changed(world, audited) -> None:
    assert rates(world) == fresh(world) and audited == [{i.pk for i in world["insts"]}]
    assert rates(world) == fresh(world) and len(audited) == 1  # nothing changed: nothing audited
    first = world["insts"][0]
    cert = world["certs"][first.pk, 0]
    cert.record_no = ""
    cert.save()
    got = rates(world)
    assert audited[-1] == {first.pk}
    assert got == fresh(world) and got[first.pk]["C4.1"].records == (cert.cert_no,)


def test_it_sees_a_bulk_update_that_sets_updated_at(world, audited) -> None:
    rates(world)
    second = world["insts"][1]
    cert = world["certs"][second.pk, 1]
    cert.temperature_c, cert.updated_at = None, timezone.now()
    VerificationCertificate.objects.bulk_update([cert], ["temperature_c", "updated_at"])
    got = rates(world)
    assert audited[-1] == {second.pk} and got == fresh(world)
    assert got[second.pk]["C4.4"].records == (cert.cert_no,)


def test_it_sees_a_removed_link_a_new_and_a_deleted_certificate(world, audited) -> None:
    rates(world)
    a, b, c = world["insts"]
    world["certs"][a.pk, 2].standards.clear()  # TR-1: no standard cited; no timestamp moves
    got = rates(world)
    assert audited[-1] == {a.pk} and got == fresh(world)
    assert got[a.pk]["C4.2"].records == (world["certs"][a.pk, 2].cert_no,)
    old = world["certs"][b.pk, 0]  # a new certificate of b, by b's staff with b's standard
    new = VerificationCertificate(  # not f.certificate, which would add a regulation (a shared table)
        institution=b, cert_no="new", verified_on=old.verified_on, valid_until=old.valid_until,
        instrument_name=old.instrument_name, conclusion=old.conclusion, verifier=old.verifier,
        checker=old.checker, approver=old.approver, regulation=old.regulation, record_no="",
        temperature_c=20, humidity_pct=50,
    )  # fmt: skip
    new.save()
    new.standards.add(*old.standards.all())
    world["certs"][c.pk, 0].standards.clear()
    world["certs"][c.pk, 0].delete()
    got = rates(world)
    assert audited[-1] == {b.pk, c.pk} and got == fresh(world)


def test_a_change_to_a_shared_table_audits_every_institution(world, audited) -> None:
    rates(world)
    regulation = world["certs"][world["insts"][0].pk, 0].regulation
    regulation.superseded_on = D(2024, 1, 2)
    regulation.save()
    got = rates(world)
    assert audited[-1] == {i.pk for i in world["insts"]} and got == fresh(world)


def test_a_change_to_one_institution_s_staff_audits_that_institution_only(world, audited) -> None:
    rates(world)
    a, b, _c = world["insts"]
    registration = RMRegistration.objects.filter(staff=world["certs"][b.pk, 0].verifier).get()
    registration.valid_to = D(2024, 2, 1)  # TR-3: the verifier is no longer registered on 2024-03-01
    registration.save()
    got = rates(world)
    assert audited[-1] == {b.pk} and got == fresh(world)
    assert got[b.pk]["C3.1"].records == (world["certs"][b.pk, 0].cert_no,)
    standard = world["certs"][a.pk, 0].standards.get()
    standard.assessment_expires_on = D(2024, 2, 1)  # TR-1 for every certificate of a citing it
    standard.save()
    got = rates(world)
    assert audited[-1] == {a.pk} and got == fresh(world)


def test_a_standard_cited_by_another_institution_audits_both(world, audited) -> None:
    a, b, _c = world["insts"]
    borrowed = world["certs"][b.pk, 0].standards.get()
    world["certs"][a.pk, 1].standards.add(borrowed)  # a's certificate also cites b's standard
    rates(world)
    borrowed.assessment_expires_on = D(2024, 2, 1)
    borrowed.save()
    got = rates(world)
    assert audited[-1] == {a.pk, b.pk} and got == fresh(world)
    assert world["certs"][a.pk, 1].cert_no in got[a.pk]["C4.2"].records


def test_a_registration_item_mapping_audits_every_institution(world, audited) -> None:
    rates(world)
    item = MVCatalogueItem.objects.create(
        catalogue_version="2020-42", level1_no=2, level1_name="非自动衡器", level2_no=2,
        level2_name="电子计价秤", supervision_mode="P+V", mv_form="periodic", evidence="confirmed",
    )  # fmt: skip
    rates(world)
    before = len(audited)
    ProfessionalItemMapping.objects.create(catalogue_item=item, registration_item="衡器")
    got = rates(world)
    assert audited[before:] == [{i.pk for i in world["insts"]}] and got == fresh(world)
