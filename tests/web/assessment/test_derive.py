"""Indicator values derived from the registry, checked against hand counts of small fixtures.

Each is asked through the indicator registry (the code the app registered), one institution at a time
unless the test batches on purpose."""

from __future__ import annotations

import zlib
from typing import Any

import pytest

from qiangji.web import indicators
from qiangji.web.assessment.models import Period
from qiangji.web.registry import audit, samples
from qiangji.web.registry.models import (
    IndustryService,
    ResearchProject,
    RMRegistration,
    Staff,
    SupervisionFinding,
)
from tests.web.registry import factories as f

from .helpers import D, clean_certificate, valid_standard

pytestmark = pytest.mark.django_db


one = indicators.derive_one


@pytest.fixture
def q1() -> Period:
    return Period.for_code("2024Q1")


def test_it_derives_rm_coverage_from_staff_and_registrations_valid_on_the_as_of_date(q1: Period) -> None:
    inst = f.institution()
    s1, s2, s3, _s4 = (f.staff(inst) for _ in range(4))
    f.registration(s1, D(2020, 1, 1), D(2025, 12, 31), level=RMRegistration.Level.ONE)
    f.registration(s2, D(2019, 4, 1), D(2024, 3, 31))  # last valid day = as-of date: counts
    f.registration(s3, D(2019, 3, 31), D(2024, 3, 30))  # lapsed the day before: does not
    gone = f.staff(inst, left_on=D(2024, 3, 30))
    f.registration(gone, D(2020, 1, 1), D(2025, 12, 31))
    office = f.staff(inst, is_verification=False)
    f.registration(office, D(2020, 1, 1), D(2025, 12, 31), level=RMRegistration.Level.ONE)
    d = one("D3.1", inst, q1)
    assert d is not None
    assert (d.value, d.numerator, d.denominator) == (50.0, 2.0, 4.0)  # 2 of 4 verification staff
    assert sorted(d.records) == sorted([s1.name, s2.name])
    assert one("D3.2", inst, q1).value == 2.0  # s1 and the office member hold level 1


def test_it_derives_rm_coverage_over_the_configured_denominator_like_the_institution(
    q1: Period, settings: Any
) -> None:
    inst = f.institution()
    verifier, technician, clerk = (f.staff(inst) for _ in range(3))
    Staff.objects.filter(pk=technician.pk).update(is_verification=False)
    Staff.objects.filter(pk=clerk.pk).update(is_verification=False, is_technical=False)
    for person in (verifier, clerk):
        f.registration(person, D(2020, 1, 1), D(2025, 12, 31))
    got = {}
    for kind in ("verification", "technical", "all"):
        settings.QIANGJI = {**settings.QIANGJI, "RM_COVERAGE_DENOMINATOR": kind}
        d = one("D3.1", inst, q1)
        assert d is not None
        cov = inst.rm_coverage_on(q1.as_of)
        assert (d.numerator, d.denominator) == (cov.numerator, cov.denominator), kind
        got[kind] = (d.numerator, d.denominator, d.method)
    assert got == {
        "verification": (1.0, 1.0, "持有效注册的检定/校准人员 / 在岗检定/校准人员"),
        "technical": (1.0, 2.0, "持有效注册的技术人员 / 在岗技术人员"),
        "all": (2.0, 3.0, "持有效注册的人员 / 在岗人员"),
    }


def test_it_gives_no_rm_coverage_without_verification_staff(q1: Period) -> None:
    assert one("D3.1", f.institution(), q1) is None


def test_it_counts_public_standards_valid_on_the_as_of_date(q1: Period) -> None:
    inst = f.institution()
    ok = f.standard(inst, assessment_expires_on=D(2024, 3, 31))
    f.standard(inst, assessment_expires_on=D(2024, 3, 30))
    f.standard(inst, is_public=False)
    f.standard(inst, status="sealed", status_since=D(2024, 2, 1))
    d = one("D2.1", inst, q1)
    assert d.value == 1.0
    assert d.records == (f"{ok.assessment_cert_no} {ok.name}",)


def test_it_counts_standards_first_certified_in_the_period(q1: Period) -> None:
    inst = f.institution()
    f.standard(inst, assessment_issued_on=D(2024, 2, 10), assessment_expires_on=D(2029, 2, 9), name="新建")
    f.standard(inst)  # issued 2020
    assert one("D2.2", inst, q1).records == ("新建",)


def test_it_rates_reexaminations_applied_on_time(q1: Period) -> None:
    inst = f.institution()
    # deadline = expiry − 6 months; as-of 2024-03-31
    f.standard(inst, name="按期", assessment_expires_on=D(2024, 8, 31), reexam_applied_on=D(2024, 2, 29))
    f.standard(inst, name="逾期未申请", assessment_expires_on=D(2024, 9, 15))
    f.standard(inst, name="未到期限", assessment_expires_on=D(2025, 1, 31))  # deadline 2024-07-31
    d = one("D2.3", inst, q1)
    assert (d.value, d.numerator, d.denominator) == (50.0, 1.0, 2.0)
    empty = one("D2.3", f.institution(), q1)
    assert (empty.value, empty.detail) == (100.0, "无到期应申请的标准，按满分计")


