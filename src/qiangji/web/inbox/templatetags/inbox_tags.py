"""The unread count in the header navigation, and the programme goals' units on the leadership's home."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import pgettext_lazy

from qiangji.web.accounts import policy

register = template.Library()


@register.simple_tag
def unread_count(user: Any) -> int:
    """How many of ``user``'s notifications are unread (0 for visitors without a role)."""
    if policy.role_of(user) not in policy.STAFF_ROLES:
        return 0
    return int(user.notifications.filter(read_at__isnull=True).count())


#: The programme goals' units (``programme.defaults``) in the request's language; another passes as it is.
GOAL_UNITS = {"家": pgettext_lazy("goal unit", "家"), "%": "%"}


@register.filter
def goal_unit(unit: str) -> str:
    """A programme goal's unit (家 → institutions)."""
    return str(GOAL_UNITS.get(unit, unit or ""))
