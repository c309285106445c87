"""Writes the generated demo data set into the configured database, once (idempotent), in one transaction.

The catalogue comes from the registry's own CSV loader. Divisions and institutions are matched by code;
the rest is written only when none of the demo institutions has staff yet, so a second ``load_demo()``
adds nothing, and a database filled by an earlier, smaller demo is completed rather than duplicated.
Every table is written with ``bulk_create``; links are resolved through natural keys read back after
each insert, which works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from qiangji.demo.accounts import DEMO_ADMIN, ensure_accounts, ensure_admin
from qiangji.demo.generate import CatalogueEntry, DemoData, generate
from qiangji.demo.generate.institutions import institutions
from qiangji.demo.generate.records import StandardRec

BATCH = 1000


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    admin_username: str = DEMO_ADMIN[0]
    admin_password: str = DEMO_ADMIN[1]
    seconds: float = 0.0

    def summary(self) -> str:
        if not any(self.created.values()):
            return "演示数据已存在，未重复加载 / demo data already loaded, nothing added"
        parts = ", ".join(f"{k}: {v}" for k, v in self.created.items() if v)
        return f"已加载演示数据 / demo data loaded in {self.seconds:.1f} s ({parts})"


def load_demo() -> LoadReport:
    """Load the demo data set unless it is there already; create the demo admin if missing."""
    started = time.perf_counter()
    report = LoadReport()
    with transaction.atomic():
        _load(report)
        if ensure_admin():
            report.created["admin"] = 1
        report.created["accounts"] = ensure_accounts()
    report.seconds = time.perf_counter() - started
    return report


def _load(report: LoadReport) -> None:
    from qiangji.web.registry.catalogue import load_catalogue
    from qiangji.web.registry.models import Institution, MVCatalogueItem, Staff

    result = load_catalogue()
    report.created["catalogue"] = result.created
    codes = [i.code for i in institutions()]
    if Staff.objects.filter(institution__code__in=codes).exists():
        return  # loaded before: nothing to add
    rows = MVCatalogueItem.objects.current().mandatory().order_by("level1_no", "level2_no")
    data = generate([_entry(r) for r in rows])
    _institutions(data, report)
    ids = dict(Institution.objects.filter(code__in=codes).values_list("code", "id"))
    _history(data, ids, report)
    staff = _staff(data, ids, report)
    regulations = _regulations(data, report)
    standards = _standards(data, ids, staff, regulations, report)
    items = _mv_items(data, ids, report)
    _certificates(data, ids, staff, regulations, standards, items, report)
    _activity(data, ids, report)
    _analyse()


def _analyse() -> None:
    """PostgreSQL: statistics of the freshly loaded tables before anything queries them. The demo's
    publication computes right after the load; on the statistics of the tables before it (or of an
    earlier load rolled back, in the tests) the planner nests loops in the certificate audit and one query
    of a period runs for many minutes. SQLite plans without statistics."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _entry(row: Any) -> CatalogueEntry:
    return CatalogueEntry(row.level1_no, row.level1_name, row.level2_no, row.level2_name, row.mv_form)


def _bulk(model: type[models.Model], objects: Sequence[models.Model], report: LoadReport, name: str) -> None:
    model.objects.bulk_create(objects, batch_size=BATCH)  # type: ignore[attr-defined]
    report.created[name] = report.created.get(name, 0) + len(objects)


def _institutions(data: DemoData, report: LoadReport) -> None:
    from qiangji.web.registry.models import Division, Institution

    have = set(Division.objects.values_list("code", flat=True))
    new = [
        Division(
            code=d.code,
            name=d.name,
            name_en=d.name_en,
            kind=d.kind,
            block_industries=list(d.block_industries),
        )
        for d in data.divisions
        if d.code not in have
    ]
    _bulk(Division, new, report, "divisions")
    have = set(Institution.objects.values_list("code", flat=True))
    fresh = [i for i in data.institutions if i.code not in have]
    objects = [
        Institution(
            code=i.code,
            name=i.name,
            level=i.level,
            legal_type=i.legal_type,
            is_ranked=i.is_ranked,
            authorisation_cert_no=i.authorisation_cert_no,
            established_on=i.established_on,
            dissolved_on=i.dissolved_on,
            address=i.address,
        )
        for i in fresh
    ]
    _bulk(Institution, objects, report, "institutions")
    divisions = dict(Division.objects.values_list("code", "id"))
    ids = dict(Institution.objects.filter(code__in=[i.code for i in fresh]).values_list("code", "id"))
    through = Institution.divisions.through
    links = [
        through(institution_id=ids[i.code], division_id=divisions[d]) for i in fresh for d in i.divisions
    ]
    through.objects.bulk_create(links, batch_size=BATCH)


