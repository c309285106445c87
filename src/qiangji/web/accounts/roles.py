"""Giving a user a role (admin pages, commands, tests all go through here)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from qiangji.web.accounts import policy
from qiangji.web.accounts.models import Profile
from qiangji.web.registry.models import Institution


def assign_role(user: Any, role: str, institution: Institution | None = None) -> Profile:
    """Set ``user``'s one role (and institution); every role may sign in to the (scoped) admin."""
    if role not in policy.STAFF_ROLES:
        raise ValidationError(f"`role` must be one of {sorted(policy.STAFF_ROLES)}, got {role!r}")
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    profile.role, profile.institution = role, institution
    profile.full_clean()
    profile.save()
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user._qiangji_profile = profile
    return profile
