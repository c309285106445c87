"""The demo data set in the database: idempotent load, edge cases seen through the registry's as-of API.

The data set is loaded once for the module inside a transaction that is rolled back afterwards, so other
test modules still start from an empty database. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import transaction

from qiangji.demo.generate import generate
from qiangji.demo.load import LoadReport, _entry, load_demo
from qiangji.web.registry.models import (
    Division,
    IndustryService,
    Institution,
    InstitutionSuccession,
    MeasurementStandard,
    MVCatalogueItem,
    Regulation,
    RMRegistration,
    Staff,
    VerificationCertificate,
)
from qiangji.web.registry.traceability import traceability_issues

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[LoadReport]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in apps.get_app_config("registry").get_models()}


def rules(cert_no: str) -> set[str]:
    return {issue.rule for issue in traceability_issues(VerificationCertificate.objects.get(cert_no=cert_no))}


def test_it_loads_the_demo_data_only_once(loaded: LoadReport) -> None:
    before = counts()
    again = load_demo()
    assert sum(again.created.values()) == 0
    assert counts() == before
    assert "未重复加载" in again.summary()
    assert loaded.created["certificates"] == VerificationCertificate.objects.count() > 4000
    assert (Division.objects.count(), Institution.objects.ranked().count()) == (9, 9)


def test_it_lists_the_demo_institutions_in_chinese(loaded: LoadReport, client) -> None:
    client.login(username=loaded.admin_username, password=loaded.admin_password)
    response = client.get("/institutions/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "计量技术机构" in html
    assert "温岭市计量检定所（示例）" in html


def test_it_starts_three_or_four_institutions_below_the_rm_target(loaded: LoadReport) -> None:
    day = D(2023, 3, 31)
    shares = {i.code: i.rm_coverage_on(day).percent for i in Institution.objects.ranked()}
    below = sorted(code for code, pct in shares.items() if pct is not None and pct < 80)
    assert 3 <= len(below) <= 4, shares
    assert all(40 <= pct <= 95 for pct in shares.values() if pct is not None), shares


def test_it_moves_institutions_in_rank_over_the_programme(loaded: LoadReport) -> None:
    def order(day: dt.date) -> list[str]:
        ranked = Institution.objects.ranked()
        return sorted((i.code for i in ranked), key=lambda c: -ranked.get(code=c).rm_coverage_on(day).percent)

    assert order(D(2023, 3, 31)) != order(D(2025, 12, 31))


def test_it_expires_a_standard_the_day_before_a_certificate_cites_it(loaded: LoadReport) -> None:
    std = VerificationCertificate.objects.get(cert_no="示例检HY-MI-EDGE-1").standards.get()
    assert std.previous_assessments.filter(expires_on=D(2024, 8, 19)).exists()
    assert MeasurementStandard.objects.valid_on(D(2024, 8, 19)).filter(pk=std.pk).exists()
    assert not MeasurementStandard.objects.valid_on(D(2024, 8, 20)).filter(pk=std.pk).exists()
    assert "TR-1" in rules("示例检HY-MI-EDGE-1")


def test_it_lapses_a_registration_for_one_month_before_renewal(loaded: LoadReport) -> None:
    person = Staff.objects.get(institution__code="TT-MI", staff_no=generate_edges()["registration_gap"])
    assert person.registration_on(D(2024, 3, 31)) is not None
    assert person.registration_on(D(2024, 4, 1)) is None
    assert person.registration_on(D(2024, 4, 30)) is None
    assert person.registration_on(D(2024, 5, 1)) is not None
    assert RMRegistration.objects.filter(staff=person).count() == 2


def test_it_supersedes_a_regulation_in_the_middle_of_a_quarter(loaded: LoadReport) -> None:
    old = Regulation.objects.get(code=generate_edges()["mid_quarter_regulation"])
    assert Regulation.objects.edition_in_force(old.base, D(2024, 5, 14)) == old
    new = Regulation.objects.edition_in_force(old.base, D(2024, 5, 15))
    assert new is not None and new != old and old.superseded_by == new
    assert "TR-4" in rules(generate_edges()["mid_quarter_certificate"])


def test_it_has_one_certificate_whose_verifier_is_also_its_checker(loaded: LoadReport) -> None:
    same = VerificationCertificate.objects.filter(verifier=models_f("checker"))
    assert list(same.values_list("cert_no", flat=True)) == ["示例检XJ-MI-EDGE-2"]
    assert "TR-3" in rules("示例检XJ-MI-EDGE-2")


def test_it_merges_the_quality_institute_into_linhai_in_year_two(loaded: LoadReport) -> None:
    merged = InstitutionSuccession.objects.get()
    assert (merged.predecessor.code, merged.successor.code, merged.effective_on) == (
        "LH-QI",
        "LH-MI",
        D(2024, 7, 1),
    )
    assert Institution.objects.active_on(D(2024, 6, 30)).filter(code="LH-QI").exists()
    assert not Institution.objects.active_on(D(2024, 7, 1)).filter(code="LH-QI").exists()
    linhai = merged.successor
    assert linhai.name_on(D(2024, 6, 30)) == "临海市计量检定所（示例）"
    assert linhai.name_on(D(2024, 7, 1)) == "临海市检验检测研究院（示例）"
    assert linhai.staff_on(D(2024, 7, 1)).count() > linhai.staff_on(D(2024, 6, 30)).count()


def test_it_misses_one_quarterly_service_report(loaded: LoadReport) -> None:
    sanmen = IndustryService.objects.filter(institution__code="SM-MI")
    quarters = set(sanmen.values_list("year", "quarter"))
    assert (2024, 2) not in quarters
    assert len(quarters) == 11 + 2  # 2023Q1…2025Q4 but 2024Q2, and 2026Q1–Q2 (the 2026 extension)


def test_it_lets_the_city_institute_serve_the_urban_districts(loaded: LoadReport) -> None:
    city = Institution.objects.get(code="TZ-MI")
    assert sorted(city.divisions.values_list("code", flat=True)) == ["HY", "JJ", "LQ"]
    assert not city.is_ranked


def test_it_plants_defects_the_traceability_rules_detect(loaded: LoadReport) -> None:
    # Every planted defect is found by its rule and a clean certificate breaks none (checked on a spread
    # sample of 400 certificates, every tenth one in the deterministic order of the generator).
    planted = {c.cert_no: c.defect for c in generated().certificates}
    sample = sorted(planted)[::12]
    for cert in VerificationCertificate.objects.filter(cert_no__in=sample).select_related(
        "regulation", "verifier", "checker", "approver", "mv_item", "institution"
    ):
        found = {issue.rule for issue in traceability_issues(cert)}
        if planted[cert.cert_no]:
            assert planted[cert.cert_no] in found, cert.cert_no
        else:
            assert found == set(), (cert.cert_no, found)


def generated():
    rows = MVCatalogueItem.objects.current().mandatory().order_by("level1_no", "level2_no")
    return generate([_entry(r) for r in rows])


def generate_edges() -> dict[str, str]:
    return generated().edge_cases


def models_f(name: str):
    from django.db.models import F

    return F(name)


def test_it_creates_a_signed_in_account_for_every_role(loaded: LoadReport) -> None:
    from django.contrib.auth import authenticate

    from qiangji.demo.accounts import demo_accounts
    from qiangji.web.accounts import policy

    accounts = demo_accounts()
    roles = [a.role for a in accounts]
    assert roles.count("reporter") == 9 and {"admin", "reviewer", "leadership"} <= set(roles)
    for account in accounts:
        user = authenticate(username=account.username, password=account.password)
        assert user is not None, account.username
        assert policy.role_of(user) == account.role
        own = policy.institution_of(user)
        assert (own.code if own else "") == account.institution
