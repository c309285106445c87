"""One spec per registry table, in dependency order (a sheet only refers to sheets above it).

Natural keys (the upsert rule: a row whose key matches a stored row updates it, else it is created):

=========================  ==========================================================================
table                      key
=========================  ==========================================================================
division                   code
institution                code
institution_name           institution code + valid from
institution_grade          institution code + effective date
institution_succession     predecessor code + successor code
staff                      institution code + staff number (工号, required in imports)
rm_registration            registration number + valid from
regulation                 code ("JJG 162-2019", spacing/dash variants normalised)
mv_catalogue               catalogue version + level-1 number + level-2 number
institution_mv_item        institution code + catalogue item (version in use, numbers) + authorised from
measurement_standard       institution code + JJF 1022 code + name
previous_assessment        standard (institution, code, name) + certificate number
standard_instrument        standard (institution, code, name) + name + model + serial number
instrument_certificate     issuer + certificate number
verification_certificate   institution code + certificate number
research_project           institution code + title
lab_platform               institution code + name
research_output            institution code + kind + title
industry_service           institution code + year + quarter + enterprise + service type
supervision_finding        institution code + date found + description
item_mapping               registration item name + catalogue item (version in use, numbers)
exam_subject_pass          staff (institution code, staff number) + level + subject + exam year
rm_credential              kind + certificate number
continuing_education       staff + date completed + provider + topic
=========================  ==========================================================================
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qiangji.web.excel.spec import Column, ColumnRules, Kind, TableSpec
from qiangji.web.registry import models as m
from qiangji.web.registry.column_rules import certificate_errors, certificate_warnings
from qiangji.web.registry.validators import (
    measurement_standard_warnings,
    responsible_staff_errors,
    verification_certificate_warnings,
)

INST = _("机构代码")
STAFF_SCOPES = ("verifier.institution__code", "checker.institution__code", "approver.institution__code")


def regulation_code(text: str) -> str:
    """ "jjg162－2019" → "JJG 162-2019"; text that is no code at all is left for the lookup to reject."""
    try:
        kind, number, year = m.parse_regulation_code(text)
    except ValueError:
        return text
    return f"{kind} {number}-{year}"


def _current_catalogue() -> dict[str, Any]:
    return {"catalogue_version": settings.QIANGJI["CATALOGUE_VERSION"]}


def _standard_refs(prefix: str = "standard.") -> tuple[Column, ...]:
    return (
        Column(f"{prefix}institution__code", INST),
        Column(f"{prefix}jjf1022_code", _("计量标准代码")),
        Column(f"{prefix}name", _("计量标准名称"), width=28),
    )


def _standard_staff(std: m.MeasurementStandard, lists: dict[str, list[Any]]) -> dict[str, Any]:
    if "responsible_staff" not in lists:
        return {}  # column absent: the stored responsible staff stay as they are
    return responsible_staff_errors(std, lists["responsible_staff"])


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "division", m.Division, _("行政区划"), key=("code",),
        columns=(
            Column("code", kind=Kind.CODE), Column("name"), Column("name_en"), Column("kind"),
            Column("block_industries", width=30),
        ),
    ),
    TableSpec(
        "institution", m.Institution, _("计量技术机构"), key=("code",),
        columns=(
            Column("code", kind=Kind.CODE), Column("name", width=30), Column("level"), Column("legal_type"),
            Column("divisions.code", _("服务区划代码")), Column("is_ranked"),
            Column("authorisation_cert_no", kind=Kind.CODE), Column("established_on"),
            Column("dissolved_on"), Column("address", width=30), Column("contact"),
        ),
    ),
    TableSpec(
        "institution_name", m.InstitutionName, _("机构名称沿革"), key=("institution", "valid_from"),
        columns=(
            Column("institution.code", INST), Column("name", width=30), Column("valid_from"),
            Column("valid_until"), Column("source_document", width=30),
        ),
    ),
    TableSpec(
        "institution_grade", m.InstitutionGrade, _("机构等级"), key=("institution", "effective_from"),
        columns=(
            Column("institution.code", INST), Column("grade"), Column("effective_from"),
            Column("source_document", width=30), Column("note", width=30),
        ),
    ),
    TableSpec(
        "institution_succession", m.InstitutionSuccession, _("机构合并承继"),
        key=("predecessor", "successor"),
        columns=(
            Column("predecessor.code", _("原机构代码")), Column("successor.code", _("承继机构代码")),
            Column("kind"), Column("effective_on"), Column("source_document", width=30),
        ),
    ),
    TableSpec(
        "staff", m.Staff, _("人员"), key=("institution", "staff_no"),
        columns=(
            Column("institution.code", INST), Column("staff_no", kind=Kind.CODE, required=True),
            Column("name"), Column("gender"), Column("birth_year", unit=_("年")), Column("education"),
            Column("title"), Column("is_technical"), Column("is_verification"),
            Column("is_authorised_signatory"), Column("hired_on"), Column("left_on"),
        ),
    ),
    TableSpec(
        "rm_registration", m.RMRegistration, _("注册计量师注册"), key=("registration_no", "valid_from"),
        columns=(
            Column("staff.institution__code", INST), Column("staff.staff_no", _("工号")), Column("level"),
            Column("qualification_cert_no", kind=Kind.CODE), Column("registration_no", kind=Kind.CODE),
            Column("valid_from"), Column("valid_to"), Column("professional_items", width=30),
            Column("authority", width=24),
        ),
    ),
    TableSpec(
        "regulation", m.Regulation, _("检定规程校准规范"), key=("code",),
        columns=(
            Column("code", kind=Kind.CODE, normalise=regulation_code), Column("title", width=30),
            Column("effective_from"), Column("superseded_on"),
            Column("superseded_by.code", _("被替代为（编号）"), normalise=regulation_code),
            Column("max_interval_months"), Column("temperature_min_c"), Column("temperature_max_c"),
            Column("humidity_max_pct", percent=True),
        ),
    ),
    TableSpec(
        "mv_catalogue", m.MVCatalogueItem, _("强制管理计量器具目录"),
        key=("catalogue_version", "level1_no", "level2_no"),
        columns=(
            Column("catalogue_version", kind=Kind.CODE), Column("level1_no"), Column("level1_name"),
            Column("level2_no"), Column("level2_name"), Column("supervision_mode"), Column("mv_form"),
            Column("scope_note", width=24), Column("evidence"), Column("note", width=24),
        ),
    ),
    TableSpec(
        "institution_mv_item", m.InstitutionMVItem, _("授权强检项目"),
        key=("institution", "item", "authorised_from"),
        ref_filters={"item": _current_catalogue},
        columns=(
            Column("institution.code", INST), Column("item.level1_no", _("目录一级序号")),
            Column("item.level2_no", _("目录二级序号")), Column("authorised_from"),
            Column("authorised_to"), Column("annual_volume"), Column("authorisation_doc", width=24),
        ),
        note=_("目录项按当前使用的目录版本和一级、二级序号查找。"),
    ),
    TableSpec(
        "measurement_standard", m.MeasurementStandard, _("计量标准"),
        key=("institution", "jjf1022_code", "name"),
        checks=(_standard_staff,), warnings=(measurement_standard_warnings,),
        columns=(
            Column("institution.code", INST, also=("responsible_staff.institution__code",)),
            Column("name", width=28), Column("jjf1022_code", kind=Kind.CODE), Column("is_public"),
            Column("assessment_cert_no", kind=Kind.CODE, width=22), Column("assessment_issued_on"),
            Column("assessment_expires_on"), Column("reexam_applied_on"), Column("status"),
            Column("status_since"), Column("measurement_range", width=24), Column("uncertainty", width=24),
            Column("regulations.code", _("依据规程/规范编号"), normalise=regulation_code, width=28),
            Column("responsible_staff.staff_no", _("负责人员工号"), width=20),
        ),
    ),
    TableSpec(
        "previous_assessment", m.PreviousAssessment, _("历次考核证书"), key=("standard", "cert_no"),
        columns=(
            *_standard_refs(), Column("cert_no", kind=Kind.CODE, width=22), Column("issued_on"),
            Column("expires_on"),
        ),
    ),
    TableSpec(
        "standard_instrument", m.StandardInstrument, _("标准器"),
        key=("standard", "name", "model", "serial_no"),
        columns=(
            *_standard_refs(), Column("name", _("标准器名称"), width=24), Column("model"),
            Column("serial_no", kind=Kind.CODE), Column("manufacturer", width=24),
            Column("measurement_range", width=24), Column("accuracy", width=24), Column("is_main"),
        ),
    ),
    TableSpec(
        "instrument_certificate", m.InstrumentCertificate, _("标准器证书"), key=("issuer", "cert_no"),
        columns=(
            *_standard_refs("instrument.standard__"),
            Column("instrument.name", _("标准器名称"), width=24),
            Column("instrument.serial_no", _("出厂编号")),
            Column("cert_no", kind=Kind.CODE), Column("kind"), Column("issuer", width=28),
            Column("valid_from"), Column("valid_to"),
        ),
    ),
    TableSpec(
        "verification_certificate", m.VerificationCertificate, _("检定证书"),
        key=("institution", "cert_no"),
        warnings=(verification_certificate_warnings,),
        column_rules=ColumnRules(certificate_errors, certificate_warnings),
        ref_filters={"mv_item": _current_catalogue},
        columns=(
            Column("institution.code", INST, also=STAFF_SCOPES), Column("cert_no", kind=Kind.CODE),
            Column("kind"), Column("record_no", kind=Kind.CODE), Column("verified_on"),
            Column("valid_until"), Column("client", width=24), Column("instrument_name", width=20),
            Column("instrument_model"), Column("instrument_serial", kind=Kind.CODE),
            Column("manufacturer", width=24),
            Column("mv_item.level1_no", _("强检目录一级序号")),
            Column("mv_item.level2_no", _("强检目录二级序号")),
            Column("regulation.code", _("依据规程编号"), normalise=regulation_code),
            Column("standards.assessment_cert_no", _("所用计量标准考核证书编号"), width=28),
            Column("verifier.staff_no", _("检定员工号")), Column("checker.staff_no", _("核验员工号")),
            Column("approver.staff_no", _("批准人工号")), Column("temperature_c"),
            Column("humidity_pct", percent=True), Column("conclusion"), Column("place", width=20),
        ),
    ),
    TableSpec(
        "research_project", m.ResearchProject, _("科研项目"), key=("institution", "title"),
        columns=(
            Column("institution.code", INST), Column("title", width=36), Column("funding_level"),
            Column("funder", width=24), Column("approved_on"), Column("finished_on"), Column("amount_cny"),
            Column("approval_doc", width=24),
        ),
    ),
    TableSpec(
        "lab_platform", m.LabPlatform, _("重点实验室平台"), key=("institution", "name"),
        columns=(
            Column("institution.code", INST), Column("name", width=36), Column("level"),
            Column("approved_on"), Column("revoked_on"), Column("approval_doc", width=24),
        ),
    ),
    TableSpec(
        "research_output", m.ResearchOutput, _("科研成果"), key=("institution", "kind", "title"),
        columns=(
            Column("institution.code", INST, also=("project.institution__code",)), Column("kind"),
            Column("title", width=36), Column("published_on"), Column("reference", width=24),
            Column("project.title", _("所属项目名称"), width=36),
        ),
    ),
    TableSpec(
        "industry_service", m.IndustryService, _("产业计量服务"),
        key=("institution", "year", "quarter", "enterprise", "service_type"),
        columns=(
            Column("institution.code", INST), Column("year"), Column("quarter"),
            Column("enterprise", width=30), Column("cluster_tag"), Column("service_type"),
            Column("certificates"), Column("revenue_cny"),
        ),
    ),
    TableSpec(
        "supervision_finding", m.SupervisionFinding, _("督导发现问题"),
        key=("institution", "found_on", "description"),
        columns=(
            Column("institution.code", INST), Column("source"), Column("found_on"),
            Column("sub_dimension"), Column("rule"), Column("severity"),
            Column("description", width=40), Column("due_on"), Column("closed_on"),
        ),
    ),
    TableSpec(
        "item_mapping", m.ProfessionalItemMapping, _("专业项目对照"),
        key=("registration_item", "catalogue_item"),
        ref_filters={"catalogue_item": _current_catalogue},
        columns=(
            Column("registration_item", width=24), Column("catalogue_item.level1_no", _("目录一级序号")),
            Column("catalogue_item.level2_no", _("目录二级序号")), Column("jjf1022_code", kind=Kind.CODE),
            Column("note", width=24),
        ),
        note=_(
            "注册证上的专业项目名称 → 强检目录项（当前目录版本）及 JJF 1022 代码；"
            "所有按专业项目匹配的规则都读此表。"
        ),
    ),
    TableSpec(
        "exam_subject_pass", m.ExamSubjectPass, _("注册计量师考试科目"),
        key=("staff", "level", "subject", "exam_year"),
        columns=(
            Column("staff.institution__code", INST), Column("staff.staff_no", _("工号")), Column("level"),
            Column("subject", width=24), Column("exam_year"), Column("basis"),
        ),
    ),
    TableSpec(
        "rm_credential", m.RMCredential, _("注册相关证书"), key=("kind", "cert_no"),
        columns=(
            Column("staff.institution__code", INST), Column("staff.staff_no", _("工号")), Column("kind"),
            Column("level"), Column("cert_no", kind=Kind.CODE), Column("issued_on"), Column("valid_to"),
            Column("items", width=30), Column("issuer", width=24),
        ),
    ),
    TableSpec(
        "continuing_education", m.ContinuingEducation, _("继续教育"),
        key=("staff", "completed_on", "provider", "topic"),
        columns=(
            Column("staff.institution__code", INST), Column("staff.staff_no", _("工号")),
            Column("completed_on"), Column("hours"), Column("provider", width=24), Column("topic", width=30),
        ),
    ),
)  # fmt: skip

BY_NAME = {spec.name: spec for spec in TABLES}


def get_table(name: str) -> TableSpec:
    """The spec called ``name``; ``KeyError`` lists the known names."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"table must be one of {', '.join(BY_NAME)}, got {name!r}") from None
