"""Who is told: the users holding a role (active accounts only), as querysets of users."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from qiangji.web.accounts.models import Role


def _users() -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True, profile__isnull=False).order_by("pk")


def reporters_of(institution: Any) -> QuerySet[Any]:
    """The county reporters bound to ``institution`` (an instance or its pk)."""
    pk = getattr(institution, "pk", institution)
    return _users().filter(profile__role=Role.REPORTER, profile__institution_id=pk)


def ranked_reporters() -> QuerySet[Any]:
    """The reporters of every institution that takes part in the ranking."""
    return _users().filter(profile__role=Role.REPORTER, profile__institution__is_ranked=True)


def every_reporter() -> QuerySet[Any]:
    return _users().filter(profile__role=Role.REPORTER)


def leadership() -> QuerySet[Any]:
    return _users().filter(profile__role=Role.LEADERSHIP)


def reporters_and_leadership() -> QuerySet[Any]:
    return _users().filter(profile__role__in=(Role.REPORTER, Role.LEADERSHIP))


def city_staff() -> QuerySet[Any]:
    """The programme office and city reviewers."""
    return _users().filter(profile__role__in=(Role.ADMIN, Role.REVIEWER))
