"""Giving a user a role (admin pages, commands, tests all go through here)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from qiangji.web.accounts import policy
from qiangji.web.accounts.models import Profile
from qiangji.web.registry.models import Institution


def assign_role(user: Any, role: str, institution: Institution | None = None) -> Profile:
    """Set ``user``'s one role (and institution).

    Every role signs in on the admin's login page, but only the city's staff use the admin itself (it asks
    the role, :func:`policy.can_use_admin`, not ``is_staff``). The flag is kept equal to "city staff"
    (programme admin, reviewer) because pages written before the roles (``staff_member_required``) read it
    that way; a county reporter must never pass such a check.
    """
    if role not in policy.STAFF_ROLES:
        raise ValidationError(f"`role` must be one of {sorted(policy.STAFF_ROLES)}, got {role!r}")
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    profile.role, profile.institution = role, institution
    profile.full_clean()
    profile.save()
    city = role in policy.CITY_ROLES
    if user.is_staff != city:
        user.is_staff = city
        user.save(update_fields=["is_staff"])
    user._qiangji_profile = profile
    return profile
