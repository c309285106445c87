"""The API's permission questions, answered by the accounts policy module when it is installed.

Every endpoint asks only these functions, so the API and the pages share one policy
(:mod:`qiangji.web.accounts.policy`). Without the accounts app installed, a conservative local reading
is used: a superuser is the programme admin; a user bound to an institution (the comparisons app's
membership) is its reporter; any other active staff user is a city reviewer; everybody else is public.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from qiangji.web.assessment.models import ReportedValue
from qiangji.web.registry.models import Institution


def _accounts() -> Any:
    """The accounts policy module when its app is installed, else ``None`` (local rules below)."""
    if not apps.is_installed("qiangji.web.accounts"):
        return None
    from qiangji.web.accounts import policy

    return policy


def _own_institution(user: Any) -> Institution | None:
    from qiangji.web.comparisons.access import institution_of

    return institution_of(user)


def _is_city(user: Any) -> bool:
    """Programme admin, city reviewer or leadership (sees every institution)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or (user.is_staff and _own_institution(user) is None))


def visible_institutions(user: Any) -> QuerySet[Institution]:
    policy = _accounts()
    if policy is not None:
        return policy.visible_institutions(user)
    if _is_city(user):
        return Institution.objects.all()
    own = _own_institution(user) if user.is_authenticated and user.is_active else None
    return Institution.objects.filter(pk=own.pk) if own else Institution.objects.none()


def can_report(user: Any, institution: Institution) -> bool:
    """Enter, change and submit reported values of ``institution``."""
    policy = _accounts()
    if policy is not None:  # the rule for a reported value of that institution
        return bool(policy.can_edit(user, ReportedValue(institution=institution)))
    if not user.is_authenticated or not user.is_active:
        return False
    own = _own_institution(user)
    return bool(user.is_superuser or (own is not None and own.pk == institution.pk))


def can_review(user: Any) -> bool:
    """Approve and return reported values (city reviewers and the programme admin)."""
    policy = _accounts()
    if policy is not None:
        return bool(policy.can_review(user))
    return _is_city(user) and bool(user.is_superuser or user.has_perm("assessment.change_reportedvalue"))


def is_programme_admin(user: Any) -> bool:
    """Open a period, compute, start the notice, answer objections, publish final (the programme office)."""
    policy = _accounts()
    if policy is not None:
        return bool(policy.role_of(user) == policy.ADMIN)
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def may(user: Any, step: str) -> bool:
    """May ``user`` take this workflow step (:data:`policy.STEP_ROLES`: the pages ask the same table)?

    Without the accounts app: publishing and opening a period are the programme admin's, lodging an
    objection a county reporter's or the admin's, every other step the city's."""
    policy = _accounts()
    if policy is not None:
        return bool(policy.may(user, step))
    if step in ("open_period", "publish"):
        return is_programme_admin(user)
    if step == "lodge_objection":
        return is_programme_admin(user) or is_county_reporter(user)
    return can_review(user)


def is_county_reporter(user: Any) -> bool:
    """A county institution's reporter (lodges objections for its own institution)."""
    policy = _accounts()
    if policy is not None:
        return bool(policy.role_of(user) == policy.REPORTER)
    return bool(user.is_authenticated and user.is_active and not user.is_staff and own_institution(user))


def own_institution(user: Any) -> Institution | None:
    """The institution ``user`` acts for, if any."""
    policy = _accounts()
    if policy is not None:
        return policy.institution_of(user)  # type: ignore[no-any-return]
    return _own_institution(user) if user.is_authenticated else None


def sees_unpublished(user: Any) -> bool:
    """The city side (programme office, reviewers, leadership): draft publications, every comparison round;
    the public sees final and notice-period (公示) publications."""
    policy = _accounts()
    if policy is not None:
        return bool(policy.reads_all(user))
    return _is_city(user)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
