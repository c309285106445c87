"""Cross-field validation (docs/domain.md#validation): each rule, in models (full_clean), forms and the
database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import translation

from qiangji.web.registry.forms import MeasurementStandardForm
from qiangji.web.registry.models import (
    InstrumentCertificate,
    MeasurementStandard,
    Regulation,
    RMRegistration,
    Staff,
    SupervisionFinding,
    VerificationCertificate,
)
from qiangji.web.registry.validators import (
    measurement_standard_warnings,
    staff_count_errors,
    validate_responsible_staff,
    validate_staff_counts,
    verification_certificate_warnings,
)

from . import factories as f

D = f.D


def errors_of(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_it_accepts_consistent_staff_counts() -> None:
    assert staff_count_errors(40, 30, 24) == {}
    assert staff_count_errors(40, 40, 40) == {}
    validate_staff_counts(None, 3, 2)


def test_it_rejects_more_verification_staff_than_staff() -> None:
    errors = staff_count_errors(total=20, verification=21, registered=5)
    assert list(errors) == ["verification"]
    assert "21" in str(errors["verification"]) and "20" in str(errors["verification"])


def test_it_rejects_more_registered_than_verification_staff() -> None:
    errors = staff_count_errors(total=20, verification=10, registered=11)
    assert list(errors) == ["registered"]
    with pytest.raises(ValidationError):
        validate_staff_counts(20, 10, 11)


def test_it_rejects_negative_counts() -> None:
    assert set(staff_count_errors(-1, 0, -2)) == {"total", "registered"}


@pytest.mark.django_db
def test_it_rejects_a_registration_ending_before_it_starts() -> None:
    person = f.staff(f.institution())
    reg = RMRegistration(
        staff=person, level=2, qualification_cert_no="Q", registration_no="R",
        valid_from=D(2024, 1, 1), valid_to=D(2024, 1, 1),
    )  # fmt: skip
    assert list(errors_of(reg)) == ["valid_to"]
    with pytest.raises(IntegrityError), transaction.atomic():
        reg.save()


@pytest.mark.django_db
def test_it_rejects_professional_items_that_are_not_names() -> None:
    person = f.staff(f.institution())
    reg = RMRegistration(
        staff=person, level=1, qualification_cert_no="Q", registration_no="R",
        valid_from=D(2024, 1, 1), valid_to=D(2028, 12, 31), professional_items=["衡器", " "],
    )  # fmt: skip
    assert list(errors_of(reg)) == ["professional_items"]


@pytest.mark.django_db
def test_it_rejects_verification_staff_who_are_not_technical() -> None:
    person = Staff(
        institution=f.institution(),
        name="李某",
        hired_on=D(2020, 1, 1),
        is_verification=True,
        is_technical=False,
    )
    assert "is_verification" in errors_of(person)
    with pytest.raises(IntegrityError), transaction.atomic():
        person.save()


@pytest.mark.django_db
def test_it_rejects_leaving_before_being_hired() -> None:
    person = Staff(institution=f.institution(), name="王某", hired_on=D(2020, 1, 1), left_on=D(2019, 12, 31))
    assert "left_on" in errors_of(person)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["1234567", "123456789", "12a45678", "12 345678"])
def test_it_rejects_a_standard_code_that_is_not_eight_digits(code) -> None:
    std = MeasurementStandard(institution=f.institution(), name="测试标准（示例）", jjf1022_code=code)
    assert "jjf1022_code" in errors_of(std)


@pytest.mark.django_db
def test_it_derives_the_discipline_from_the_first_two_digits() -> None:
    assert f.standard(f.institution(), jjf1022_code="04113300").discipline_code == "04"


@pytest.mark.django_db
def test_it_rejects_an_assessment_certificate_expiring_before_issue() -> None:
    std = MeasurementStandard(
        institution=f.institution(), name="示例标准", jjf1022_code="12345678", assessment_cert_no="X1",
        assessment_issued_on=D(2024, 1, 1), assessment_expires_on=D(2023, 12, 31),
    )  # fmt: skip
    assert "assessment_expires_on" in errors_of(std)
    with pytest.raises(IntegrityError), transaction.atomic():
        std.save()


@pytest.mark.django_db
def test_it_requires_dates_with_a_certificate_number_and_a_number_for_a_public_standard() -> None:
    std = MeasurementStandard(
        institution=f.institution(), name="测试标准（示例）", jjf1022_code="12345678", assessment_cert_no="X1"
    )
    assert "assessment_issued_on" in errors_of(std)
    public = MeasurementStandard(
        institution=f.institution(), name="测试标准（示例）", jjf1022_code="12345678", is_public=True
    )
    assert "assessment_cert_no" in errors_of(public)


@pytest.mark.django_db
def test_it_requires_a_date_for_a_sealed_standard() -> None:
    std = f.standard(f.institution())
    std.status = MeasurementStandard.Status.SEALED
    assert "status_since" in errors_of(std)


@pytest.mark.django_db
def test_it_warns_but_accepts_an_assessment_validity_other_than_five_years() -> None:
    inst = f.institution()
    five = f.standard(inst, assessment_issued_on=D(2020, 3, 1), assessment_expires_on=D(2025, 2, 28))
    four = f.standard(inst, assessment_issued_on=D(2020, 3, 1), assessment_expires_on=D(2024, 2, 29))
    five.full_clean()
    four.full_clean()
    assert measurement_standard_warnings(five) == []
    assert [name for name, _ in measurement_standard_warnings(four)] == ["assessment_expires_on"]
    with override_settings(QIANGJI={**_qiangji(), "STANDARD_CERT_VALIDITY_YEARS": 4}):
        assert measurement_standard_warnings(four) == []


@pytest.mark.django_db
def test_it_warns_when_re_examination_is_applied_for_late() -> None:
    # Expiry 2025-06-30, lead time 6 months: 2024-12-30 is on time, 2024-12-31 is late.
    inst = f.institution()
    kw = {"assessment_issued_on": D(2020, 7, 1), "assessment_expires_on": D(2025, 6, 30)}
    on_time = f.standard(inst, reexam_applied_on=D(2024, 12, 30), **kw)
    late = f.standard(inst, reexam_applied_on=D(2024, 12, 31), **kw)
    assert measurement_standard_warnings(on_time) == []
    assert [name for name, _ in measurement_standard_warnings(late)] == ["reexam_applied_on"]


@pytest.mark.django_db
def test_it_requires_two_responsible_staff_of_the_same_institution() -> None:
    inst, other = f.institution(), f.institution()
    std = f.standard(inst)
    with pytest.raises(ValidationError) as one:
        validate_responsible_staff(std, [f.staff(inst)])
    assert list(one.value.message_dict) == ["responsible_staff"]
    with pytest.raises(ValidationError) as foreign:
        validate_responsible_staff(std, [f.staff(inst), f.staff(other, name="外机构某")])
    assert "外机构某" in foreign.value.message_dict["responsible_staff"][0]
    validate_responsible_staff(std, [f.staff(inst), f.staff(inst)])


@pytest.mark.django_db
def test_it_checks_responsible_staff_in_the_standard_form() -> None:
    inst = f.institution()
    alone = f.staff(inst)
    data = {
        "institution": inst.pk, "name": "测试标准（示例）", "jjf1022_code": "12345678", "status": "in_use",
        "responsible_staff": [alone.pk],
    }  # fmt: skip
    form = MeasurementStandardForm(data=data)
    assert not form.is_valid()
    assert "responsible_staff" in form.errors
    data["responsible_staff"] = [alone.pk, f.staff(inst).pk]
    assert MeasurementStandardForm(data=data).is_valid()


@pytest.mark.django_db
def test_it_rejects_a_regulation_code_of_the_wrong_shape() -> None:
    reg = Regulation(code="GB 1234-2019", title="示例", effective_from=D(2020, 1, 1))
    assert "code" in errors_of(reg)


@pytest.mark.django_db
def test_it_rejects_a_regulation_superseded_before_it_took_effect() -> None:
    reg = Regulation(
        code="JJG 1-2019", title="示例", effective_from=D(2020, 1, 1), superseded_on=D(2020, 1, 1)
    )
    assert "superseded_on" in errors_of(reg)


@pytest.mark.django_db
def test_it_rejects_an_instrument_certificate_ending_before_it_starts() -> None:
    cert = f.instrument_certificate(f.standard(f.institution()), D(2024, 1, 1), D(2024, 12, 31))
    cert.valid_to = D(2023, 12, 31)
    assert "valid_to" in errors_of(cert)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstrumentCertificate.objects.filter(pk=cert.pk).update(valid_to=D(2023, 12, 31))


@pytest.mark.django_db
def test_it_rejects_a_certificate_valid_until_before_verification() -> None:
    cert = f.certificate(f.institution(), verified_on=D(2024, 3, 1), valid_until=D(2024, 3, 1))
    assert "valid_until" in errors_of(cert)


@pytest.mark.django_db
def test_it_keeps_kind_and_conclusion_consistent() -> None:
    inst = f.institution()
    failed = f.certificate(inst, conclusion=VerificationCertificate.Conclusion.FAIL)
    assert "conclusion" in errors_of(failed)
    notice = f.certificate(inst, kind="notice", conclusion="fail", valid_until=None)
    notice.full_clean()
    notice.valid_until = D(2025, 1, 1)
    assert "valid_until" in errors_of(notice)


@pytest.mark.django_db
def test_it_rejects_signatories_from_another_institution() -> None:
    inst, other = f.institution(), f.institution()
    cert = f.certificate(inst, verifier=f.staff(other), checker=f.staff(inst), approver=f.staff(inst))
    assert "verifier" in errors_of(cert)


@pytest.mark.django_db
def test_it_stores_but_flags_a_certificate_whose_verifier_is_also_the_checker() -> None:
    # The register keeps audit samples as issued, so C3.3 can count the defect (domain §6 edge case).
    inst = f.institution()
    same = f.staff(inst)
    cert = f.certificate(
        inst, verifier=same, checker=same, approver=f.staff(inst), temperature_c=20, humidity_pct=50
    )
    cert.record_no = "YS-1"
    cert.full_clean()
    cert.save()
    assert [name for name, _ in verification_certificate_warnings(cert)] == ["checker"]


@pytest.mark.django_db
def test_it_keeps_certificate_numbers_unique_per_institution() -> None:
    inst = f.institution()
    f.certificate(inst, cert_no="JD-2024-0001").save()
    duplicate = f.certificate(inst, cert_no="JD-2024-0001")
    assert "__all__" in errors_of(duplicate)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    f.certificate(f.institution(), cert_no="JD-2024-0001").save()  # another institution's numbering


@pytest.mark.django_db
def test_it_rejects_a_finding_closed_before_it_was_found() -> None:
    finding = SupervisionFinding(
        institution=f.institution(), found_on=D(2024, 3, 1), sub_dimension="C1", severity="minor",
        description="示例", due_on=D(2024, 2, 1), closed_on=D(2024, 2, 1),
    )  # fmt: skip
    assert set(errors_of(finding)) == {"due_on", "closed_on"}


def test_it_reports_validation_messages_in_chinese_and_english() -> None:
    with translation.override("zh-hans"):
        zh = str(staff_count_errors(10, 11, 0)["verification"])
    with translation.override("en"):
        en = str(staff_count_errors(10, 11, 0)["verification"])
    assert zh == "检定/校准人员数（11）不能多于职工总数（10）。"
    assert en == "Verification staff (11) cannot exceed total staff (10)."


@pytest.mark.django_db
def test_it_names_the_field_in_english_model_errors() -> None:
    reg = Regulation(
        code="JJG 1-2019", title="示例", effective_from=D(2020, 1, 1), superseded_on=D(2019, 1, 1)
    )
    with translation.override("en"):
        assert errors_of(reg)["superseded_on"] == ["Superseded on must be later than effective from."]


def _qiangji() -> dict:
    from django.conf import settings

    return dict(settings.QIANGJI)


@pytest.mark.django_db
def test_it_warns_about_a_registration_period_other_than_five_years() -> None:
    from qiangji.web.registry.validators import registration_warnings

    person = f.staff(f.institution())
    five = f.registration(person, D(2020, 7, 1), D(2025, 6, 30))
    three = f.registration(person, D(2020, 7, 1), D(2023, 6, 30))
    assert registration_warnings(five) == []
    assert [name for name, _ in registration_warnings(three)] == ["valid_to"]
