"""Registry models: normalised codes, derived fields, natural keys and date-order constraints."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from qiangji.web.registry.dates import add_months, quarter_bounds
from qiangji.web.registry.forms import NameListField
from qiangji.web.registry.models import (
    Institution,
    InstitutionSuccession,
    LabPlatform,
    Regulation,
    parse_regulation_code,
)

from . import factories as f

D = f.D


@pytest.mark.parametrize(
    ("code", "parts"),
    [
        ("JJG 162-2019", ("JJG", "162", 2019)),
        ("jjg162-2019", ("JJG", "162", 2019)),
        ("JJF 1059.1—2012", ("JJF", "1059.1", 2012)),
        (" JJG 539－2016 ", ("JJG", "539", 2016)),
    ],
)
def test_it_parses_regulation_codes(code, parts) -> None:
    assert parse_regulation_code(code) == parts


@pytest.mark.parametrize("code", ["JJG 162", "GB/T 1-2020", "JJG 162-19", ""])
def test_it_refuses_malformed_regulation_codes(code) -> None:
    with pytest.raises(ValueError, match="code must look like"):
        parse_regulation_code(code)


@pytest.mark.django_db
def test_it_normalises_the_stored_regulation_code() -> None:
    reg = f.regulation("jjf1059.1－2012", D(2013, 6, 3))
    assert (reg.code, reg.kind, reg.number, reg.year, reg.base) == (
        "JJF 1059.1-2012", "JJF", "1059.1", 2012, "JJF 1059.1",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        f.regulation("JJF 1059.1-2012", D(2013, 6, 3))


@pytest.mark.django_db
def test_it_refuses_a_regulation_superseded_before_it_took_effect_in_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Regulation.objects.create(
            code="JJG 1-2000", title="示例", effective_from=D(2000, 1, 1), superseded_on=D(1999, 1, 1)
        )


@pytest.mark.django_db
def test_it_refuses_a_duplicate_assessment_certificate_number_but_allows_blanks() -> None:
    inst = f.institution()
    f.standard(inst, assessment_cert_no="[2020]示例标字第1号")
    f.standard(
        inst, is_public=False, assessment_cert_no="", assessment_issued_on=None, assessment_expires_on=None
    )
    f.standard(
        inst, is_public=False, assessment_cert_no="", assessment_issued_on=None, assessment_expires_on=None
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        f.standard(inst, assessment_cert_no="[2020]示例标字第1号")


@pytest.mark.django_db
def test_it_refuses_an_institution_succeeding_itself() -> None:
    inst = f.institution()
    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionSuccession.objects.create(predecessor=inst, successor=inst, effective_on=D(2024, 1, 1))


@pytest.mark.django_db
def test_it_refuses_a_platform_level_outside_one_to_three() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LabPlatform.objects.create(
            institution=f.institution(), name="示例", level=0, approved_on=D(2024, 1, 1)
        )


@pytest.mark.django_db
def test_it_refuses_a_quarter_outside_one_to_four() -> None:
    from qiangji.web.registry.models import IndustryService

    with pytest.raises(IntegrityError), transaction.atomic():
        IndustryService.objects.create(
            institution=f.institution(),
            year=2024,
            quarter=5,
            enterprise="某泵业（示例）",
            service_type="calibration",
        )


@pytest.mark.django_db
def test_it_describes_rows_readably() -> None:
    inst = f.institution(code="WL-MI", name="温岭市计量检定所（示例）")
    person = f.staff(inst, name="张某1")
    assert str(inst) == "温岭市计量检定所（示例）"
    assert str(person) == "张某1（WL-MI）"
    assert str(f.regulation("JJG 162-2019", D(2019, 1, 1), title="工作用玻璃液体温度计")).startswith(
        "JJG 162-2019"
    )
    assert inst.level == Institution.Level.COUNTY and inst.legal_type == Institution.LegalType.ESTABLISHED


@pytest.mark.parametrize(
    ("text", "names"),
    [("衡器、压力, 温度；衡器", ["衡器", "压力", "温度"]), ("", []), (["流量", " "], ["流量"])],
)
def test_it_reads_a_typed_list_of_names(text, names) -> None:
    assert NameListField(required=False).clean(text) == names


def test_it_moves_dates_by_calendar_months() -> None:
    assert add_months(D(2024, 8, 31), -6) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)
    assert quarter_bounds(2024, 1) == (D(2024, 1, 1), D(2024, 3, 31))
    assert quarter_bounds(2024, 4) == (D(2024, 10, 1), D(2024, 12, 31))
    with pytest.raises(ValueError, match="quarter must be"):
        quarter_bounds(2024, 5)


def test_it_stores_no_typed_percentage_or_ratio() -> None:
    # Percentages are computed from numerators and denominators (domain §5); only measured humidity is a %.
    from django.apps import apps

    allowed = {("VerificationCertificate", "humidity_pct"), ("Regulation", "humidity_max_pct")}
    typed = [
        (model.__name__, field.name)
        for model in apps.get_app_config("registry").get_models()
        for field in model._meta.concrete_fields
        if (
            {"pct", "percent", "ratio", "rate"} & set(field.name.split("_"))
            or "率" in str(field.verbose_name)
        )
        and (model.__name__, field.name) not in allowed
    ]
    assert typed == []