def test_it_rates_findings_closed_by_their_due_date(q1: Period) -> None:
    inst = f.institution()

    def finding(due: object, closed: object = None) -> None:
        SupervisionFinding.objects.create(
            institution=inst, found_on=D(2024, 1, 5), sub_dimension="C1", severity="minor",
            description="测试问题", due_on=due, closed_on=closed,
        )  # fmt: skip

    finding(D(2024, 2, 1), D(2024, 2, 1))  # closed on the due date: in time
    finding(D(2024, 3, 1), D(2024, 3, 5))
    finding(D(2024, 3, 15))
    finding(D(2024, 4, 10))  # due in the next quarter
    d = one("C1.2", inst, q1)
    assert (d.numerator, d.denominator) == (1.0, 3.0)
    assert d.value == pytest.approx(100 / 3, rel=1e-15)
    assert one("C1.2", f.institution(), q1).value == 100.0


def test_it_counts_industry_clients_and_certificates_of_the_period() -> None:
    inst = f.institution()
    rows = [
        (1, "企业甲", "calibration", 10), (1, "企业甲", "testing", 5), (1, "企业乙", "calibration", 3),
        (1, "企业丙", "consulting", 0), (2, "企业丁", "calibration", 7),
    ]  # fmt: skip
    for quarter, name, kind, certs in rows:
        IndustryService.objects.create(
            institution=inst,
            year=2024,
            quarter=quarter,
            enterprise=name,
            service_type=kind,
            certificates=certs,
        )
    q1, year = Period.for_code("2024Q1"), Period.for_code("2024")
    assert (one("D4.1", inst, q1).value, one("D4.2", inst, q1).value) == (2.0, 18.0)
    assert (one("D4.1", inst, year).value, one("D4.2", inst, year).value) == (3.0, 25.0)


def test_it_counts_research_projects_of_municipal_level_or_above(q1: Period) -> None:
    inst = f.institution()
    for level, day in (
        ("municipal", D(2024, 3, 31)),
        ("other", D(2024, 2, 1)),
        ("provincial", D(2024, 4, 1)),
    ):
        ResearchProject.objects.create(
            institution=inst, title=f"{level}项目", funding_level=level, approved_on=day
        )
    assert one("D5.2", inst, q1).records == ("municipal项目",)


def test_it_counts_main_disciplines_of_valid_standards(q1: Period) -> None:
    inst = f.institution()
    for code in ("12010100", "12020000", "04030100", "99000000"):
        f.standard(inst, jjf1022_code=code)
    assert one("C2.1", inst, q1).records == ("04", "12")


def test_it_rates_the_certificate_sample_rule_by_rule(q1: Period) -> None:
    inst = f.institution()
    std = valid_standard(inst)
    clean_certificate(inst, std, cert_no="C-OK")
    clean_certificate(inst, std, cert_no="C-ENV", temperature_c=None)
    superseded = f.regulation("JJG 500-2010", D(2010, 1, 1), superseded_on=D(2024, 2, 1))
    clean_certificate(inst, std, cert_no="C-REG", regulation=superseded)
    clean_certificate(inst, std, cert_no="C-OUT", verified_on=D(2024, 4, 1), valid_until=D(2025, 3, 31))
    sample = samples.certificate_sample(inst, q1)
    assert sample.checked == 3  # C-OUT is verified after the quarter
    assert sample.failing == {"C-ENV": {"TR-5", "elements"}, "C-REG": {"TR-4"}}
    rate = {code: sample.rate(rule) for code, rule in samples.SAMPLE_RULES.items()}
    assert rate["C3.1"].records == ("C-ENV", "C-REG")
    assert rate["C3.1"].value == pytest.approx(100 / 3, rel=1e-15)
    assert rate["C4.3"].records == ("C-REG",)
    assert rate["C4.4"].records == ("C-ENV",)
    assert rate["C4.1"].records == ("C-ENV",)  # environment not recorded is a missing element
    assert (rate["C4.2"].value, rate["C3.3"].value) == (100.0, 100.0)
    assert rate["C3.1"].detail == "抽样数少于20份"


