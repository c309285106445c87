"""build_inputs: which institutions, which source wins, and an exact JSON round trip of the snapshot."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from qiangji.web.assessment.inputs import Inputs, build_inputs
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue, SupervisionVisit
from qiangji.web.registry.models import Institution
from tests.web.registry import factories as f

from .helpers import D, clean_certificate, valid_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def fv() -> FrameworkVersion:
    return FrameworkVersion.objects.get(version="2025.1")


@pytest.fixture
def q1() -> Period:
    return Period.for_code("2024Q1")


def test_it_ranks_active_county_institutions_only(fv: FrameworkVersion, q1: Period) -> None:
    f.institution("B")
    f.institution("A")
    f.institution("CITY", level=Institution.Level.CITY)
    f.institution("GONE", dissolved_on=D(2024, 3, 31))  # first day it no longer exists = as-of date
    f.institution("NEW", established_on=D(2024, 4, 1))
    inputs = build_inputs(q1, fv)
    assert list(inputs.frame.index) == ["A", "B"]
    assert list(inputs.frame.columns) == list(fv.framework().indicators)
    assert inputs.frame.dtypes.unique().tolist() == [np.dtype("float64")]


def test_it_takes_only_approved_or_locked_reports(fv: FrameworkVersion, q1: Period) -> None:
    a = f.institution("A")
    ReportedValue.objects.create(
        period=q1, institution=a, indicator="D1.3", value=Decimal(12000), status="approved"
    )
    ReportedValue.objects.create(
        period=q1, institution=a, indicator="D4.3", value=Decimal(2), status="submitted"
    )
    ReportedValue.objects.create(
        period=q1,
        institution=a,
        indicator="C3.2",
        numerator=Decimal(2),
        denominator=Decimal(3),
        status="locked",
    )
    inputs = build_inputs(q1, fv)
    assert inputs.frame.loc["A", "D1.3"] == 12000.0
    assert math.isnan(inputs.frame.loc["A", "D4.3"])
    assert inputs.frame.loc["A", "C3.2"] == 66.666667  # platform-computed, 6 decimals
    prov = inputs.provenance[("A", "C3.2")]
    assert (prov["source"], prov["numerator"], prov["denominator"]) == ("reported", 2.0, 3.0)
    assert ("A", "D4.3") not in inputs.provenance


def test_it_falls_back_to_a_reported_rm_coverage_without_staff_records(
    fv: FrameworkVersion, q1: Period
) -> None:
    a = f.institution("A")
    ReportedValue.objects.create(
        period=q1,
        institution=a,
        indicator="D3.1",
        numerator=Decimal(4),
        denominator=Decimal(5),
        status="approved",
    )
    inputs = build_inputs(q1, fv)
    assert (inputs.frame.loc["A", "D3.1"], inputs.provenance[("A", "D3.1")]["source"]) == (80.0, "reported")
    person = f.staff(a)
    f.registration(person, D(2020, 1, 1), D(2025, 1, 1))
    derived = build_inputs(q1, fv)
    assert (derived.frame.loc["A", "D3.1"], derived.provenance[("A", "D3.1")]["source"]) == (100.0, "derived")


def test_it_feeds_completed_supervision_checklists_before_the_certificate_sample(
    fv: FrameworkVersion, q1: Period
) -> None:
    a = f.institution("A")
    std = valid_standard(a)
    clean_certificate(a, std)
    planned = SupervisionVisit.create_with_checklist(
        period=q1, institution=a, visited_on=D(2024, 3, 1), inspectors="王某"
    )
    before = build_inputs(q1, fv)
    assert before.provenance[("A", "C3.1")]["source"] == "derived"
    assert before.frame.loc["A", "C3.1"] == 100.0
    items = {i.text: i for i in planned.items.all()}
    items["现场抽查原始记录符合规程要求"].awarded = Decimal(6)
    items["现场抽查证书结论与原始记录一致"].awarded = Decimal("8.5")
    items["内部审核按年度计划完成并形成报告"].awarded = Decimal(10)
    for item in items.values():
        item.save()
    assert build_inputs(q1, fv).provenance[("A", "C3.1")]["source"] == "derived"  # still planned
    planned.status = SupervisionVisit.Status.COMPLETED
    planned.save()
    after = build_inputs(q1, fv)
    assert after.frame.loc["A", "C3.1"] == 72.5  # (6 + 8.5) / 20
    assert after.frame.loc["A", "C1.1"] == 100.0  # only the scored item counts
    prov = after.provenance[("A", "C3.1")]
    assert (prov["source"], prov["numerator"], prov["denominator"]) == ("supervision", 14.5, 20.0)
    assert planned.sub_dimension_scores()["C3"] == Decimal("72.5")


def test_it_round_trips_the_snapshot_exactly(fv: FrameworkVersion, q1: Period) -> None:
    a = f.institution("A")
    f.institution("B")
    ReportedValue.objects.create(
        period=q1,
        institution=a,
        indicator="C3.2",
        numerator=Decimal(1),
        denominator=Decimal(7),
        status="approved",
    )
    inputs = build_inputs(q1, fv)
    text = inputs.to_json()
    again = Inputs.from_json(text)
    pd.testing.assert_frame_equal(again.frame, inputs.frame, check_exact=True)
    assert np.array_equal(again.frame.to_numpy(), inputs.frame.to_numpy(), equal_nan=True)
    assert again.to_json() == text
    assert again.provenance == inputs.provenance
    assert (again.names, again.period, again.framework_version) == (inputs.names, "2024Q1", "2025.1")
    assert build_inputs(q1, fv).to_json() == text  # deterministic


def test_it_reads_each_indicator_family_once_whatever_the_number_of_institutions(
    fv: FrameworkVersion, q1: Period
) -> None:
    # Every family, C3.2 included, is one batched read: the query count does not grow with institutions.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qiangji.web.comparisons.indicators import c3_2_all

    def queries(n: int) -> tuple[int, int]:
        insts = [f.institution() for _ in range(n)]
        for inst in insts:
            valid_standard(inst)
            clean_certificate(inst, valid_standard(inst))
        with CaptureQueriesContext(connection) as all_of_it:
            build_inputs(q1, fv)
        with CaptureQueriesContext(connection) as c32:
            c3_2_all(list(Institution.objects.all()), q1)
        return len(all_of_it), len(c32)

    two, two_c32 = queries(2)
    six, six_c32 = queries(4)  # six institutions in all
    assert (six, six_c32) == (two, two_c32)


def test_it_names_each_institution_as_on_the_as_of_date(fv: FrameworkVersion, q1: Period) -> None:
    from qiangji.web.registry.models import InstitutionName

    renamed, same = f.institution("R", name="新名（示例）"), f.institution("S", name="原名（示例）")
    InstitutionName.objects.create(institution=renamed, name="旧名（示例）", valid_from=D(2020, 1, 1),
                                   valid_until=D(2024, 4, 1))  # fmt: skip  # until exclusive: still 03-31
    InstitutionName.objects.create(institution=renamed, name="更旧（示例）", valid_from=D(2010, 1, 1),
                                   valid_until=D(2020, 1, 1))  # fmt: skip
    names = build_inputs(q1, fv).names
    assert names == {"R": "旧名（示例）", "S": "原名（示例）"}
    assert names == {i.code: i.name_on(q1.as_of) for i in (renamed, same)}
