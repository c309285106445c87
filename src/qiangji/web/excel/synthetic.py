"""Synthetic verification-certificate files of any size, for the import benchmarks and the scale tests.

:func:`reference_registry` stores what certificates refer to (institutions, their staff, a regulation, a
catalogue item, measurement standards; names obviously fictitious); :func:`certificate_rows` yields ``n``
rows under the template's own Chinese headers, spread over the institutions; :func:`certificate_csv` and
:func:`certificate_xlsx` write them. Deterministic: the same ``n`` gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings

from qiangji.web.excel.reader import header_text
from qiangji.web.excel.tables import get_table

INSTITUTIONS = 10
STAFF = 20
STANDARDS = 5
COLUMNS = (
    "institution.code", "cert_no", "kind", "record_no", "verified_on", "valid_until", "client",
    "instrument_name", "instrument_model", "instrument_serial", "manufacturer", "mv_item.level1_no",
    "mv_item.level2_no", "regulation.code", "standards.assessment_cert_no", "verifier.staff_no",
    "checker.staff_no", "approver.staff_no", "temperature_c", "humidity_pct", "conclusion", "place",
)  # fmt: skip


def reference_registry() -> None:
    """The reference rows the generated certificates point to (a few hundred rows, bulk-created)."""
    from qiangji.web.registry import models as m

    day = dt.date(2015, 1, 1)
    m.Regulation.objects.create(code="JJG 539-2016", title="数字指示秤（示例）", effective_from=day)
    m.MVCatalogueItem.objects.create(
        catalogue_version=settings.QIANGJI["CATALOGUE_VERSION"], level1_no=90, level1_name="衡器（示例）",
        level2_no=91, level2_name="计价秤（示例）", supervision_mode="V", mv_form="periodic",
        evidence="expected",
    )  # fmt: skip
    institutions = m.Institution.objects.bulk_create(
        m.Institution(code=f"SY{i:02d}", name=f"示例计量所{i}", level="county") for i in range(INSTITUTIONS)
    )
    m.Staff.objects.bulk_create(
        m.Staff(institution=inst, staff_no=f"{k:03d}", name=f"张某{k}", hired_on=day, is_verification=True)
        for inst in institutions
        for k in range(STAFF)
    )
    m.MeasurementStandard.objects.bulk_create(
        m.MeasurementStandard(
            institution=inst, name=f"示例标准{j}", jjf1022_code=f"{j + 1:02d}000000",
            assessment_cert_no=f"[2020]示例标字第{inst.code}-{j}号", assessment_issued_on=day,
            assessment_expires_on=dt.date(2030, 1, 1),
        )
        for inst in institutions
        for j in range(STANDARDS)
    )  # fmt: skip


def headers() -> list[str]:
    spec = get_table("verification_certificate")
    by_path = {column.path: column for column in spec.columns}
    return [header_text(spec, by_path[path]) for path in COLUMNS]


def certificate_rows(n: int, *, prefix: str = "ZS") -> Iterator[list[Any]]:
    """``n`` clean certificate rows (the header not included)."""
    start = dt.date(2024, 1, 1)
    for k in range(n):
        inst = f"SY{k % INSTITUTIONS:02d}"
        day = start + dt.timedelta(days=k % 360)
        staff = k % (STAFF - 2)
        std = k % (STANDARDS - 1)
        yield [
            inst, f"{prefix}-{k:08d}", "检定证书", f"YS-{k:08d}", day.isoformat(),
            (day + dt.timedelta(days=364)).isoformat(), f"示例企业{k % 500}", "电子计价秤", "ACS-30",
            f"SN{k:09d}", "示例衡器厂", "90", "91", "JJG 539-2016",
            f"[2020]示例标字第{inst}-{std}号、[2020]示例标字第{inst}-{std + 1}号",
            f"{staff:03d}", f"{staff + 1:03d}", f"{staff + 2:03d}", "20.5", "55", "合格", "本所实验室",
        ]  # fmt: skip


def certificate_csv(rows: Iterator[list[Any]] | list[list[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers())
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def certificate_xlsx(rows: Iterator[list[Any]] | list[list[Any]]) -> bytes:
    """A workbook with one sheet named as the template names it ("检定证书"), written streaming."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("检定证书")
    sheet.append(headers())
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