def _history(data: DemoData, ids: dict[str, int], report: LoadReport) -> None:
    from qiangji.web.registry.models import InstitutionGrade, InstitutionName, InstitutionSuccession

    _bulk(
        InstitutionName,
        [
            InstitutionName(
                institution_id=ids[n.institution],
                name=n.name,
                valid_from=n.valid_from,
                valid_until=n.valid_until,
                source_document=n.source_document,
            )
            for n in data.names
        ],
        report,
        "names",
    )
    grades = [
        InstitutionGrade(
            institution_id=ids[g.institution],
            grade=g.grade,
            effective_from=g.effective_from,
            source_document=g.source_document,
        )
        for g in data.grades
    ]
    _bulk(InstitutionGrade, grades, report, "grades")
    successions = [
        InstitutionSuccession(
            predecessor_id=ids[s.predecessor],
            successor_id=ids[s.successor],
            kind=s.kind,
            effective_on=s.effective_on,
            source_document=s.source_document,
        )
        for s in data.successions
    ]
    _bulk(InstitutionSuccession, successions, report, "successions")


def _staff(data: DemoData, ids: dict[str, int], report: LoadReport) -> dict[tuple[str, str], int]:
    from qiangji.web.registry.models import RMRegistration, Staff

    people = [
        Staff(
            institution_id=ids[p.institution],
            staff_no=p.staff_no,
            name=p.name,
            gender=p.gender,
            birth_year=p.birth_year,
            education=p.education,
            title=p.title,
            is_technical=p.is_technical,
            is_verification=p.is_verification,
            is_authorised_signatory=p.is_authorised_signatory,
            hired_on=p.hired_on,
            left_on=p.left_on,
        )
        for p in data.staff
    ]
    _bulk(Staff, people, report, "staff")
    codes = {v: k for k, v in ids.items()}
    rows = Staff.objects.filter(institution_id__in=ids.values()).values_list(
        "institution_id", "staff_no", "id"
    )
    staff = {(codes[inst], no): pk for inst, no, pk in rows}
    regs = [
        RMRegistration(
            staff_id=staff[r.staff],
            level=r.level,
            qualification_cert_no=r.qualification_cert_no,
            registration_no=r.registration_no,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            professional_items=list(r.professional_items),
            authority=r.authority,
        )
        for r in data.registrations
    ]
    _bulk(RMRegistration, regs, report, "registrations")
    return staff


def _regulations(data: DemoData, report: LoadReport) -> dict[str, int]:
    """Editions by code; an edition already in the register (same code) is reused, not duplicated."""
    from qiangji.web.registry.models import Regulation, parse_regulation_code

    have = set(Regulation.objects.values_list("code", flat=True))
    objects = []
    for r in data.regulations:
        if r.code in have:
            continue
        kind, number, year = parse_regulation_code(r.code)  # bulk_create skips save(), which sets these
        objects.append(
            Regulation(
                code=r.code,
                kind=kind,
                number=number,
                year=year,
                title=r.title,
                effective_from=r.effective_from,
                superseded_on=r.superseded_on,
                max_interval_months=r.max_interval_months,
                temperature_min_c=r.temperature_min_c,
                temperature_max_c=r.temperature_max_c,
                humidity_max_pct=r.humidity_max_pct,
            )
        )
    _bulk(Regulation, objects, report, "regulations")
    codes = [r.code for r in data.regulations]
    ids = dict(Regulation.objects.filter(code__in=codes).values_list("code", "id"))
    links = {r.code: r.superseded_by for r in data.regulations if r.superseded_by}
    fresh = list(Regulation.objects.filter(code__in=[o.code for o in objects if o.code in links]))
    for regulation in fresh:
        regulation.superseded_by_id = ids[links[regulation.code]]
    Regulation.objects.bulk_update(fresh, ["superseded_by"], batch_size=BATCH)
    return ids


