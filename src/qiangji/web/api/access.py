"""The API's permission questions, answered by the one access policy (:mod:`qiangji.web.accounts.policy`).

Every endpoint asks only these functions, so the API and the pages share one policy: the roles' workflow
steps are :data:`policy.STEP_ROLES`, an institution's data is its own reporters' and the city's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from qiangji.web.accounts import policy
from qiangji.web.assessment.models import ReportedValue
from qiangji.web.registry.models import Institution


def visible_institutions(user: Any) -> QuerySet[Institution]:
    return policy.visible_institutions(user)


def can_report(user: Any, institution: Institution) -> bool:
    """Enter, change and submit reported values of ``institution`` (the rule for such a value)."""
    return policy.can_edit(user, ReportedValue(institution=institution))


def can_review(user: Any) -> bool:
    """Approve and return reported values (city reviewers and the programme admin)."""
    return policy.can_review(user)


def is_programme_admin(user: Any) -> bool:
    """Open a period, compute, start the notice, answer objections, publish final (the programme office)."""
    return policy.role_of(user) == policy.ADMIN


def may(user: Any, step: str) -> bool:
    """May ``user`` take this workflow step (:data:`policy.STEP_ROLES`: the pages ask the same table)?"""
    return policy.may(user, step)


def is_county_reporter(user: Any) -> bool:
    """A county institution's reporter (lodges objections for its own institution)."""
    return policy.role_of(user) == policy.REPORTER


def own_institution(user: Any) -> Institution | None:
    """The institution ``user`` acts for, if any."""
    return policy.institution_of(user)


def sees_unpublished(user: Any) -> bool:
    """The city side (programme office, reviewers, leadership): draft publications, every comparison round;
    the public sees final and notice-period (公示) publications."""
    return policy.reads_all(user)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
