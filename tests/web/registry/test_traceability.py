"""TR-1…TR-8 of a verification certificate, each broken alone, at the as-of boundaries (domain §2.6, §6)."""

from __future__ import annotations

import pytest

from qiangji.web.registry.models import InstitutionMVItem, MVCatalogueItem
from qiangji.web.registry.traceability import traceability_issues

from . import factories as f

D = f.D
DAY = D(2024, 5, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture
def cert():
    """A certificate of 2024-05-15 that satisfies every rule."""
    inst = f.institution()
    item = MVCatalogueItem.objects.create(
        catalogue_version="2020-42", level1_no=2, level1_name="非自动衡器", level2_no=2,
        level2_name="电子计价秤", supervision_mode="P+V", mv_form="periodic", evidence="confirmed",
    )  # fmt: skip
    InstitutionMVItem.objects.create(institution=inst, item=item, authorised_from=D(2020, 1, 1))
    verifier = f.staff(inst)
    f.registration(verifier, D(2020, 1, 1), D(2029, 12, 31), professional_items=["电子计价秤", "衡器"])
    std = f.standard(inst, assessment_issued_on=D(2020, 1, 1), assessment_expires_on=D(2024, 12, 31))
    f.instrument_certificate(std, D(2024, 1, 10), D(2025, 1, 9))
    regulation = f.regulation("JJG 539-2016", D(2016, 11, 30), max_interval_months=12, temperature_min_c=5,
                              temperature_max_c=35, humidity_max_pct=85)  # fmt: skip
    c = f.certificate(
        inst, verifier=verifier, checker=f.staff(inst), approver=f.staff(inst, is_authorised_signatory=True),
        regulation=regulation, verified_on=DAY, valid_until=D(2025, 5, 14), mv_item=item, record_no="YS-001",
        temperature_c=21, humidity_pct=55,
    )  # fmt: skip
    c.save()
    c.standards.add(std)
    return c


def rules(cert) -> list[str]:
    return [issue.rule for issue in traceability_issues(cert)]


def test_it_finds_nothing_wrong_with_a_traceable_certificate(cert) -> None:
    assert traceability_issues(cert) == []


def test_it_flags_a_standard_whose_assessment_expired_the_day_before(cert) -> None:
    std = cert.standards.get()
    std.assessment_expires_on = D(2024, 5, 14)
    std.save()
    assert rules(cert) == ["TR-1"]
    std.assessment_expires_on = D(2024, 5, 15)  # expiring on the day itself is still valid
    std.save()
    assert rules(cert) == []


def test_it_flags_a_certificate_without_cited_standards(cert) -> None:
    cert.standards.clear()
    assert rules(cert) == ["TR-1"]


def test_it_flags_a_standard_instrument_out_of_calibration(cert) -> None:
    instrument = cert.standards.get().instruments.get()
    instrument.certificates.update(valid_to=D(2024, 5, 14))
    assert rules(cert) == ["TR-2"]


def test_it_flags_a_verifier_whose_registration_lapsed(cert) -> None:
    cert.verifier.registrations.update(valid_to=D(2024, 4, 30))
    f.registration(cert.verifier, D(2024, 6, 1), D(2029, 5, 31))  # renewed after a one-month lapse
    assert rules(cert) == ["TR-3"]


def test_it_flags_an_item_outside_the_verifier_s_professional_items(cert) -> None:
    cert.verifier.registrations.update(professional_items=["压力"])
    assert rules(cert) == ["TR-3"]


def test_it_flags_a_verifier_who_is_also_the_checker(cert) -> None:
    cert.checker = cert.verifier
    assert rules(cert) == ["TR-3"]


def test_it_flags_an_approver_who_is_not_an_authorised_signatory(cert) -> None:
    cert.approver.is_authorised_signatory = False
    cert.approver.save()
    assert [(i.rule, i.field) for i in traceability_issues(cert)] == [("TR-3", "approver")]


def test_it_flags_a_regulation_superseded_mid_quarter(cert) -> None:
    new = f.regulation("JJG 539-2024", D(2024, 5, 15))
    cert.regulation.superseded_on, cert.regulation.superseded_by = D(2024, 5, 15), new
    cert.regulation.save()
    issues = traceability_issues(cert)
    assert [i.rule for i in issues] == ["TR-4"]
    assert "JJG 539-2024" in str(issues[0].message)
    cert.verified_on = D(2024, 5, 14)  # the day before, the old edition was still in force
    cert.valid_until = D(2025, 5, 13)
    assert rules(cert) == []


def test_it_flags_missing_or_out_of_range_environment(cert) -> None:
    cert.humidity_pct = None
    assert rules(cert) == ["TR-5"]
    cert.humidity_pct, cert.temperature_c = 86, 36
    assert [i.field for i in traceability_issues(cert)] == ["temperature_c", "humidity_pct"]


def test_it_flags_a_validity_longer_than_the_interval(cert) -> None:
    cert.valid_until = D(2025, 5, 15)  # 12 months after 2024-05-15 is still within the interval
    assert rules(cert) == []
    cert.valid_until = D(2025, 5, 16)
    assert rules(cert) == ["TR-6"]


def test_it_flags_a_missing_original_record_number(cert) -> None:
    cert.record_no = " "
    assert rules(cert) == ["TR-7"]


def test_it_flags_an_item_outside_the_authorised_scope(cert) -> None:
    cert.institution.mv_items.update(authorised_to=D(2024, 5, 14))
    assert rules(cert) == ["TR-8"]


def test_it_reports_many_certificates_in_a_fixed_number_of_queries(
    cert, django_assert_max_num_queries
) -> None:
    from qiangji.web.registry.models import VerificationCertificate
    from qiangji.web.registry.traceability import traceability_report

    copies = []
    for n in range(5):
        other = VerificationCertificate.objects.get(pk=cert.pk)
        other.pk, other.cert_no, other.record_no = None, f"JD-COPY-{n}", "" if n % 2 else "YS-9"
        other.save()
        other.standards.set(cert.standards.all())
        copies.append(other)
    expected = {c.pk: traceability_issues(c) for c in [cert, *copies]}
    with django_assert_max_num_queries(12):
        report = traceability_report(VerificationCertificate.objects.all())
    assert report == expected
    assert [[i.rule for i in report[c.pk]] for c in copies] == [[], ["TR-7"], [], ["TR-7"], []]
