"""The set-based audit (registry/audit.py) against the per-certificate rules, at the as-of boundaries.

Each case changes one element of a fully traceable certificate of 2024-05-15 and checks that the set-based
statements find exactly the issues :func:`traceability_issues` finds (rule, field and message), and that the
number of query parameters does not depend on the number of certificates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from qiangji.web.registry import audit
from qiangji.web.registry.models import InstitutionMVItem, MVCatalogueItem, VerificationCertificate
from qiangji.web.registry.traceability import traceability_issues

from . import factories as f

D = f.D
DAY = D(2024, 5, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture
def cert() -> VerificationCertificate:
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


def key(cert_id: int, issue: Any) -> tuple[int, str, str, str]:
    return cert_id, issue.rule, issue.field, str(issue.message)


def set_based(scope: audit.Scope) -> list[tuple[int, str, str, str]]:
    return sorted(key(x.certificate_id, x.issue) for x in audit.failures(scope))


def reference() -> list[tuple[int, str, str, str]]:
    certs = VerificationCertificate.objects.all()
    return sorted(key(c.pk, i) for c in certs for i in traceability_issues(c))


def expect(cert: VerificationCertificate, rules: list[str]) -> None:
    """Both implementations agree, and find ``rules`` (in the reference's order)."""
    cert.save()
    fresh = VerificationCertificate.objects.get(pk=cert.pk)
    assert [i.rule for i in traceability_issues(fresh)] == rules
    assert set_based(audit.Scope(D(2024, 1, 1), D(2024, 12, 31))) == reference()


def test_it_finds_nothing_wrong_with_a_traceable_certificate(cert) -> None:
    expect(cert, [])


def test_it_flags_a_standard_whose_assessment_expired_the_day_before(cert) -> None:
    std = cert.standards.get()
    std.assessment_expires_on = D(2024, 5, 14)
    std.save()
    expect(cert, ["TR-1"])
    std.assessment_expires_on = DAY  # expiring on the day itself is still valid
    std.save()
    expect(cert, [])


def test_it_takes_an_archived_assessment_certificate_that_covers_the_day(cert) -> None:
    std = cert.standards.get()
    std.assessment_cert_no, std.assessment_issued_on, std.assessment_expires_on = "新证", DAY, D(2029, 5, 14)
    std.save()  # archives the old certificate (2020-01-01…2024-12-31)
    cert.verified_on, cert.valid_until = D(2024, 5, 14), D(2025, 5, 13)
    expect(cert, [])
    std.previous_assessments.update(expires_on=D(2024, 5, 13))
    expect(cert, ["TR-1"])


@pytest.mark.parametrize(("status_since", "rules"), [(DAY, ["TR-1"]), (D(2024, 5, 16), [])])
def test_it_flags_a_standard_sealed_on_the_day(cert, status_since, rules) -> None:
    std = cert.standards.get()
    std.status, std.status_since = "sealed", status_since
    std.save()
    expect(cert, rules)


def test_it_flags_a_certificate_without_cited_standards(cert) -> None:
    cert.standards.clear()
    expect(cert, ["TR-1"])


def test_it_names_every_invalid_standard(cert) -> None:
    other = f.standard(cert.institution, name="第二个标准（示例）", assessment_expires_on=D(2024, 5, 14))
    third = f.standard(cert.institution, name="第三个标准（示例）", assessment_issued_on=D(2024, 5, 16))
    cert.standards.add(other, third)
    expect(cert, ["TR-1", "TR-1"])


def test_it_flags_a_standard_instrument_out_of_calibration_the_day_before(cert) -> None:
    instrument = cert.standards.get().instruments.get()
    instrument.certificates.update(valid_to=D(2024, 5, 14))
    expect(cert, ["TR-2"])
    instrument.certificates.update(valid_to=DAY, valid_from=DAY - D.resolution * 300)
    expect(cert, [])
    instrument.certificates.update(valid_from=D(2024, 5, 16), valid_to=D(2025, 5, 1))
    expect(cert, ["TR-2"])


@pytest.mark.parametrize(
    ("valid_from", "rules"), [(DAY, []), (D(2024, 5, 16), ["TR-3"])], ids=["starts-on-the-day", "day-after"]
)
def test_it_reads_a_registration_that_starts_on_the_day(cert, valid_from, rules) -> None:
    cert.verifier.registrations.update(valid_to=D(2024, 4, 30))
    f.registration(cert.verifier, valid_from, D(2029, 5, 31), professional_items=["电子计价秤"])
    expect(cert, rules)


def test_it_flags_a_registration_that_ended_the_day_before(cert) -> None:
    cert.verifier.registrations.update(valid_to=D(2024, 5, 14))
    expect(cert, ["TR-3"])


def test_it_reads_the_items_of_the_highest_level_registration(cert) -> None:
    f.registration(cert.verifier, D(2023, 1, 1), D(2027, 12, 31), level=1, professional_items=["压力"])
    expect(cert, ["TR-3"])  # the level-1 registration wins and does not cover 电子计价秤
    f.registration(
        cert.verifier, D(2024, 1, 1), D(2028, 12, 31), level=1, professional_items=[" 非自动衡器 "]
    )
    expect(cert, [])  # the latest level-1 registration covers the first-level name (spaces ignored)
    cert.verifier.registrations.update(professional_items=[])
    expect(cert, [])  # no items recorded: nothing to check


def test_it_flags_an_item_outside_the_verifier_s_professional_items(cert) -> None:
    cert.verifier.registrations.update(professional_items=["压力", "电子计价秤\u3000x"])
    expect(cert, ["TR-3"])


@pytest.mark.parametrize("role", ["checker", "approver"])
def test_it_flags_a_verifier_who_is_also_another_signatory(cert, role) -> None:
    setattr(cert, role, cert.verifier)
    expected = ["TR-3", "TR-3"] if role == "approver" else ["TR-3"]  # the verifier is no signatory
    expect(cert, expected)


def test_it_flags_a_checker_who_is_also_the_approver(cert) -> None:
    cert.checker = cert.approver
    expect(cert, ["TR-3"])


def test_it_flags_an_approver_who_is_not_an_authorised_signatory(cert) -> None:
    cert.approver.is_authorised_signatory = False
    cert.approver.save()
    expect(cert, ["TR-3"])


def test_it_flags_a_regulation_superseded_on_the_day(cert) -> None:
    new = f.regulation("JJG 539-2024", DAY)
    cert.regulation.superseded_on, cert.regulation.superseded_by = DAY, new
    cert.regulation.save()
    expect(cert, ["TR-4"])
    failure = next(audit.failures(audit.Scope(DAY, DAY)))
    assert "JJG 539-2024" in str(failure.issue.message)
    cert.verified_on, cert.valid_until = D(2024, 5, 14), D(2025, 5, 13)  # the day before: still in force
    expect(cert, [])


def test_it_names_no_current_edition_before_any_took_effect(cert) -> None:
    cert.regulation.effective_from = D(2024, 5, 16)
    cert.regulation.save()
    expect(cert, ["TR-4"])
    assert "（现行：—）" in str(next(audit.failures(audit.Scope(DAY, DAY))).issue.message)


@pytest.mark.parametrize(
    ("temperature", "humidity", "rules"),
    [
        (None, 55, ["TR-5"]),
        (21, None, ["TR-5"]),
        (36, 86, ["TR-5", "TR-5"]),
        (35, 85, []),
        (4.9, 85.1, ["TR-5", "TR-5"]),
        (5, 20, []),
    ],
)
def test_it_checks_the_environment_at_the_limits(cert, temperature, humidity, rules) -> None:
    cert.temperature_c, cert.humidity_pct = temperature, humidity
    expect(cert, rules)


@pytest.mark.parametrize(
    ("verified_on", "valid_until", "rules"),
    [
        (DAY, D(2025, 5, 15), []),
        (DAY, D(2025, 5, 16), ["TR-6"]),
        (D(2024, 1, 31), D(2025, 1, 31), []),
        (D(2024, 1, 31), D(2025, 2, 1), ["TR-6"]),
        (D(2024, 2, 29), D(2025, 2, 28), []),  # clamped: 2024-02-29 + 12 months is 2025-02-28
        (D(2024, 2, 29), D(2025, 3, 1), ["TR-6"]),
        (D(2024, 3, 31), D(2025, 3, 31), []),
        (D(2024, 12, 31), D(2025, 12, 31), []),
        (D(2024, 12, 31), D(2026, 1, 1), ["TR-6"]),
    ],
)
def test_it_checks_the_interval_across_month_ends(cert, verified_on, valid_until, rules) -> None:
    cert.verified_on, cert.valid_until = verified_on, valid_until
    cert.standards.get().instruments.get().certificates.update(
        valid_from=D(2023, 1, 1), valid_to=D(2025, 12, 31)
    )
    expect(cert, rules)


def test_it_checks_the_interval_against_a_shorter_period(cert) -> None:
    cert.regulation.max_interval_months = 1
    cert.regulation.save()
    cert.verified_on, cert.valid_until = D(2024, 1, 31), D(2024, 2, 29)
    expect(cert, [])
    cert.valid_until = D(2024, 3, 1)
    expect(cert, ["TR-6"])


@pytest.mark.parametrize("record_no", ["", " ", "\u3000", "\t\n", "YS-9"])
def test_it_flags_a_blank_original_record_number(cert, record_no) -> None:
    cert.record_no = record_no
    expect(cert, [] if record_no == "YS-9" else ["TR-7"])


@pytest.mark.parametrize(("authorised_to", "rules"), [(D(2024, 5, 14), ["TR-8"]), (DAY, [])])
def test_it_flags_an_item_outside_the_authorised_scope(cert, authorised_to, rules) -> None:
    cert.institution.mv_items.update(authorised_to=authorised_to)
    expect(cert, rules)


def test_it_checks_no_scope_or_item_without_a_catalogue_item(cert) -> None:
    cert.institution.mv_items.update(authorised_to=D(2024, 5, 14))
    cert.verifier.registrations.update(professional_items=["压力"])
    cert.mv_item = None
    expect(cert, [])


def test_it_keeps_to_the_scope_s_dates_and_institution(cert) -> None:
    cert.record_no = ""
    cert.save()
    other = f.certificate(f.institution(), verified_on=DAY, regulation=cert.regulation, record_no="")
    other.save()
    assert {x.certificate_id for x in audit.rule_failures("TR-7", audit.Scope(DAY, DAY))} == {
        cert.pk,
        other.pk,
    }
    one = audit.Scope(DAY, DAY, institution_id=other.institution_id)
    assert [x.certificate_id for x in audit.rule_failures("TR-7", one)] == [other.pk]
    assert list(audit.rule_failures("TR-7", audit.Scope(D(2024, 5, 16), D(2024, 12, 31)))) == []


@pytest.mark.parametrize("rule", [*audit.RULES, audit.ELEMENTS])
def test_it_binds_the_same_parameters_whatever_the_number_of_certificates(rule) -> None:
    sql, params = audit.rule_sql(rule, audit.Scope(D(2024, 1, 1), D(2024, 12, 31), institution_id=7))
    assert sql.count("%s") == len(params) <= 12
    scope = [7, D(2024, 1, 1), D(2024, 12, 31)]
    assert set(map(str, params)) == {*map(str, scope)} | ({audit.WHITESPACE} if "trim(" in sql else set())


def test_it_groups_failing_certificates_with_every_rule_they_break(cert) -> None:
    cert.record_no, cert.humidity_pct, cert.checker = "", None, cert.verifier
    cert.save()
    rows = list(audit.failing_certificates(audit.Scope(DAY, DAY)))
    assert rows == [
        (cert.pk, cert.cert_no, cert.institution_id, frozenset({"TR-3", "TR-5", "TR-7", "elements"}))
    ]
    assert audit.certificates_checked(audit.Scope(DAY, DAY)) == {cert.institution_id: 1}


def test_it_draws_the_sample_by_the_documented_protocol() -> None:
    # Protocol (audit.sample_rank): per institution and item, the `size` certificates of lowest rank.
    insts = [f.institution(), f.institution()]
    regulation = f.regulation("JJG 1-2010", D(2010, 1, 1))
    items = [None, *(MVCatalogueItem.objects.create(
        catalogue_version="t", level1_no=1, level1_name=f"一级{k}", level2_no=k, level2_name=f"二级{k}",
        supervision_mode="P+V", mv_form="periodic", evidence="confirmed",
    ) for k in range(2))]  # fmt: skip
    signatories = {i.pk: (f.staff(i), f.staff(i), f.staff(i)) for i in insts}
    for n in range(60):
        inst, item = insts[n % 2], items[n % 3]
        verifier, checker, approver = signatories[inst.pk]
        f.certificate(
            inst, verified_on=DAY, regulation=regulation, mv_item=item, record_no="" if n % 4 else "YS",
            verifier=verifier, checker=checker, approver=approver,
        ).save()  # fmt: skip
    certs = list(VerificationCertificate.objects.values_list("pk", "institution_id", "mv_item_id", "cert_no"))
    for seed in (0, 16, 2**31 + 5):
        expected = set()
        for inst in insts:
            for item in items:
                group = [c for c in certs if c[1] == inst.pk and c[2] == (item and item.pk)]
                group.sort(key=lambda c: (audit.sample_rank(c[0], seed), c[0]))
                expected |= {(c[1], c[3]) for c in group[:4]}
        scope = audit.Scope(DAY, DAY, sample_size=4, seed=seed)
        assert set(audit.drawn_certificates(scope)) == expected and len(expected) == 24
        checked = audit.certificates_checked(scope)
        assert checked == {insts[0].pk: 12, insts[1].pk: 12}
        drawn_ids = {c[0] for c in certs if (c[1], c[3]) in expected}
        failing = {pk for pk, _no, _i, rules in audit.failing_certificates(scope) if "TR-7" in rules}
        assert failing == {
            pk for pk in drawn_ids if VerificationCertificate.objects.get(pk=pk).record_no == ""
        }
    one = audit.Scope(DAY, DAY, institution_id=insts[1].pk, sample_size=4, seed=16)
    assert {i for i, _no in audit.drawn_certificates(one)} == {insts[1].pk}


def test_a_mapped_registration_item_covers_the_catalogue_item(cert) -> None:
    """TR-3 reads the item mapping, per certificate and in SQL alike: "电子秤" is no catalogue name."""
    from qiangji.web.registry.models import ProfessionalItemMapping

    cert.verifier.registrations.update(professional_items=["电子秤"])
    expect(cert, ["TR-3"])
    ProfessionalItemMapping.objects.create(registration_item=" 电子秤 ", catalogue_item=cert.mv_item)
    expect(cert, [])
    ProfessionalItemMapping.objects.all().delete()
    other = MVCatalogueItem.objects.create(
        catalogue_version="2020-42", level1_no=13, level1_name="压力仪表", level2_no=14,
        level2_name="一般压力表", supervision_mode="P+V", mv_form="periodic", evidence="confirmed",
    )  # fmt: skip
    ProfessionalItemMapping.objects.create(registration_item="电子秤", catalogue_item=other)
    expect(cert, ["TR-3"])  # mapped to another item: still not covered


def test_it_follows_overlapping_registrations_and_authorisations_day_by_day(cert) -> None:
    """A certificate on every day around overlapping registrations (levels, starts and ends on
    neighbouring days) and authorisations (one open-ended): the statements cut each verifier's and each
    institution's periods into pieces, and every day of every piece agrees with the per-certificate rules."""
    verifier, inst, item = cert.verifier, cert.institution, cert.mv_item
    f.registration(verifier, D(2024, 5, 10), D(2024, 5, 20), level=1, professional_items=["压力"])
    f.registration(verifier, D(2024, 5, 15), D(2024, 5, 17), level=1, professional_items=["电子计价秤"])
    f.registration(verifier, D(2024, 5, 18), D(2024, 5, 19), level=1, professional_items=["电子计价秤"])
    verifier.registrations.filter(level=2).update(valid_to=D(2024, 5, 21))
    inst.mv_items.update(authorised_to=D(2024, 5, 11))
    InstitutionMVItem.objects.create(
        institution=inst, item=item, authorised_from=D(2024, 5, 13), authorised_to=D(2024, 5, 16)
    )
    InstitutionMVItem.objects.create(institution=inst, item=item, authorised_from=D(2024, 5, 16))
    standards = list(cert.standards.all())
    for n, day in enumerate(D(2024, 5, 7) + dt.timedelta(days=k) for k in range(18)):
        other = VerificationCertificate.objects.get(pk=cert.pk)
        other.pk, other.cert_no, other.verified_on = None, f"JD-DAY-{n}", day
        other.valid_until = day + dt.timedelta(days=300)
        other.save()
        other.standards.set(standards)
    found = set_based(audit.Scope(D(2024, 1, 1), D(2024, 12, 31)))
    assert found == reference()
    assert {rule for _id, rule, _f, _m in found} == {"TR-3", "TR-8"}  # both kinds of piece are exercised
