"""Who may do what in a round, until the accounts app brings roles.

The pilot: a superuser, or a staff user whose :class:`Membership` is the round's pilot institution.
A participant: a user whose Membership is one of the round's participating institutions. A participant
sees only its own submissions until the pilot closes the round, and the report once it is issued.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from qiangji.web.comparisons.models import ComparisonRound, Membership, Participant, Submission
from qiangji.web.registry.models import Institution


def institution_of(user: Any) -> Institution | None:
    if not user.is_authenticated:
        return None
    m = Membership.objects.filter(user=user).select_related("institution").first()
    return m.institution if m else None


def is_pilot(user: Any, rnd: ComparisonRound) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    inst = institution_of(user)
    return bool(user.is_staff and inst is not None and inst.pk == rnd.pilot_id)


def participant_of(user: Any, rnd: ComparisonRound) -> Participant | None:
    inst = institution_of(user)
    if inst is None:
        return None
    return rnd.participants.filter(institution=inst).first()


def can_view(user: Any, rnd: ComparisonRound) -> bool:
    return is_pilot(user, rnd) or participant_of(user, rnd) is not None


def visible_submissions(user: Any, rnd: ComparisonRound) -> QuerySet[Submission]:
    """All results for the pilot, or after closing; otherwise only the user's own institution's."""
    qs = Submission.objects.filter(participant__round=rnd).select_related("participant", "point")
    if is_pilot(user, rnd) or (rnd.results_released and participant_of(user, rnd) is not None):
        return qs
    own = participant_of(user, rnd)
    return qs.filter(participant=own) if own else qs.none()


def can_view_report(user: Any, rnd: ComparisonRound) -> bool:
    """The pilot once evaluated (draft report); participants once the report is issued."""
    evaluated = {ComparisonRound.Status.EVALUATED, ComparisonRound.Status.REPORTED}
    if is_pilot(user, rnd):
        return rnd.status in evaluated
    return rnd.status == ComparisonRound.Status.REPORTED and participant_of(user, rnd) is not None


def visible_rounds(user: Any) -> QuerySet[ComparisonRound]:
    qs = ComparisonRound.objects.select_related("pilot")
    if user.is_superuser:
        return qs
    inst = institution_of(user)
    if inst is None:
        return qs.none()
    own = qs.filter(participants__institution=inst).exclude(status=ComparisonRound.Status.DRAFT)
    piloted = qs.filter(pilot=inst) if user.is_staff else qs.none()
    return (own | piloted).distinct()
