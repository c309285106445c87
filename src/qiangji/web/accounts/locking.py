"""Optimistic locking: an edit based on a stale copy of a row is refused, the other person's change kept.

The version token is a fingerprint of the stored row (every concrete field, ``updated_at`` included), so
every model has one without a schema change. A form carries the token it was rendered with; on save the
row is locked (``SELECT … FOR UPDATE`` on PostgreSQL, the database write lock on SQLite) and its current
token compared, so of two concurrent edits of the same version exactly one wins.

Example (API)::

    with transaction.atomic():
        check_version(report, payload.version)   # raises EditConflict if someone saved in between
        report.value = payload.value
        report.save()
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

VERSION_FIELD = "_version"
CONFLICT_MESSAGE = _(
    "保存被拒绝：在您编辑期间，%(who)s已修改了这条记录。对方的修改已保留；请重新打开记录，核对后再修改。"
)


class EditConflict(ValidationError):
    """The row changed since the submitted version was read (HTTP 409 in the API)."""

    def __init__(self, obj: models.Model) -> None:
        who = _("其他用户")
        super().__init__(CONFLICT_MESSAGE % {"who": who}, code="conflict")
        self.obj = obj


def row_token(model: type[models.Model], pk: Any) -> str | None:
    """The fingerprint of the stored row, or None if it no longer exists."""
    names = [f.attname for f in model._meta.concrete_fields]
    row = model._base_manager.filter(pk=pk).values_list(*names).first()
    if row is None:
        return None
    text = json.dumps(list(row), cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def version_token(obj: models.Model) -> str:
    """The token to hand out with ``obj`` (forms: hidden field; API: ``version`` member)."""
    return row_token(type(obj), obj.pk) or "" if obj.pk is not None else ""


def lock_row(obj: models.Model) -> None:
    """Hold the row until the surrounding transaction ends (call inside ``transaction.atomic``)."""
    model = type(obj)
    using = router.db_for_write(model)
    qs = model._base_manager.using(using).filter(pk=obj.pk)
    if connections[using].vendor == "sqlite":
        qs.update(**{model._meta.pk.attname: F(model._meta.pk.attname)})  # takes SQLite's write lock
    else:
        list(qs.select_for_update().values_list("pk"))


def check_version(obj: models.Model, submitted: str | None) -> None:
    """Lock ``obj``'s row and raise :class:`EditConflict` unless its stored token equals ``submitted``.

    A missing token is itself a conflict for an existing row: a client must say which version it edited.
    """
    if obj.pk is None or obj._state.adding:
        return
    if not transaction.get_connection(router.db_for_write(type(obj))).in_atomic_block:
        raise RuntimeError("check_version must run inside transaction.atomic()")
    lock_row(obj)
    if not submitted or row_token(type(obj), obj.pk) != submitted:
        raise EditConflict(obj)


def version_field() -> forms.CharField:
    return forms.CharField(widget=forms.HiddenInput, required=False)


class VersionedFormMixin:
    """A ModelForm mixin: the hidden version field is checked under a row lock when the form is cleaned,
    and again when :meth:`save` commits (the admin saves inside the transaction that holds the lock)."""

    instance: models.Model
    data: Any
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if VERSION_FIELD in self.fields and self._is_edit():
            self.fields[VERSION_FIELD].initial = version_token(self.instance)

    def _is_edit(self) -> bool:
        return self.instance.pk is not None and not self.instance._state.adding

    def _submitted(self) -> str | None:
        return self.data.get(self.add_prefix(VERSION_FIELD))  # type: ignore[attr-defined,no-any-return]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        if self._is_edit():
            with transaction.atomic(using=router.db_for_write(type(self.instance))):
                try:
                    check_version(self.instance, self._submitted())
                except EditConflict as exc:
                    # one message, not a list: a list of messages would drop the `conflict` code
                    raise ValidationError(exc.messages[0], code="conflict") from None
        return cleaned

    def save(self, commit: bool = True) -> Any:
        if not commit or not self._is_edit():
            return super().save(commit=commit)  # type: ignore[misc]
        with transaction.atomic(using=router.db_for_write(type(self.instance))):
            check_version(self.instance, self._submitted())
            return super().save(commit=commit)  # type: ignore[misc]


class VersionedModelForm(VersionedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """Base for page forms that edit a stored row."""

    _version = version_field()


def versioned(form_class: type[forms.BaseModelForm]) -> type[forms.BaseModelForm]:  # type: ignore[type-arg]
    """``form_class`` with optimistic locking (used for every admin form)."""
    if issubclass(form_class, VersionedFormMixin):
        return form_class
    attrs = {VERSION_FIELD: version_field(), "__module__": form_class.__module__}
    return type(f"Versioned{form_class.__name__}", (VersionedFormMixin, form_class), attrs)
