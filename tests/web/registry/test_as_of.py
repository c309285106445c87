"""As-of questions answered by the model layer, tested at their boundaries (rule: models/base.py)."""

from __future__ import annotations

import pytest

from qiangji.web.registry.models import (
    InstitutionGrade,
    InstitutionMVItem,
    InstrumentCertificate,
    LabPlatform,
    MeasurementStandard,
    MVCatalogueItem,
    Regulation,
    RMRegistration,
    Staff,
    SupervisionFinding,
)

from . import factories as f

D = f.D
pytestmark = pytest.mark.django_db


def test_it_counts_a_registration_valid_on_its_last_day_but_not_the_day_after() -> None:
    inst = f.institution()
    person = f.staff(inst)
    f.registration(person, D(2019, 4, 1), D(2024, 3, 31))
    assert list(inst.registered_metrologists_on(D(2024, 3, 31))) == [person]
    assert list(inst.registered_metrologists_on(D(2024, 4, 1))) == []
    assert list(inst.registered_metrologists_on(D(2019, 3, 31))) == []
    assert list(inst.registered_metrologists_on(D(2019, 4, 1))) == [person]


def test_it_reports_the_gap_of_a_registration_renewed_after_a_lapse() -> None:
    inst = f.institution()
    person = f.staff(inst)
    f.registration(person, D(2019, 1, 1), D(2023, 12, 31))
    renewed = f.registration(person, D(2024, 2, 1), D(2029, 1, 31))
    on = RMRegistration.objects.filter(staff=person).valid_on
    assert on(D(2023, 12, 31)).count() == 1
    assert on(D(2024, 1, 1)).count() == 0
    assert on(D(2024, 1, 31)).count() == 0
    assert list(on(D(2024, 2, 1))) == [renewed]
    assert person.registration_on(D(2024, 1, 15)) is None
    assert person.registration_on(D(2024, 2, 1)) == renewed


def test_it_counts_a_renewed_person_once() -> None:
    inst = f.institution()
    person = f.staff(inst)
    f.registration(person, D(2019, 1, 1), D(2024, 6, 30))
    f.registration(person, D(2024, 6, 1), D(2029, 5, 31))  # renewal granted before expiry: overlap
    assert inst.registered_metrologists_on(D(2024, 6, 15)).count() == 1
    assert inst.rm_coverage_on(D(2024, 6, 15)).numerator == 1


def test_it_excludes_staff_outside_their_employment_dates() -> None:
    inst = f.institution()
    leaver = f.staff(inst, hired_on=D(2015, 1, 1), left_on=D(2024, 3, 31))
    joiner = f.staff(inst, hired_on=D(2024, 4, 1))
    for person in (leaver, joiner):
        f.registration(person, D(2020, 1, 1), D(2029, 12, 31))
    assert list(inst.registered_metrologists_on(D(2024, 3, 31))) == [leaver]
    assert list(inst.registered_metrologists_on(D(2024, 4, 1))) == [joiner]
    assert set(Staff.objects.employed_on(D(2024, 3, 31))) == {leaver}


def test_it_computes_rm_coverage_over_verification_staff_by_default() -> None:
    # 3 verification staff, 2 registered; 1 administrative member who is registered but not counted.
    inst = f.institution()
    verifiers = [f.staff(inst) for _ in range(3)]
    clerk = f.staff(inst, is_verification=False, is_technical=False)
    for person in (*verifiers[:2], clerk):
        f.registration(person, D(2020, 1, 1), D(2029, 12, 31))
    coverage = inst.rm_coverage_on(D(2025, 1, 1))
    assert (coverage.numerator, coverage.denominator) == (2, 3)
    assert str(coverage.percent) == "66.7"
    every = inst.rm_coverage_on(D(2025, 1, 1), denominator="all")
    assert (every.numerator, every.denominator) == (3, 4)


def test_it_returns_no_percentage_without_staff() -> None:
    assert f.institution().rm_coverage_on(D(2025, 1, 1)).percent is None


def test_it_rejects_an_unknown_coverage_denominator() -> None:
    with pytest.raises(ValueError, match="denominator must be"):
        f.institution().rm_coverage_on(D(2025, 1, 1), denominator="items")


def test_it_finds_the_regulation_edition_in_force_when_superseded_mid_quarter() -> None:
    old = f.regulation("JJG 539-2016", D(2016, 11, 30), superseded_on=D(2024, 5, 15))
    new = f.regulation("JJG 539-2024", D(2024, 5, 15))
    old.superseded_by = new
    old.save()
    assert Regulation.objects.edition_in_force("JJG 539", D(2024, 4, 1)) == old
    assert Regulation.objects.edition_in_force("JJG 539", D(2024, 5, 14)) == old
    assert Regulation.objects.edition_in_force("JJG 539", D(2024, 5, 15)) == new
    assert Regulation.objects.edition_in_force("JJG 539", D(2024, 6, 30)) == new
    assert Regulation.objects.edition_in_force("JJG 539", D(2016, 11, 29)) is None
    assert set(Regulation.objects.in_force_on(D(2024, 5, 14))) == {old}


