from qiangji.web.steering.models.assistance import AssistanceAction
from qiangji.web.steering.models.capability import CapabilityPlan, DutyListItem, PlanAssignment, PlanTarget
from qiangji.web.steering.models.cooperation import (
    Agreement,
    Exchange,
    JointProject,
    Partner,
    ResearchApplication,
)

__all__ = [
    "Agreement",
    "AssistanceAction",
    "CapabilityPlan",
    "DutyListItem",
    "Exchange",
    "JointProject",
    "Partner",
    "PlanAssignment",
    "PlanTarget",
    "ResearchApplication",
]