def _standards(
    data: DemoData,
    ids: dict[str, int],
    staff: dict[tuple[str, str], int],
    regulations: dict[str, int],
    report: LoadReport,
) -> dict[str, int]:
    """Standards by generator key (resolved through their current assessment certificate number)."""
    from qiangji.web.registry.models import MeasurementStandard, PreviousAssessment

    _bulk(MeasurementStandard, [_standard(s, ids) for s in data.standards], report, "standards")
    by_cert = dict(
        MeasurementStandard.objects.filter(institution_id__in=ids.values()).values_list(
            "assessment_cert_no", "id"
        )
    )
    keys = {s.key: by_cert[s.current.cert_no] for s in data.standards}
    previous = [
        PreviousAssessment(
            standard_id=keys[s.key], cert_no=a.cert_no, issued_on=a.issued_on, expires_on=a.expires_on
        )
        for s in data.standards
        for a in s.assessments[:-1]
    ]
    _bulk(PreviousAssessment, previous, report, "previous_assessments")
    regs = MeasurementStandard.regulations.through
    _through(
        regs,
        [
            regs(measurementstandard_id=keys[s.key], regulation_id=regulations[c])
            for s in data.standards
            for c in s.regulations
        ],
    )
    team = MeasurementStandard.responsible_staff.through
    _through(
        team,
        [
            team(measurementstandard_id=keys[s.key], staff_id=staff[(s.institution, no)])
            for s in data.standards
            for no in s.staff
        ],
    )
    _instruments(data.standards, keys, report)
    return keys


def _standard(s: StandardRec, ids: dict[str, int]) -> Any:
    from qiangji.web.registry.models import MeasurementStandard

    return MeasurementStandard(
        institution_id=ids[s.institution],
        name=s.name,
        jjf1022_code=s.jjf1022_code,
        is_public=s.is_public,
        assessment_cert_no=s.current.cert_no,
        assessment_issued_on=s.current.issued_on,
        assessment_expires_on=s.current.expires_on,
        reexam_applied_on=s.reexam_applied_on,
        status=s.status,
        status_since=s.status_since,
        measurement_range=s.measurement_range,
        uncertainty=s.uncertainty,
    )


def _through(model: type[models.Model], rows: Iterable[models.Model]) -> None:
    model.objects.bulk_create(list(rows), batch_size=BATCH)  # type: ignore[attr-defined]


def _instruments(standards: Sequence[StandardRec], keys: dict[str, int], report: LoadReport) -> None:
    from qiangji.web.registry.models import InstrumentCertificate, StandardInstrument

    objects = [
        StandardInstrument(
            standard_id=keys[s.key],
            name=i.name,
            model=i.model,
            serial_no=i.serial_no,
            manufacturer=i.manufacturer,
            measurement_range=i.measurement_range,
            accuracy=i.accuracy,
            is_main=i.is_main,
        )
        for s in standards
        for i in s.instruments
    ]
    _bulk(StandardInstrument, objects, report, "instruments")
    rows = StandardInstrument.objects.filter(standard_id__in=keys.values()).values_list(
        "standard_id", "name", "id"
    )
    by_name = {(std, name): pk for std, name, pk in rows}
    certs = [
        InstrumentCertificate(
            instrument_id=by_name[(keys[s.key], i.name)],
            cert_no=c.cert_no,
            kind=c.kind,
            issuer=c.issuer,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
        )
        for s in standards
        for i in s.instruments
        for c in i.certificates
    ]
    _bulk(InstrumentCertificate, certs, report, "instrument_certificates")


def _mv_items(data: DemoData, ids: dict[str, int], report: LoadReport) -> dict[tuple[int, int], int]:
    from django.conf import settings

    from qiangji.web.registry.models import InstitutionMVItem, MVCatalogueItem

    version = settings.QIANGJI["CATALOGUE_VERSION"]
    rows = MVCatalogueItem.objects.filter(catalogue_version=version).values_list(
        "level1_no", "level2_no", "id"
    )
    items = {(a, b): pk for a, b, pk in rows}
    objects = [
        InstitutionMVItem(
            institution_id=ids[r.institution],
            item_id=items[r.item],
            authorised_from=r.authorised_from,
            authorised_to=r.authorised_to,
            annual_volume=r.annual_volume,
            authorisation_doc=r.authorisation_doc,
        )
        for r in data.mv_items
    ]
    _bulk(InstitutionMVItem, objects, report, "mv_items")
    return items


