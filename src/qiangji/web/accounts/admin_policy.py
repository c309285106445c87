"""The access policy and optimistic locking applied to the admin site and every ModelAdmin and inline.

The admin is for the city's staff (:func:`policy.can_use_admin`): a county reporter or leadership, signed
in, is refused every admin page (403; the index sends it to the site's home page, where a sign-in without
``?next=`` lands) except the admin's own account pages (sign out, change password).

:func:`enforce_on_site` runs when the app is ready (after every app's ``admin.py`` was imported) and
rebuilds each registered ModelAdmin on top of :class:`PolicyAdminMixin`, so no admin can be forgotten;
a test asserts it for every model, and ``tests/web/security/test_admin_matrix.py`` walks every admin
page of every model for every role.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from qiangji.web.accounts import locking, policy
from qiangji.web.registry.models import Institution


def _scoped_choices(request: HttpRequest, field: Any, kwargs: dict[str, Any]) -> None:
    """Limit a foreign key / many-to-many choice list to the rows the user may see."""
    related = field.related_model
    if related is not None and (related is Institution or policy.institution_path(related) is not None):
        base = kwargs.get("queryset") or related._default_manager.all()
        kwargs["queryset"] = policy.scope_queryset(request.user, base)


class _PolicyPermissions:
    model: type[models.Model]

    def get_queryset(self, request: HttpRequest) -> Any:
        return policy.scope_queryset(request.user, super().get_queryset(request))  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if not policy.can_use_admin(request.user) or not policy.can_view_model(request.user, self.model):
            return False
        allowed = obj is None or policy.can_view(request.user, obj)
        return allowed and self._base_allows("has_view_permission", request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may_edit(request) and self._base_allows("has_add_permission", request, *args)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if not self._may_edit(request):
            return False
        allowed = obj is None or policy.can_edit(request.user, obj)
        return allowed and self._base_allows("has_change_permission", request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if not self._may_edit(request):
            return False
        allowed = obj is None or policy.can_edit(request.user, obj)
        return allowed and self._base_allows("has_delete_permission", request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_use_admin(request.user) and policy.can_view_model(request.user, self.model)

    def _may_edit(self, request: HttpRequest) -> bool:
        return policy.can_use_admin(request.user) and policy.can_edit_model(request.user, self.model)

    def _base_allows(self, name: str, request: HttpRequest, *args: Any) -> bool:
        """An app's own admin may forbid more (read-only runs, frozen versions), never allow more.

        The base check is asked as a superuser would be, so Django's per-model permissions (which the
        roles replace) do not interfere, while rules written into the app's admin still apply.
        """
        base = getattr(super(), name)
        real = request.user
        request.user = _AsSuperuser(real)
        try:
            return bool(base(request, *args))
        finally:
            request.user = real

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        _scoped_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        _scoped_choices(request, db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class _AsSuperuser:
    """Wraps a user so ``has_perm`` is true while every other attribute is the real user's."""

    def __init__(self, user: Any) -> None:
        self._user = user

    def __getattr__(self, name: str) -> Any:
        return getattr(self._user, name)

    def has_perm(self, *_: Any, **__: Any) -> bool:
        return True

    def has_perms(self, *_: Any, **__: Any) -> bool:
        return True


class PolicyInlineMixin(_PolicyPermissions):
    pass


class PolicyAdminMixin(_PolicyPermissions):
    """Role and institution scoping, and a version check on every change form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form = locking.versioned(self.form)  # type: ignore[has-type]

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        fields = [f for f in super().get_fields(request, obj) if f != locking.VERSION_FIELD]  # type: ignore[misc]
        return fields

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        first_name, first_opts = fieldsets[0]
        fields = [*first_opts["fields"], locking.VERSION_FIELD]
        return [(first_name, {**first_opts, "fields": fields}), *fieldsets[1:]]

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        """A reporter may not move a row to another institution (or create one elsewhere)."""
        if not policy.can_edit(request.user, obj):
            raise PermissionDenied("this record belongs to another institution")
        super().save_model(request, obj, form, change)  # type: ignore[misc]


def _wrap_inlines(inlines: Any) -> list[Any]:
    return [
        cls if issubclass(cls, PolicyInlineMixin) else type(cls.__name__, (PolicyInlineMixin, cls), {})
        for cls in inlines
    ]


#: The admin's account pages every signed-in role may use (signing in is the login view's own business).
ACCOUNT_VIEWS = frozenset({"logout", "password_change", "password_change_done"})


def _url_name(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.url_name if match is not None and match.namespace == "admin" else None


def _has_permission(request: HttpRequest) -> bool:
    """The admin opens to the city's staff (the role decides, not the bare ``is_staff`` flag); its
    account pages to every role."""
    if policy.can_use_admin(request.user):
        return True
    return policy.role_of(request.user) in policy.STAFF_ROLES and _url_name(request) in ACCOUNT_VIEWS


View = Callable[..., HttpResponse]


def _closed_to_site_roles(view: View) -> View:
    """A signed-in reporter or leader gets a refusal (403, an audited denial), not the admin's login page
    asking it to sign in as someone else; the index (where a sign-in without ``?next=`` goes) sends it to
    the site's home page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if policy.role_of(request.user) in policy.STAFF_ROLES and not _has_permission(request):
            if _url_name(request) == "index":
                return HttpResponseRedirect("/")
            raise PermissionDenied("the admin is for the city's staff; your role works on the site's pages")
        return view(request, *args, **kwargs)

    return guarded


def enforce_on_site(site: admin.AdminSite = admin.site) -> None:
    site.has_permission = _has_permission  # type: ignore[method-assign]
    if not getattr(site, "_qiangji_guarded", False):
        admin_view = site.admin_view
        site.admin_view = lambda view, cacheable=False: _closed_to_site_roles(admin_view(view, cacheable))  # type: ignore[method-assign]
        site._qiangji_guarded = True  # type: ignore[attr-defined]
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if isinstance(model_admin, PolicyAdminMixin):
            continue
        attrs = {"inlines": _wrap_inlines(cls.inlines), "__module__": cls.__module__}
        site._registry[model] = type(cls.__name__, (PolicyAdminMixin, cls), attrs)(model, site)


class ViewOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A workflow object (a result, a rectification, a reported value…): the admin shows it, but it changes
    only on its own pages, through the workflow's functions and checks (deadlines, who may review, the
    four-eyes rule), never by editing its status, reviewer or owner here."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
