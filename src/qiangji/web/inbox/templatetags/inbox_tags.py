"""The unread count in the header navigation."""

from __future__ import annotations

from typing import Any

from django import template

from qiangji.web.accounts import policy

register = template.Library()


@register.simple_tag
def unread_count(user: Any) -> int:
    """How many of ``user``'s notifications are unread (0 for visitors without a role)."""
    if policy.role_of(user) not in policy.STAFF_ROLES:
        return 0
    return int(user.notifications.filter(read_at__isnull=True).count())
