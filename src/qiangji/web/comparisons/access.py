"""Who may do what in a round, on top of the roles of :mod:`qiangji.web.accounts.policy`.

The pilot: the programme admin, or a city reviewer whose institution is the round's pilot institution.
A participant: a user whose institution is one of the round's participating institutions. A participant
sees only its own submissions until the pilot closes the round, and the report once it is issued.
The city side that reads everything (:data:`policy.READ_ALL_ROLES`: programme admin, city reviewers,
leadership) reads every round in every state, also one its institution neither pilots nor takes part in
(the confidentiality before closing binds participants, not the city). Reading is not piloting: a reviewer
opens, closes, evaluates or reports only the rounds its institution pilots, and leadership changes nothing
(it is never the pilot, and the accounts middleware refuses its POSTs).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from qiangji.web.accounts import policy
from qiangji.web.comparisons.models import ComparisonRound, Participant, Submission
from qiangji.web.registry.models import Institution


def institution_of(user: Any) -> Institution | None:
    return policy.institution_of(user)


def is_pilot(user: Any, rnd: ComparisonRound) -> bool:
    """The pilot's actions (open, close, evaluate, issue the report): the programme admin, or city staff of
    the pilot institution (``pilot_comparison`` in :data:`policy.STEP_ROLES`)."""
    if not policy.may(user, "pilot_comparison"):
        return False
    return policy.role_of(user) == policy.ADMIN or policy.institution_id_of(user) == rnd.pilot_id


def reads_all(user: Any) -> bool:
    """The programme admin, city reviewers and leadership read every round, submission and evaluation."""
    return policy.reads_all(user)


def can_view_institution_results(user: Any, code: str) -> bool:
    """An institution's results across rounds (En, verdicts, competition entries): the city side for every
    institution, anyone else only for its own (a reporter learns nothing of rounds it did not take part in,
    not even whether a code exists)."""
    if reads_all(user):
        return True
    inst = institution_of(user)
    return inst is not None and inst.code == code


def participant_of(user: Any, rnd: ComparisonRound) -> Participant | None:
    inst = institution_of(user)
    if inst is None:
        return None
    return rnd.participants.filter(institution=inst).first()


def submits_for(user: Any, rnd: ComparisonRound) -> Participant | None:
    """The participant whose results ``user`` may enter in ``rnd`` (``submit_comparison``), else None."""
    return participant_of(user, rnd) if policy.may(user, "submit_comparison") else None


def reveals_names(user: Any, rnd: ComparisonRound) -> bool:
    """Which institution stands behind each lab code: the pilot and the city side see the mapping; a
    participant sees only its own code (the codes exist so that participants cannot tell who is who)."""
    return is_pilot(user, rnd) or reads_all(user)


def lab_names(user: Any, rnd: ComparisonRound) -> dict[str, str]:
    """Lab code → institution name as ``user`` may see them (:func:`reveals_names`)."""
    own = participant_of(user, rnd)
    reveal = reveals_names(user, rnd)
    parts = rnd.participants.select_related("institution")
    return {p.lab_code: p.institution.name for p in parts if reveal or (own and p.pk == own.pk)}


def can_view(user: Any, rnd: ComparisonRound) -> bool:
    """The pilot and the city side (:func:`reads_all`) always; a participant once the round is published."""
    if is_pilot(user, rnd) or reads_all(user):
        return True
    return rnd.status != ComparisonRound.Status.DRAFT and participant_of(user, rnd) is not None


def visible_submissions(user: Any, rnd: ComparisonRound) -> QuerySet[Submission]:
    """All results for the pilot, or after closing; otherwise only the user's own institution's."""
    qs = Submission.objects.filter(participant__round=rnd).select_related("participant", "point")
    if (
        is_pilot(user, rnd)
        or reads_all(user)
        or (rnd.results_released and participant_of(user, rnd) is not None)
    ):
        return qs
    own = participant_of(user, rnd)
    return qs.filter(participant=own) if own else qs.none()


def can_view_report(user: Any, rnd: ComparisonRound) -> bool:
    """The pilot and the city side once evaluated (draft report); participants once the report is issued."""
    evaluated = {ComparisonRound.Status.EVALUATED, ComparisonRound.Status.REPORTED}
    if is_pilot(user, rnd) or reads_all(user):
        return rnd.status in evaluated
    return rnd.status == ComparisonRound.Status.REPORTED and participant_of(user, rnd) is not None


def can_download_protocol(user: Any, rnd: ComparisonRound) -> bool:
    """The protocol (and any file of the round): whoever the accounts policy lets read city data (admin,
    reviewers, leadership), the pilot, and the participants once the round is published (not a draft)."""
    if policy.can_view(user, rnd) or is_pilot(user, rnd):
        return True
    return rnd.status != ComparisonRound.Status.DRAFT and participant_of(user, rnd) is not None


def visible_rounds(user: Any) -> QuerySet[ComparisonRound]:
    qs = ComparisonRound.objects.select_related("pilot")
    if reads_all(user):
        return qs
    inst = institution_of(user)
    if inst is None:
        return qs.none()
    own = qs.filter(participants__institution=inst).exclude(status=ComparisonRound.Status.DRAFT)
    piloted = qs.filter(pilot=inst) if policy.is_city(user) else qs.none()
    return (own | piloted).distinct()
