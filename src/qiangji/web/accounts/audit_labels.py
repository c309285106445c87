"""What the audit trail page shows for the codes an event stores: the app's, the data type's and each
changed field's name in the request's language (``actor_id`` → 用户编号, ``reportedvalue`` → 填报数据), and
the source's. The event keeps its codes (the filters and the exports use them); a code whose model or
field no longer exists is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

SOURCES = {"web": _("网页"), "api": _("接口"), "cli": _("命令行"), "system": _("系统")}


def app_label(label: str) -> str:
    try:
        return str(apps.get_app_config(label).verbose_name)
    except LookupError:
        return label


@lru_cache(maxsize=512)
def _model(label: str, name: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label, name)
    except (LookupError, ValueError):
        return None


def model_label(label: str, name: str) -> str:
    """The data type's name, ``app.model`` when it is unknown."""
    model = _model(label, name) if label and name else None
    if model is None:
        return f"{label}.{name}" if name else label
    return str(model._meta.verbose_name)


def field_label(label: str, name: str, field: str) -> str:
    """A field's verbose name, looked up by name or by column attribute (``actor_id``, ``period_id``)."""
    model = _model(label, name) if label and name else None
    if model is None:
        return field
    for f in model._meta.get_fields():
        if f.name == field or getattr(f, "attname", None) == field:
            verbose = getattr(f, "verbose_name", None)
            return str(verbose) if verbose else field
    return field


def field_labels(label: str, name: str, fields: Iterable[str]) -> list[str]:
    return [field_label(label, name, str(f)) for f in fields]


def source_label(source: str) -> str:
    return str(SOURCES.get(source, source))