def _registry_of(inst: Any, n: int) -> None:
    """A little of everything for one institution; ``n`` makes each institution's counts different."""
    for k in range(n):
        person = f.staff(inst)
        f.registration(person, D(2020, 1, 1), D(2025, 12, 31), level=1 + k % 2)
        f.standard(inst, jjf1022_code=("12010100", "04030100", "01000000")[k % 3])
        IndustryService.objects.create(
            institution=inst, year=2024, quarter=1, enterprise=f"企业{k}", service_type="calibration",
            certificates=3 + k,
        )  # fmt: skip
        SupervisionFinding.objects.create(
            institution=inst, found_on=D(2024, 1, 5), sub_dimension="C1", severity="minor",
            description="测试问题", due_on=D(2024, 3, 1), closed_on=D(2024, 2, 1 + k) if k % 2 else None,
        )  # fmt: skip
    f.staff(inst)  # unregistered
    std = valid_standard(inst)
    for k in range(n):
        clean_certificate(inst, std, cert_no=f"{inst.code}-{k}", temperature_c=None if k == 1 else 20)


def test_it_derives_the_same_for_many_institutions_at_once_as_for_each_alone(q1: Period) -> None:
    # The batched derivers group one query's rows by institution; any slip in the grouping (a value
    # credited to the wrong institution, a missing one) shows up against the one-institution answers.
    insts = [f.institution(), f.institution(), f.institution()]
    _registry_of(insts[0], 3)
    _registry_of(insts[1], 5)  # insts[2] has nothing: "no value" and "full score" paths
    for code, ind in indicators.registered().items():
        if ind.derive is not None:
            together = ind.derive(insts, q1)
            assert together == {i.pk: one(code, i, q1) for i in insts}, code
    drawn = samples.certificate_samples(insts, q1)
    for i in insts:
        alone = samples.certificate_sample(i, q1)
        assert drawn[i.pk] == alone
    assert drawn[insts[1].pk].checked == 5
    assert sorted(drawn[insts[1].pk].failing) == [f"{insts[1].code}-1"]
    assert one("D3.1", insts[1], q1).records == tuple(  # type: ignore[union-attr]
        sorted(s.name for s in insts[1].staff.all() if s.registrations.exists())
    )


def test_it_lists_findings_of_one_day_latest_closed_first_then_open_ones(q1: Period) -> None:
    inst = f.institution()
    for sub, closed in (("C1", D(2024, 2, 1)), ("C2", None), ("C3", D(2024, 3, 5)), ("C4", None)):
        SupervisionFinding.objects.create(
            institution=inst, found_on=D(2024, 1, 5), sub_dimension=sub, severity="minor",
            description="测试问题", due_on=D(2024, 3, 1), closed_on=closed,
        )  # fmt: skip
    late = one("C1.2", inst, q1).records
    assert [r.split()[2] for r in late] == ["C3", "C4", "C2"]  # C1 in time; open ones newest row first


def test_it_lists_at_most_max_records_failing_certificates_with_the_count(
    q1: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst = f.institution()
    std = valid_standard(inst)
    for k in range(3):
        clean_certificate(inst, std, cert_no=f"C-{k}", record_no="")
    monkeypatch.setattr(samples, "MAX_RECORDS", 2)
    rate = samples.certificate_sample(inst, q1).rate(samples.SAMPLE_RULES["C3.1"])
    assert (rate.records, rate.numerator, rate.denominator) == (("C-0", "C-1"), 0.0, 3.0)
    assert rate.detail == "抽样数少于20份；不符合3份，记录列出证书编号最小的2份"


def test_it_rates_a_seeded_sample_when_the_office_samples(q1: Period, settings: Any) -> None:
    settings.QIANGJI = {**settings.QIANGJI, "CERTIFICATE_SAMPLE_SIZE": 3}
    inst = f.institution()
    std = valid_standard(inst)
    certs = [
        clean_certificate(inst, std, cert_no=f"C-{k:02d}", record_no="" if k % 2 else "YS") for k in range(10)
    ]
    sample = samples.certificate_sample(inst, q1)
    rate = sample.rate(samples.SAMPLE_RULES["C4.1"])
    drawn = rate.extra["sample"]
    seed = zlib.crc32(b"2024Q1:0")
    expected = sorted(certs, key=lambda c: (audit.sample_rank(c.pk, seed), c.pk))[:3]  # one stratum: no item
    assert drawn == {
        "protocol": "audit.sample_rank", "seed": seed, "per_item": 3,
        "certificates": sorted(c.cert_no for c in expected),
    }  # fmt: skip
    failing = sorted(c.cert_no for c in expected if not c.record_no)
    assert (rate.denominator, rate.records) == (3.0, tuple(failing))
    assert rate.provenance()["sample"] == drawn
    assert samples.certificate_sample(inst, q1) == sample  # the same draw on recomputing
    settings.QIANGJI = {**settings.QIANGJI, "CERTIFICATE_SAMPLE_SEED": 7}
    assert samples.certificate_sample(inst, q1).rate(samples.SAMPLE_RULES["C4.1"]).extra["sample"][
        "seed"
    ] == zlib.crc32(b"2024Q1:7")
