"""The certificate's rules over columns (the column import's ``clean()``) equal the per-row functions: on
every demo certificate and on the boundary cases of each rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from qiangji.demo.load import load_demo
from qiangji.web.excel.fast import FieldColumns
from qiangji.web.registry import models as m
from qiangji.web.registry.column_rules import certificate_errors, certificate_warnings
from qiangji.web.registry.validators import verification_certificate_errors, verification_certificate_warnings
from tests.web.registry import factories as f

pytestmark = pytest.mark.django_db
Cert = m.VerificationCertificate


def per_row(certs: list[Cert]) -> tuple[dict[int, Any], dict[int, Any]]:
    errors = {i: verification_certificate_errors(c) for i, c in enumerate(certs)}
    warnings = {i: verification_certificate_warnings(c) for i, c in enumerate(certs)}
    return {i: e for i, e in errors.items() if e}, {i: w for i, w in warnings.items() if w}


def by_columns(certs: list[Cert]) -> tuple[dict[int, Any], dict[int, Any]]:
    cols = FieldColumns.of(Cert, certs)
    return certificate_errors(cols), certificate_warnings(cols)


def as_text(found: tuple[dict[int, Any], dict[int, Any]]) -> tuple[Any, Any]:
    """Messages as shown (lazy translations compared as text), field order kept."""
    errors, warnings = found
    return (
        {i: [(k, str(v)) for k, v in e.items()] for i, e in errors.items()},
        {i: [(k, str(v)) for k, v in w] for i, w in warnings.items()},
    )


@pytest.fixture(scope="module")
def demo_certificates(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[Cert]]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            yield list(
                Cert.objects.select_related("verifier", "checker", "approver", "institution").order_by("pk")
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_it_equals_the_model_rules_on_every_demo_certificate(demo_certificates: list[Cert]) -> None:
    certs = demo_certificates
    assert len(certs) > 1000
    expected = as_text(per_row(certs))
    assert as_text(by_columns(certs)) == expected
    assert expected[1], "the demo plants warnings (environment, signatories): the comparison is not empty"


def boundary_cases() -> list[Cert]:
    """One certificate per edge of each rule, from a clean one."""
    inst, other = f.institution("BA"), f.institution("BB")
    a, b, c = (f.staff(inst, staff_no=f"00{k}") for k in range(3))
    stranger = f.staff(other, staff_no="009")
    day = dt.date(2025, 3, 1)
    base = dict(
        institution=inst, cert_no="B-1", kind=Cert.Kind.CERTIFICATE, record_no="R-1", verified_on=day,
        valid_until=day + dt.timedelta(days=365), instrument_name="秤（示例）", regulation_id=None,
        verifier=a, checker=b, approver=c, temperature_c=Decimal("20.5"), humidity_pct=Decimal("55.0"),
        conclusion=Cert.Conclusion.PASS,
    )  # fmt: skip

    def case(**changes: Any) -> Cert:
        return Cert(**base | changes)

    notice = {"kind": Cert.Kind.NOTICE, "conclusion": Cert.Conclusion.FAIL, "valid_until": None}
    return [
        case(),
        case(valid_until=day),  # valid the day of verification only: refused
        case(valid_until=day - dt.timedelta(days=1)),
        case(valid_until=day + dt.timedelta(days=1)),  # the first day after: accepted
        case(valid_until=None),
        case(verified_on=None),
        case(conclusion=Cert.Conclusion.FAIL),
        case(**notice),
        case(**notice | {"conclusion": Cert.Conclusion.PASS}),
        case(**notice | {"valid_until": day + dt.timedelta(days=30)}),
        case(**notice | {"conclusion": Cert.Conclusion.PASS, "valid_until": day - dt.timedelta(days=1)}),
        case(verifier=stranger),
        case(checker=stranger, approver=stranger, valid_until=day),
        case(institution=other, conclusion=Cert.Conclusion.FAIL),
        case(checker=a),
        case(approver=a),
        case(approver=b, checker=a),
        case(temperature_c=None),
        case(humidity_pct=None, record_no=""),
        case(kind=Cert.Kind.NOTICE, conclusion=Cert.Conclusion.FAIL, valid_until=None, record_no=""),
        case(temperature_c=Decimal("0"), humidity_pct=Decimal("0")),  # zero is a value, not a blank
    ]


def test_it_equals_the_model_rules_on_the_boundary_cases(db: None) -> None:
    certs = boundary_cases()
    expected = as_text(per_row(certs))
    assert as_text(by_columns(certs)) == expected
    errors, warnings = expected
    assert sorted(errors) == [1, 2, 4, 6, 8, 9, 10, 11, 12, 13]
    assert [k for k, _v in errors[12]] == ["valid_until", "checker", "approver"]
    assert sorted(warnings) == [12, 14, 15, 16, 17, 18]
