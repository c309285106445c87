"""The audit trail: every create, update, delete and M2M change of the platform's data, generically.

Signals take a snapshot of the stored row before a save or delete (``pre_save``/``pre_delete``) and write
one :class:`AuditEvent` afterwards, with the actor from :mod:`qiangji.web.accounts.context`, inside the
same transaction: an import that rolls back leaves no event behind. Saves that change nothing write
nothing; fixture loads (``raw``) are left to the command that loads them. Passwords are never stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth import signals as auth_signals
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import signals

from qiangji.web.accounts.context import Actor, client_ip, current
from qiangji.web.accounts.models import AuditEvent

AUDITED_APPS = frozenset(
    {
        "registry",
        "assessment",
        "publication",
        "comparisons",
        "programme",
        "steering",
        "excel",
        "accounts",
        "auth",
        "api",
        "inbox",
    }
)
NOT_AUDITED = frozenset({"accounts.auditevent", "accounts.loginfailure"})
SECRET_FIELDS = frozenset({"password", "token_hash", "key", "digest"})  # digest: api.ApiToken's
IGNORED_FIELDS = frozenset({"last_login", "updated_at"})  # bookkeeping, not a change of content


def is_audited(model: type[models.Model]) -> bool:
    meta = model._meta
    return meta.app_label in AUDITED_APPS and meta.label_lower not in NOT_AUDITED and not meta.proxy


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The row's concrete field values as JSON-safe data (files by name, secrets by a marker)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.name in SECRET_FIELDS:  # a fingerprint of the stored (already hashed) secret: shows a change
            value = "***" + hashlib.sha256(str(value).encode()).hexdigest()[:12] if value else ""
        elif isinstance(value, bytes | memoryview):
            value = "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
        elif isinstance(field, models.FileField):
            value = value.name if value else ""
        data[field.attname] = value
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))
    return result


def _stored(obj: models.Model) -> dict[str, Any] | None:
    if obj.pk is None or obj._state.adding:
        return None
    old = type(obj)._base_manager.filter(pk=obj.pk).first()
    return snapshot(old) if old is not None else None


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    keys = set(before or {}) | set(after or {})
    return sorted(k for k in keys if (before or {}).get(k) != (after or {}).get(k))


def record(action: object, obj: models.Model | None = None, **fields: Any) -> AuditEvent:
    """Write one event for ``obj`` (or none: logins, exports) by the current actor; ``fields`` override."""
    actor: Actor = current()
    values: dict[str, Any] = {
        "source": actor.source,
        "ip": actor.ip,
        "request_id": actor.request_id,
        "actor_id": actor.user_id,
        "actor": actor.username,
    }
    if obj is not None:
        values.update(
            app_label=obj._meta.app_label,
            model=obj._meta.model_name,
            object_id=str(obj.pk),
            object_repr=_repr(obj),
        )
    values.update(fields)
    return AuditEvent.objects.create(action=str(action), **values)


def record_bulk(
    action: object, objs: Iterable[models.Model], before: dict[Any, dict[str, Any]] | None = None
) -> list[AuditEvent]:
    """Events for rows written by ``bulk_create``/``bulk_update``/``QuerySet.update`` (no signals fire).

    ``before`` maps pk → :func:`snapshot` taken before an update; creates need none. One INSERT in all.
    """
    actor, before = current(), before or {}
    events = []
    for obj in objs:
        old, new = before.get(obj.pk), snapshot(obj)
        changed = [f for f in changed_fields(old, new) if f not in IGNORED_FIELDS]
        if str(action) == AuditEvent.Action.UPDATE and not changed:
            continue
        events.append(
            AuditEvent(
                action=str(action),
                app_label=obj._meta.app_label,
                model=obj._meta.model_name,
                object_id=str(obj.pk),
                object_repr=_repr(obj),
                actor_id=actor.user_id,
                actor=actor.username,
                source=actor.source,
                ip=actor.ip,
                request_id=actor.request_id,
                before=old,
                after=new,
                changed=changed,
            )
        )
    return AuditEvent.objects.bulk_create(events, batch_size=500)


def _repr(obj: models.Model) -> str:
    try:
        return str(obj)[:200]
    except Exception:  # a broken __str__ must never block the save being audited
        return f"{obj._meta.label} #{obj.pk}"


def _pre_save(sender: type[models.Model], instance: models.Model, raw: bool, **_: Any) -> None:
    if not raw and is_audited(sender):
        instance._audit_before = _stored(instance)  # type: ignore[attr-defined]


def _post_save(
    sender: type[models.Model], instance: models.Model, created: bool, raw: bool, **_: Any
) -> None:
    if raw or not is_audited(sender):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    changed = [f for f in changed_fields(before, after) if f not in IGNORED_FIELDS]
    if not created and before is not None and not changed:
        return
    action = AuditEvent.Action.CREATE if created or before is None else AuditEvent.Action.UPDATE
    record(action, instance, before=before, after=after, changed=changed)


def _pre_delete(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    if is_audited(sender):
        instance._audit_before = snapshot(instance)  # type: ignore[attr-defined]


def _post_delete(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    if is_audited(sender):
        before = getattr(instance, "_audit_before", None) or snapshot(instance)
        record(AuditEvent.Action.DELETE, instance, before=before, after=None, changed=sorted(before))


def _m2m_changed(
    sender: Any, instance: models.Model, action: str, reverse: bool, model: Any, pk_set: Any, **_: Any
) -> None:
    if not is_audited(type(instance)) or action not in {"pre_clear", "post_add", "post_remove", "post_clear"}:
        return
    field = _m2m_field_name(sender, type(instance), model, reverse)
    if action == "pre_clear":
        manager = getattr(instance, field)
        instance._audit_m2m_cleared = sorted(manager.values_list("pk", flat=True))  # type: ignore[attr-defined]
        return
    pks = sorted(pk_set or []) if action != "post_clear" else getattr(instance, "_audit_m2m_cleared", [])
    if not pks:
        return
    kind = action.removeprefix("post_")
    record(
        AuditEvent.Action.M2M,
        instance,
        changed=[field],
        before={field: pks} if kind in {"remove", "clear"} else None,
        after={field: pks} if kind == "add" else None,
    )


def _m2m_field_name(through: Any, owner: type[models.Model], other: Any, reverse: bool) -> str:
    """The attribute name of the relation on ``owner`` (forward field or reverse accessor)."""
    if not reverse:
        for f in owner._meta.many_to_many:
            if f.remote_field.through is through:
                return str(f.name)
    for rel in owner._meta.related_objects:
        if rel.many_to_many and rel.through is through:
            return str(rel.get_accessor_name())
    return str(through._meta.model_name)


def _login(sender: Any, request: Any, user: Any, **_: Any) -> None:
    record(AuditEvent.Action.LOGIN, actor_id=user.pk, actor=user.get_username(), **_request_bits(request))


def _logout(sender: Any, request: Any, user: Any, **_: Any) -> None:
    if user is not None:
        record(
            AuditEvent.Action.LOGOUT, actor_id=user.pk, actor=user.get_username(), **_request_bits(request)
        )


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    record(AuditEvent.Action.LOGIN_FAILED, actor_id=None, actor=username, **_request_bits(request))


def _request_bits(request: Any) -> dict[str, Any]:
    """Login signals may fire before the request context exists (e.g. in tests' ``client.login``)."""
    return {"ip": client_ip(request)} if request is not None else {}


HANDLERS = (
    (signals.pre_save, _pre_save),
    (signals.post_save, _post_save),
    (signals.pre_delete, _pre_delete),
    (signals.post_delete, _post_delete),
)


def connect() -> None:
    """Listen to the audited models only, so the others keep Django's fast (signal-free) deletes."""
    for model in apps.get_models():
        if is_audited(model):
            for signal, handler in HANDLERS:
                signal.connect(handler, sender=model, dispatch_uid=f"qiangji_audit_{handler.__name__}")
    signals.m2m_changed.connect(_m2m_changed, dispatch_uid="qiangji_audit_m2m")
    auth_signals.user_logged_in.connect(_login, dispatch_uid="qiangji_audit_login")
    auth_signals.user_logged_out.connect(_logout, dispatch_uid="qiangji_audit_logout")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="qiangji_audit_login_failed")
