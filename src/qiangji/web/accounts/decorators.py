"""View decorators and a mixin that apply :mod:`qiangji.web.accounts.policy` to pages and downloads."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse

from qiangji.web.accounts import policy

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Anonymous users go to the login page; signed-in users without one of ``roles`` get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if policy.role_of(request.user) not in roles:
                raise PermissionDenied("your role may not open this page")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def step_required(step: str) -> Callable[[View], View]:
    """The roles that take a workflow step (:data:`policy.STEP_ROLES`), the one rule pages and API share."""
    return role_required(*sorted(policy.STEP_ROLES[step]))


#: Any signed-in role (pages then scope their rows with :func:`policy.scope_queryset`).
staff_required = role_required(*policy.STAFF_ROLES)
#: The programme admin and city reviewers/inspectors.
city_required = role_required(*policy.CITY_ROLES)


def ensure_can_view(user: Any, obj: models.Model) -> None:
    if not policy.can_view(user, obj):
        raise PermissionDenied("this record belongs to another institution or is not visible to your role")


def ensure_can_edit(user: Any, obj: models.Model) -> None:
    if not policy.can_edit(user, obj):
        raise PermissionDenied("your role may not change this record")


class PolicyMixin:
    """For class-based views: login and a role required, object and queryset scoped."""

    roles: frozenset[str] = policy.STAFF_ROLES
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if policy.role_of(request.user) not in self.roles:
            raise PermissionDenied("your role may not open this page")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_queryset(self) -> Any:
        return policy.scope_queryset(self.request.user, super().get_queryset())  # type: ignore[misc]
