"""Comparison rounds, their evaluation, corrective actions and skills competitions; import them from here."""

from qiangji.web.comparisons.models.competitions import (
    Award,
    Competition,
    CompetitionItem,
    Contestant,
    Score,
    Team,
)
from qiangji.web.comparisons.models.evaluation import CorrectiveAction, Evaluation, LabResult
from qiangji.web.comparisons.models.rounds import (
    ComparisonRound,
    MeasurementPoint,
    Participant,
    PilotCheck,
    Submission,
)

__all__ = [
    "Award",
    "ComparisonRound",
    "Competition",
    "CompetitionItem",
    "Contestant",
    "CorrectiveAction",
    "Evaluation",
    "LabResult",
    "MeasurementPoint",
    "Participant",
    "PilotCheck",
    "Score",
    "Submission",
    "Team",
]
