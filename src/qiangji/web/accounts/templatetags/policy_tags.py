"""Template filters asking the access policy, so pages show only the links a role can use.

``{% load policy_tags %}{% if user|is_city %}…{% endif %}``; ``user|may:"lock"`` (a workflow step of
:data:`policy.STEP_ROLES`); ``user|reads_all``, ``user|reads_audit``,
``user|uses_admin``, ``user|uploads_reports``
and ``user|own_institution`` (a reporter's institution, else ``None``).
"""

from __future__ import annotations

from typing import Any

from django import template

from qiangji.web.accounts import policy
from qiangji.web.registry.models import Institution

register = template.Library()


@register.filter
def role(user: Any) -> str:
    return policy.role_of(user)


@register.filter
def own_institution(user: Any) -> Institution | None:
    return policy.institution_of(user) if policy.role_of(user) == policy.REPORTER else None


@register.filter
def is_city(user: Any) -> bool:
    return policy.is_city(user)


@register.filter
def may(user: Any, step: str) -> bool:
    return policy.may(user, step)


@register.filter
def reads_all(user: Any) -> bool:
    return policy.reads_all(user)


@register.filter
def reads_audit(user: Any) -> bool:
    from qiangji.web.accounts.models import AuditEvent

    return policy.can_view_model(user, AuditEvent)


@register.filter
def uses_admin(user: Any) -> bool:
    return policy.can_use_admin(user)


@register.filter
def uploads_reports(user: Any) -> bool:
    return policy.role_of(user) in policy.REPORT_UPLOAD_ROLES
