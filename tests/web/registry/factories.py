"""Tiny builders for registry rows; every name is obviously fictitious."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from qiangji.web.registry.models import (
    Institution,
    InstrumentCertificate,
    MeasurementStandard,
    Regulation,
    RMRegistration,
    Staff,
    StandardInstrument,
    VerificationCertificate,
)

_seq = itertools.count(1)
D = dt.date


def institution(code: str | None = None, **kw: Any) -> Institution:
    n = next(_seq)
    kw.setdefault("name", f"测试计量所{n}（示例）")
    kw.setdefault("level", Institution.Level.COUNTY)
    return Institution.objects.create(code=code or f"T{n}", **kw)


def staff(inst: Institution, **kw: Any) -> Staff:
    n = next(_seq)
    kw.setdefault("name", f"张某{n}")
    kw.setdefault("hired_on", D(2015, 1, 1))
    kw.setdefault("is_verification", True)
    return Staff.objects.create(institution=inst, **kw)


def registration(person: Staff, valid_from: dt.date, valid_to: dt.date, **kw: Any) -> RMRegistration:
    n = next(_seq)
    kw.setdefault("level", RMRegistration.Level.TWO)
    kw.setdefault("qualification_cert_no", f"Q-{n}")
    kw.setdefault("registration_no", f"R-{n}")
    return RMRegistration.objects.create(staff=person, valid_from=valid_from, valid_to=valid_to, **kw)


def regulation(code: str, effective_from: dt.date, **kw: Any) -> Regulation:
    kw.setdefault("title", f"{code} 测试规程（示例）")
    return Regulation.objects.create(code=code, effective_from=effective_from, **kw)


def standard(inst: Institution, **kw: Any) -> MeasurementStandard:
    n = next(_seq)
    kw.setdefault("name", f"测试计量标准{n}（示例）")
    kw.setdefault("jjf1022_code", "12345600")
    kw.setdefault("is_public", True)
    kw.setdefault("assessment_cert_no", f"[2020]示例标字第{n}号")
    kw.setdefault("assessment_issued_on", D(2020, 1, 1))
    kw.setdefault("assessment_expires_on", D(2024, 12, 31))
    return MeasurementStandard.objects.create(institution=inst, **kw)


def instrument_certificate(
    std: MeasurementStandard, valid_from: dt.date, valid_to: dt.date
) -> InstrumentCertificate:
    inst = StandardInstrument.objects.create(standard=std, name="测试标准器（示例）")
    n = next(_seq)
    return InstrumentCertificate.objects.create(
        instrument=inst,
        cert_no=f"IC-{n}",
        issuer="某省计量院（示例）",
        valid_from=valid_from,
        valid_to=valid_to,
    )


def certificate(inst: Institution, **kw: Any) -> VerificationCertificate:
    n = next(_seq)
    if "verifier" not in kw:
        kw["verifier"], kw["checker"], kw["approver"] = (staff(inst) for _ in range(3))
    kw.setdefault("regulation", regulation(f"JJG {n}-2019", D(2019, 1, 1)))
    kw.setdefault("verified_on", D(2024, 3, 1))
    kw.setdefault("valid_until", D(2025, 2, 28))
    kw.setdefault("instrument_name", "电子计价秤")
    kw.setdefault("conclusion", VerificationCertificate.Conclusion.PASS)
    return VerificationCertificate(institution=inst, cert_no=kw.pop("cert_no", f"JD-{n}"), **kw)
