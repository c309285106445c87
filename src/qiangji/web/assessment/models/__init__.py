"""Assessment models, split by topic; import them from here."""

from qiangji.web.assessment.models.periods import (
    FrameworkVersion,
    FrameworkVersionLocked,
    Period,
    ReportingExtension,
    compile_source,
    parse_period_code,
)
from qiangji.web.assessment.models.reports import Evidence, ReportedValue, ReportLocked, ReportTransition
from qiangji.web.assessment.models.supervision import (
    DEFAULT_CHECKLIST,
    ChecklistItem,
    Rectification,
    SupervisionVisit,
)

__all__ = [
    "DEFAULT_CHECKLIST",
    "ChecklistItem",
    "Evidence",
    "FrameworkVersion",
    "FrameworkVersionLocked",
    "Period",
    "Rectification",
    "ReportLocked",
    "ReportTransition",
    "ReportedValue",
    "ReportingExtension",
    "SupervisionVisit",
    "compile_source",
    "parse_period_code",
]
