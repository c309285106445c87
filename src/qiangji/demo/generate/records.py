"""Plain records of the demo data set: what the generator builds and the loader writes.

Records refer to each other by natural keys (institution code, staff number, regulation code, assessment
certificate number, catalogue numbers), never by database ids, so the generator needs no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

StaffKey = tuple[str, str]  # (institution code, staff number)
ItemKey = tuple[int, int]  # catalogue (level1_no, level2_no)


@dataclass(frozen=True)
class CatalogueEntry:
    """What the generator needs of a mandatory-verification catalogue row."""

    level1_no: int
    level1_name: str
    level2_no: int
    level2_name: str
    mv_form: str

    @property
    def key(self) -> ItemKey:
        return (self.level1_no, self.level2_no)


@dataclass(frozen=True)
class DivisionRec:
    code: str
    name: str
    name_en: str
    kind: str
    block_industries: tuple[str, ...]


@dataclass(frozen=True)
class InstitutionRec:
    code: str
    name: str
    level: str
    legal_type: str
    divisions: tuple[str, ...]
    is_ranked: bool
    authorisation_cert_no: str
    established_on: dt.date
    dissolved_on: dt.date | None = None
    address: str = ""


@dataclass(frozen=True)
class NameRec:
    institution: str
    name: str
    valid_from: dt.date
    valid_until: dt.date | None
    source_document: str


@dataclass(frozen=True)
class GradeRec:
    institution: str
    grade: str
    effective_from: dt.date
    source_document: str


@dataclass(frozen=True)
class SuccessionRec:
    predecessor: str
    successor: str
    kind: str
    effective_on: dt.date
    source_document: str


@dataclass(frozen=True)
class StaffRec:
    institution: str
    staff_no: str
    name: str
    gender: str
    birth_year: int
    education: str
    title: str
    is_technical: bool
    is_verification: bool
    is_authorised_signatory: bool
    hired_on: dt.date
    left_on: dt.date | None

    @property
    def key(self) -> StaffKey:
        return (self.institution, self.staff_no)

    def employed_on(self, day: dt.date) -> bool:
        return self.hired_on <= day and (self.left_on is None or day <= self.left_on)


@dataclass(frozen=True)
class RegistrationRec:
    staff: StaffKey
    level: int
    qualification_cert_no: str
    registration_no: str
    valid_from: dt.date
    valid_to: dt.date
    professional_items: tuple[str, ...]
    authority: str

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class RegulationRec:
    code: str
    title: str
    effective_from: dt.date
    superseded_on: dt.date | None
    superseded_by: str | None
    max_interval_months: int | None
    temperature_min_c: Decimal
    temperature_max_c: Decimal
    humidity_max_pct: Decimal

    @property
    def base(self) -> str:
        return self.code.rsplit("-", 1)[0]

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.superseded_on is None or day < self.superseded_on)


@dataclass(frozen=True)
class Period:
    """A validity period, both ends inclusive."""

    start: dt.date
    end: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class AssessmentRec:
    cert_no: str
    issued_on: dt.date
    expires_on: dt.date


@dataclass(frozen=True)
class InstrumentCertRec:
    cert_no: str
    kind: str
    issuer: str
    valid_from: dt.date
    valid_to: dt.date


@dataclass(frozen=True)
class InstrumentRec:
    name: str
    model: str
    serial_no: str
    manufacturer: str
    measurement_range: str
    accuracy: str
    is_main: bool
    certificates: tuple[InstrumentCertRec, ...]

    def valid_on(self, day: dt.date) -> bool:
        return any(c.valid_from <= day <= c.valid_to for c in self.certificates)


@dataclass(frozen=True)
class StandardRec:
    """A measurement standard; ``assessments`` holds every certificate, the last one is the current one."""

    institution: str
    key: str  # unique across the data set; the loader stores it nowhere, it links records
    name: str
    jjf1022_code: str
    is_public: bool
    assessments: tuple[AssessmentRec, ...]
    reexam_applied_on: dt.date | None
    status: str
    status_since: dt.date | None
    measurement_range: str
    uncertainty: str
    regulations: tuple[str, ...]
    staff: tuple[str, ...]  # staff numbers of its own institution
    item: ItemKey | None
    instruments: tuple[InstrumentRec, ...]

    @property
    def current(self) -> AssessmentRec:
        return self.assessments[-1]

    def assessed_on(self, day: dt.date) -> bool:
        """Status in use on ``day`` and an assessment certificate covering it (TR-1)."""
        if self.status != "in_use" and self.status_since is not None and self.status_since <= day:
            return False
        return any(a.issued_on <= day <= a.expires_on for a in self.assessments)

    def traceable_on(self, day: dt.date) -> bool:
        """Every instrument has a certificate covering ``day`` (TR-2)."""
        return all(i.valid_on(day) for i in self.instruments)


@dataclass(frozen=True)
class MVItemRec:
    institution: str
    item: ItemKey
    authorised_from: dt.date
    authorised_to: dt.date | None
    annual_volume: int
    authorisation_doc: str

    def authorised_on(self, day: dt.date) -> bool:
        return self.authorised_from <= day and (self.authorised_to is None or day <= self.authorised_to)


@dataclass(frozen=True)
class CertificateRec:
    institution: str
    cert_no: str
    kind: str
    record_no: str
    verified_on: dt.date
    valid_until: dt.date | None
    client: str
    instrument_name: str
    instrument_model: str
    instrument_serial: str
    manufacturer: str
    item: ItemKey | None
    regulation: str
    standards: tuple[str, ...]
    verifier: str
    checker: str
    approver: str
    temperature_c: Decimal | None
    humidity_pct: Decimal | None
    conclusion: str
    place: str
    defect: str = ""  # the planted TR rule ("" = none); ground truth for tests, not stored


@dataclass(frozen=True)
class ProjectRec:
    institution: str
    title: str
    funding_level: str
    funder: str
    approved_on: dt.date
    finished_on: dt.date | None
    amount_cny: Decimal
    approval_doc: str


@dataclass(frozen=True)
class LabRec:
    institution: str
    name: str
    level: int
    approved_on: dt.date
    approval_doc: str


@dataclass(frozen=True)
class OutputRec:
    institution: str
    kind: str
    title: str
    published_on: dt.date
    reference: str
    project: str | None  # project title


@dataclass(frozen=True)
class ServiceRec:
    institution: str
    year: int
    quarter: int
    enterprise: str
    cluster_tag: str
    service_type: str
    certificates: int
    revenue_cny: Decimal


@dataclass(frozen=True)
class FindingRec:
    institution: str
    source: str
    found_on: dt.date
    sub_dimension: str
    rule: str
    severity: str
    description: str
    due_on: dt.date
    closed_on: dt.date | None


@dataclass(frozen=True)
class DemoData:
    """The whole demo data set; equal for equal seeds and catalogues."""

    seed: int
    divisions: tuple[DivisionRec, ...]
    institutions: tuple[InstitutionRec, ...]
    names: tuple[NameRec, ...]
    grades: tuple[GradeRec, ...]
    successions: tuple[SuccessionRec, ...]
    staff: tuple[StaffRec, ...]
    registrations: tuple[RegistrationRec, ...]
    regulations: tuple[RegulationRec, ...]
    standards: tuple[StandardRec, ...]
    mv_items: tuple[MVItemRec, ...]
    certificates: tuple[CertificateRec, ...]
    projects: tuple[ProjectRec, ...]
    labs: tuple[LabRec, ...]
    outputs: tuple[OutputRec, ...]
    services: tuple[ServiceRec, ...]
    findings: tuple[FindingRec, ...]
    edge_cases: dict[str, str] = field(default_factory=dict, compare=True)