def test_it_does_not_confuse_regulations_with_the_same_number_of_another_kind() -> None:
    jjg = f.regulation("JJG 1033-2008", D(2008, 1, 1))
    f.regulation("JJF 1033-2023", D(2023, 1, 1))
    assert Regulation.objects.edition_in_force("JJG 1033", D(2024, 1, 1)) == jjg
    with pytest.raises(ValueError, match="base must look like"):
        Regulation.objects.edition_in_force("JJG-1033", D(2024, 1, 1))


def test_it_counts_a_public_standard_on_its_expiry_day_but_not_the_day_after() -> None:
    inst = f.institution()
    std = f.standard(inst, assessment_issued_on=D(2020, 1, 1), assessment_expires_on=D(2024, 12, 31))
    f.standard(inst, is_public=False)
    valid = MeasurementStandard.objects.public_valid_on
    assert list(valid(D(2024, 12, 31))) == [std]
    assert list(valid(D(2025, 1, 1))) == []
    assert list(valid(D(2019, 12, 31))) == []
    assert MeasurementStandard.objects.valid_on(D(2024, 6, 1)).count() == 2


def test_it_drops_a_sealed_standard_from_its_sealing_date() -> None:
    inst = f.institution()
    std = f.standard(inst, status=MeasurementStandard.Status.SEALED, status_since=D(2024, 7, 1))
    valid = MeasurementStandard.objects.public_valid_on
    assert list(valid(D(2024, 6, 30))) == [std]
    assert list(valid(D(2024, 7, 1))) == []
    assert std.is_valid_on(D(2024, 6, 30)) and not std.is_valid_on(D(2024, 7, 1))


def test_it_checks_standard_instrument_certificates_as_of_a_date() -> None:
    std = f.standard(f.institution())
    cert = f.instrument_certificate(std, D(2024, 3, 1), D(2025, 2, 28))
    assert list(InstrumentCertificate.objects.valid_on(D(2025, 2, 28))) == [cert]
    assert list(InstrumentCertificate.objects.valid_on(D(2025, 3, 1))) == []
    assert cert.instrument.is_valid_on(D(2024, 3, 1))
    assert not cert.instrument.is_valid_on(D(2024, 2, 29))


def test_it_keeps_a_finding_open_until_the_day_it_is_closed() -> None:
    inst = f.institution()
    finding = SupervisionFinding.objects.create(
        institution=inst, found_on=D(2024, 2, 1), sub_dimension="C4", rule="TR-1", severity="minor",
        description="证书引用的计量标准已过期（示例）", due_on=D(2024, 3, 31), closed_on=D(2024, 4, 10),
    )  # fmt: skip
    open_on, overdue_on = SupervisionFinding.objects.open_on, SupervisionFinding.objects.overdue_on
    assert list(open_on(D(2024, 1, 31))) == []
    assert list(open_on(D(2024, 2, 1))) == [finding]
    assert list(open_on(D(2024, 4, 9))) == [finding]
    assert list(open_on(D(2024, 4, 10))) == []
    assert list(overdue_on(D(2024, 3, 31))) == []
    assert list(overdue_on(D(2024, 4, 1))) == [finding]
    assert finding.closed_in_time is False


def test_it_finds_the_grade_in_effect_on_a_date() -> None:
    inst = f.institution()
    InstitutionGrade.objects.create(
        institution=inst, grade="B", effective_from=D(2022, 1, 1), source_document="示例〔2022〕1号"
    )
    a = InstitutionGrade.objects.create(
        institution=inst, grade="A", effective_from=D(2024, 7, 1), source_document="示例〔2024〕9号"
    )
    assert inst.grade_on(D(2021, 12, 31)) is None
    assert inst.grade_on(D(2024, 6, 30)).grade == "B"
    assert inst.grade_on(D(2024, 7, 1)) == a


def test_it_names_an_institution_as_it_was_called_on_a_date() -> None:
    inst = f.institution(name="某县市场监管检验检测中心（示例）")
    inst.names.create(name="某县计量检定所（示例）", valid_from=D(2010, 1, 1), valid_until=D(2024, 1, 1))
    assert inst.name_on(D(2023, 12, 31)) == "某县计量检定所（示例）"
    assert inst.name_on(D(2024, 1, 1)) == "某县市场监管检验检测中心（示例）"