def _certificates(
    data: DemoData,
    ids: dict[str, int],
    staff: dict[tuple[str, str], int],
    regulations: dict[str, int],
    standards: dict[str, int],
    items: dict[tuple[int, int], int],
    report: LoadReport,
) -> None:
    from qiangji.web.registry.models import VerificationCertificate

    objects = [
        VerificationCertificate(
            institution_id=ids[c.institution],
            cert_no=c.cert_no,
            kind=c.kind,
            record_no=c.record_no,
            verified_on=c.verified_on,
            valid_until=c.valid_until,
            client=c.client,
            instrument_name=c.instrument_name,
            instrument_model=c.instrument_model,
            instrument_serial=c.instrument_serial,
            manufacturer=c.manufacturer,
            mv_item_id=items[c.item] if c.item else None,
            regulation_id=regulations[c.regulation],
            verifier_id=staff[(c.institution, c.verifier)],
            checker_id=staff[(c.institution, c.checker)],
            approver_id=staff[(c.institution, c.approver)],
            temperature_c=c.temperature_c,
            humidity_pct=c.humidity_pct,
            conclusion=c.conclusion,
            place=c.place,
        )
        for c in data.certificates
    ]
    _bulk(VerificationCertificate, objects, report, "certificates")
    codes = {v: k for k, v in ids.items()}
    rows = VerificationCertificate.objects.filter(institution_id__in=ids.values())
    pks = {(codes[i], no): pk for i, no, pk in rows.values_list("institution_id", "cert_no", "id")}
    through = VerificationCertificate.standards.through
    _through(
        through,
        [
            through(
                verificationcertificate_id=pks[(c.institution, c.cert_no)],
                measurementstandard_id=standards[k],
            )
            for c in data.certificates
            for k in c.standards
        ],
    )


def _activity(data: DemoData, ids: dict[str, int], report: LoadReport) -> None:
    _research(data, ids, report)
    _oversight(data, ids, report)


def _research(data: DemoData, ids: dict[str, int], report: LoadReport) -> None:
    from qiangji.web.registry.models import LabPlatform, ResearchOutput, ResearchProject

    _bulk(
        ResearchProject,
        [
            ResearchProject(
                institution_id=ids[p.institution],
                title=p.title,
                funding_level=p.funding_level,
                funder=p.funder,
                approved_on=p.approved_on,
                finished_on=p.finished_on,
                amount_cny=p.amount_cny,
                approval_doc=p.approval_doc,
            )
            for p in data.projects
        ],
        report,
        "projects",
    )
    projects = dict(
        ResearchProject.objects.filter(institution_id__in=ids.values()).values_list("title", "id")
    )
    _bulk(
        ResearchOutput,
        [
            ResearchOutput(
                institution_id=ids[o.institution],
                kind=o.kind,
                title=o.title,
                published_on=o.published_on,
                reference=o.reference,
                project_id=projects[o.project] if o.project else None,
            )
            for o in data.outputs
        ],
        report,
        "outputs",
    )
    _bulk(
        LabPlatform,
        [
            LabPlatform(
                institution_id=ids[x.institution],
                name=x.name,
                level=x.level,
                approved_on=x.approved_on,
                approval_doc=x.approval_doc,
            )
            for x in data.labs
        ],
        report,
        "labs",
    )


def _oversight(data: DemoData, ids: dict[str, int], report: LoadReport) -> None:
    from qiangji.web.registry.models import IndustryService, SupervisionFinding

    _bulk(
        IndustryService,
        [
            IndustryService(
                institution_id=ids[s.institution],
                year=s.year,
                quarter=s.quarter,
                enterprise=s.enterprise,
                cluster_tag=s.cluster_tag,
                service_type=s.service_type,
                certificates=s.certificates,
                revenue_cny=s.revenue_cny,
            )
            for s in data.services
        ],
        report,
        "services",
    )
    _bulk(
        SupervisionFinding,
        [
            SupervisionFinding(
                institution_id=ids[f.institution],
                source=f.source,
                found_on=f.found_on,
                sub_dimension=f.sub_dimension,
                rule=f.rule,
                severity=f.severity,
                description=f.description,
                due_on=f.due_on,
                closed_on=f.closed_on,
            )
            for f in data.findings
        ],
        report,
        "findings",
    )
