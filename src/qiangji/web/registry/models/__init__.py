"""Registry models, split by topic; import them from here."""

from qiangji.web.registry.models.catalogue import InstitutionMVItem, MVCatalogueItem
from qiangji.web.registry.models.certificates import VerificationCertificate
from qiangji.web.registry.models.institution import (
    Coverage,
    Division,
    Institution,
    InstitutionGrade,
    InstitutionName,
    InstitutionSuccession,
    StaffCounts,
    rm_coverage,
)
from qiangji.web.registry.models.oversight import IndustryService, SupervisionFinding
from qiangji.web.registry.models.people import (
    ContinuingEducation,
    ExamSubjectPass,
    ProfessionalItemMapping,
    RMCredential,
)
from qiangji.web.registry.models.proposals import RegistryProposal
from qiangji.web.registry.models.research import FundingLevel, LabPlatform, ResearchOutput, ResearchProject
from qiangji.web.registry.models.staff import RMRegistration, Staff
from qiangji.web.registry.models.standards import (
    InstrumentCertificate,
    MeasurementStandard,
    PreviousAssessment,
    Regulation,
    StandardInstrument,
    parse_regulation_code,
)

__all__ = [
    "ContinuingEducation",
    "Coverage",
    "Division",
    "ExamSubjectPass",
    "FundingLevel",
    "IndustryService",
    "Institution",
    "InstitutionGrade",
    "InstitutionMVItem",
    "InstitutionName",
    "InstitutionSuccession",
    "InstrumentCertificate",
    "LabPlatform",
    "MVCatalogueItem",
    "MeasurementStandard",
    "PreviousAssessment",
    "ProfessionalItemMapping",
    "RMCredential",
    "RMRegistration",
    "RegistryProposal",
    "Regulation",
    "ResearchOutput",
    "ResearchProject",
    "Staff",
    "StaffCounts",
    "StandardInstrument",
    "SupervisionFinding",
    "VerificationCertificate",
    "parse_regulation_code",
    "rm_coverage",
]