def test_it_drops_an_institution_merged_away_from_the_merger_date() -> None:
    from qiangji.web.registry.models import Institution, InstitutionSuccession

    absorbed = f.institution(dissolved_on=D(2024, 7, 1))
    successor = f.institution()
    InstitutionSuccession.objects.create(
        predecessor=absorbed, successor=successor, effective_on=D(2024, 7, 1)
    )
    assert set(Institution.objects.active_on(D(2024, 6, 30))) == {absorbed, successor}
    assert set(Institution.objects.active_on(D(2024, 7, 1))) == {successor}


def test_it_excludes_the_city_institute_from_the_ranking() -> None:
    from qiangji.web.registry.models import Institution

    city = f.institution(level=Institution.Level.CITY)
    county = f.institution()
    assert list(Institution.objects.ranked()) == [county]
    city.is_ranked = True  # an explicit later decision is kept
    city.save()
    assert Institution.objects.ranked().count() == 2


def test_it_lists_items_authorised_on_a_date() -> None:
    inst = f.institution()
    item = MVCatalogueItem.objects.create(
        catalogue_version="2020-42", level1_no=1, level1_name="体温计", level2_no=1, level2_name="体温计",
        supervision_mode="P+V", mv_form="first_only_scrap", evidence="confirmed",
    )  # fmt: skip
    auth = InstitutionMVItem.objects.create(
        institution=inst, item=item, authorised_from=D(2023, 1, 1), authorised_to=D(2024, 12, 31)
    )
    assert list(inst.mv_items.authorised_on(D(2024, 12, 31))) == [auth]
    assert list(inst.mv_items.authorised_on(D(2025, 1, 1))) == []


def test_it_gives_the_highest_platform_level_active_on_a_date() -> None:
    inst = f.institution()
    assert LabPlatform.highest_level_on(inst, D(2024, 1, 1)) == 0
    LabPlatform.objects.create(institution=inst, name="市级平台（示例）", level=1, approved_on=D(2023, 1, 1))
    LabPlatform.objects.create(
        institution=inst,
        name="省级平台（示例）",
        level=2,
        approved_on=D(2024, 3, 1),
        revoked_on=D(2025, 3, 1),
    )
    assert LabPlatform.highest_level_on(inst, D(2024, 2, 29)) == 1
    assert LabPlatform.highest_level_on(inst, D(2024, 3, 1)) == 2
    assert LabPlatform.highest_level_on(inst, D(2025, 3, 1)) == 1


def test_it_keeps_counting_the_old_certificate_after_a_re_examination_renewal() -> None:
    inst = f.institution()
    std = f.standard(inst, assessment_cert_no="[2019]示例标字第7号", assessment_issued_on=D(2019, 7, 1),
                     assessment_expires_on=D(2024, 6, 30))  # fmt: skip
    std.assessment_cert_no = "[2024]示例标字第3号"
    std.assessment_issued_on, std.assessment_expires_on = D(2024, 8, 1), D(2029, 7, 31)  # one-month lapse
    std.save()
    valid = MeasurementStandard.objects.public_valid_on
    assert list(valid(D(2023, 3, 1))) == [std] and std.is_valid_on(D(2024, 6, 30))
    assert list(valid(D(2024, 7, 1))) == [] and not std.is_valid_on(D(2024, 7, 31))
    assert list(valid(D(2024, 8, 1))) == [std]
    assert [p.cert_no for p in std.previous_assessments.all()] == ["[2019]示例标字第7号"]
    std.name = "改名（示例）"
    std.save()  # no new certificate: nothing more archived
    assert std.previous_assessments.count() == 1


def test_it_derives_headcounts_on_a_date() -> None:
    inst = f.institution()
    senior = f.staff(inst)
    f.registration(senior, D(2020, 1, 1), D(2029, 12, 31), level=1)
    lapsed = f.staff(inst)
    f.registration(lapsed, D(2018, 1, 1), D(2022, 12, 31), level=1)
    f.registration(lapsed, D(2023, 2, 1), D(2028, 1, 31), level=2)
    f.staff(inst)  # verification, not registered
    f.staff(inst, is_verification=False)  # technical only
    f.staff(inst, is_verification=False, is_technical=False)
    f.staff(inst, left_on=D(2022, 12, 31))
    counts = inst.staff_counts_on(D(2023, 1, 15))
    assert (counts.total, counts.technical, counts.verification, counts.registered, counts.level1) == (
        5,
        4,
        3,
        1,
        1,
    )
    later = inst.staff_counts_on(D(2023, 2, 1))
    assert (later.registered, later.level1) == (2, 1)
