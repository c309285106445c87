"""Benchmark: the registry's as-of questions on a programme-sized data set (embedded SQLite).

Data: 10 institutions × 50 staff (with registrations), 40 standards × 3 instruments each, and a
sample of 300 verification certificates for one institution. Prints the median wall time over
``--repeat`` runs of:

* RM coverage of every institution at the 12 quarter-ends of 2023–2025 (120 calls),
* valid public standards of every institution at the 12 quarter-ends (120 counts),
* TR-1…TR-8 traceability checks of the 300-certificate sample, one by one and in one prefetched batch.

    .venv/bin/python benchmarks/bench_registry.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable

D = dt.date
QUARTER_ENDS = [D(y, m, 30 if m in (6, 9) else 31) for y in (2023, 2024, 2025) for m in (3, 6, 9, 12)]


def setup_django() -> None:
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="qiangji-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiangji.web.settings")
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build() -> list[object]:
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

    reg = Regulation.objects.create(code="JJG 539-2016", title="示例", effective_from=D(2016, 11, 30))
    institutions = [
        Institution.objects.create(code=f"B{i}", name=f"示例所{i}", level="county") for i in range(10)
    ]
    for inst in institutions:
        staff = Staff.objects.bulk_create(
            Staff(
                institution=inst,
                name=f"张某{k}",
                hired_on=D(2010 + k % 14, 1, 1),
                is_verification=k % 5 != 0,
                is_authorised_signatory=k < 5,
            )
            for k in range(50)
        )
        RMRegistration.objects.bulk_create(
            RMRegistration(
                staff=s,
                level=1 + k % 2,
                qualification_cert_no=f"Q{inst.pk}-{k}",
                registration_no=f"R{inst.pk}-{k}",
                valid_from=D(2019 + k % 5, 1 + k % 12, 1),
                valid_to=D(2024 + k % 5, 1 + k % 12, 1) - dt.timedelta(days=1),
            )
            for k, s in enumerate(staff)
            if k % 4
        )
        for j in range(40):
            std = MeasurementStandard.objects.create(
                institution=inst, name=f"标准{j}", jjf1022_code=f"{j % 10:02d}000000", is_public=j % 3 != 0,
                assessment_cert_no=f"A{inst.pk}-{j}", assessment_issued_on=D(2019 + j % 5, 3, 1),
                assessment_expires_on=D(2024 + j % 5, 2, 28),
            )  # fmt: skip
            std.responsible_staff.set(staff[j % 45 : j % 45 + 2])
            for n in range(3):
                ins = StandardInstrument.objects.create(standard=std, name=f"标准器{n}")
                InstrumentCertificate.objects.create(
                    instrument=ins, cert_no=f"I{std.pk}-{n}", issuer="示例省院",
                    valid_from=D(2024, 1 + n, 1), valid_to=D(2025, n + 1, 1) - dt.timedelta(days=1),
                )  # fmt: skip
    inst = institutions[0]
    people = list(inst.staff.all())
    standards = list(inst.standards.all())
    certs = []
    for k in range(300):
        cert = VerificationCertificate.objects.create(
            institution=inst, cert_no=f"JD-{k}", verified_on=D(2024, 1, 1) + dt.timedelta(days=k),
            valid_until=D(2025, 1, 1) + dt.timedelta(days=k - 1), instrument_name="计价秤", regulation=reg,
            verifier=people[k % 40 + 5], checker=people[(k + 1) % 40 + 5], approver=people[k % 5],
            conclusion="pass", record_no=f"YS-{k}", temperature_c=20, humidity_pct=50,
        )  # fmt: skip
        cert.standards.set(standards[k % 38 : k % 38 + 2])
        certs.append(cert)
    return certs


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from qiangji.web.registry.models import Institution, MeasurementStandard, VerificationCertificate
    from qiangji.web.registry.traceability import traceability_issues, traceability_report

    certs = build()
    institutions = list(Institution.objects.all())

    def coverage() -> None:
        for day in QUARTER_ENDS:
            for inst in institutions:
                inst.rm_coverage_on(day)

    def public() -> None:
        for day in QUARTER_ENDS:
            for inst in institutions:
                MeasurementStandard.objects.public_valid_on(day).filter(institution=inst).count()

    def trace() -> None:
        for cert in certs:
            traceability_issues(cert)

    print(f"rm_coverage_on, 120 calls:            {median_seconds(coverage, args.repeat) * 1000:8.1f} ms")
    print(f"public_valid_on().count(), 120 calls: {median_seconds(public, args.repeat) * 1000:8.1f} ms")

    def batch() -> None:
        traceability_report(VerificationCertificate.objects.all())

    print(f"traceability_issues, 300 certificates: {median_seconds(trace, args.repeat) * 1000:7.1f} ms")
    print(f"traceability_report, 300 certificates: {median_seconds(batch, args.repeat) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
