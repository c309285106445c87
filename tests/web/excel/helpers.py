"""Builders shared by the Excel tests: a registry with a row in every table, workbooks, checksums."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.forms.models import model_to_dict

from qiangji.web.excel.tables import TABLES
from qiangji.web.registry import models as m

D = dt.date


def build_registry() -> dict[str, Any]:
    """One or more rows in every registry table, all names obviously fictitious."""
    div = m.Division.objects.create(
        code="JJ", name="椒江区（示例）", kind="district", block_industries=["水泵", "模具"]
    )
    inst = m.Institution.objects.create(
        code="JJ-MI",
        name="椒江区计量检定所（示例）",
        level="county",
        established_on=D(2000, 1, 1),
        authorisation_cert_no="(2020)示例量认字001",
    )
    inst.divisions.add(div)
    old = m.Institution.objects.create(
        code="OLD-MI",
        name="旧计量站（示例）",
        level="county",
        established_on=D(1990, 1, 1),
        dissolved_on=D(2024, 7, 1),
    )
    m.InstitutionName.objects.create(
        institution=inst,
        name="椒江县计量所（示例）",
        valid_from=D(1990, 1, 1),
        valid_until=D(2000, 1, 1),
        source_document="示例文件1号",
    )
    m.InstitutionGrade.objects.create(
        institution=inst, grade="A", effective_from=D(2024, 1, 1), source_document="台市监〔2024〕1号（示例）"
    )
    m.InstitutionSuccession.objects.create(predecessor=old, successor=inst, effective_on=D(2024, 7, 1))
    people = [
        m.Staff.objects.create(
            institution=inst,
            staff_no=f"00{i}",
            name=f"张某{i}",
            hired_on=D(2015, 1, 1),
            is_verification=True,
            gender="M",
            education="bachelor",
            title="intermediate",
        )
        for i in (1, 2, 3)
    ]
    m.RMRegistration.objects.create(
        staff=people[0],
        level=2,
        qualification_cert_no="Q-0001",
        registration_no="R-0001",
        valid_from=D(2021, 1, 1),
        valid_to=D(2025, 12, 31),
        professional_items=["非自动衡器", "压力仪表"],
    )
    new = m.Regulation.objects.create(
        code="JJG 539-2023", title="数字指示秤（示例）", effective_from=D(2023, 9, 1), max_interval_months=12
    )
    m.Regulation.objects.create(
        code="JJG 539-2016",
        title="数字指示秤（示例）",
        effective_from=D(2016, 6, 1),
        superseded_on=D(2023, 9, 1),
        superseded_by=new,
        humidity_max_pct=Decimal("85"),
    )
    item = m.MVCatalogueItem.objects.create(
        catalogue_version="2020-42",
        level1_no=90,
        level1_name="测试衡器（示例）",
        level2_no=91,
        level2_name="测试计价秤（示例）",
        supervision_mode="V",
        mv_form="periodic",
        evidence="expected",
    )
    m.InstitutionMVItem.objects.create(
        institution=inst, item=item, authorised_from=D(2020, 1, 1), annual_volume=1200
    )
    std = m.MeasurementStandard.objects.create(
        institution=inst,
        name="砝码标准装置（示例）",
        jjf1022_code="12345600",
        is_public=True,
        assessment_cert_no="[2020]示例标字第1号",
        assessment_issued_on=D(2020, 1, 1),
        assessment_expires_on=D(2024, 12, 31),
    )
    std.regulations.add(new)
    std.responsible_staff.add(people[0], people[1])
    m.PreviousAssessment.objects.create(
        standard=std, cert_no="[2015]示例标字第1号", issued_on=D(2015, 1, 1), expires_on=D(2019, 12, 31)
    )
    tool = m.StandardInstrument.objects.create(
        standard=std, name="F1等级砝码（示例）", model="1mg-20kg", serial_no="A001"
    )
    m.InstrumentCertificate.objects.create(
        instrument=tool,
        cert_no="IC-0001",
        issuer="某省计量院（示例）",
        valid_from=D(2024, 1, 5),
        valid_to=D(2025, 1, 4),
    )
    cert = m.VerificationCertificate.objects.create(
        institution=inst,
        cert_no="JD-0001",
        record_no="RC-0001",
        verified_on=D(2024, 3, 1),
        valid_until=D(2025, 2, 28),
        instrument_name="电子计价秤",
        mv_item=item,
        regulation=new,
        verifier=people[0],
        checker=people[1],
        approver=people[2],
        temperature_c=Decimal("20.5"),
        humidity_pct=Decimal("55"),
        conclusion="pass",
    )
    cert.standards.add(std)
    project = m.ResearchProject.objects.create(
        institution=inst,
        title="水泵能效在线计量研究（示例）",
        funding_level="provincial",
        approved_on=D(2024, 4, 1),
        amount_cny=Decimal("200000"),
    )
    m.LabPlatform.objects.create(
        institution=inst, name="泵业计量重点实验室（示例）", level=1, approved_on=D(2023, 1, 1)
    )
    m.ResearchOutput.objects.create(
        institution=inst,
        kind="paper",
        title="一种流量校准方法（示例）",
        published_on=D(2024, 10, 1),
        project=project,
    )
    m.IndustryService.objects.create(
        institution=inst,
        year=2024,
        quarter=2,
        enterprise="某泵业有限公司（示例）",
        cluster_tag="水泵",
        service_type="calibration",
        certificates=12,
        revenue_cny=Decimal("34567.80"),
    )
    m.SupervisionFinding.objects.create(
        institution=inst,
        found_on=D(2024, 5, 1),
        sub_dimension="C4",
        rule="TR-1",
        severity="minor",
        description="标准器证书过期（示例）",
        due_on=D(2024, 6, 1),
    )
    return {"institution": inst, "staff": people, "standard": std}  # fmt: skip


def checksum() -> tuple[dict[str, int], str]:
    """Row counts and a digest of every registry row (all fields, many-to-many included)."""
    digest = hashlib.sha256()
    counts = {}
    for spec in TABLES:
        rows = spec.model.objects.order_by("pk")
        counts[spec.name] = rows.count()
        for obj in rows:
            data = model_to_dict(obj)
            data.update({f.name: getattr(obj, f.name) for f in obj._meta.concrete_fields})
            digest.update(repr(sorted((k, repr(v)) for k, v in data.items())).encode())
    return counts, digest.hexdigest()


def workbook(sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None) -> bytes:
    """An .xlsx with the given rows per sheet (first sheet first) and optional merged ranges."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_of(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {s.title: [tuple(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}
