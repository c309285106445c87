"""Computed results cached under a cheap version of the data they are computed from.

The rule: a result is stored in Django's cache under its arguments plus :func:`data_version`, a digest of

* the id of the newest audit event: every save, delete and M2M change made through the ORM writes one
  (accounts/audit.py), and
* for every table of the apps the result reads (registry, assessment, programme, comparisons, with their
  M2M link tables), the number of rows and the largest id: bulk inserts and deletes, which write no audit
  event (the demo loaders, imports), change one of these.

So any change the audit trail records, and any row added or removed, gives a new version and the old entry
is never read again (it ages out of the cache). What no version sees is what the audit trail does not see
either: a ``QuerySet.update()`` on these tables, which the code base does not use on the data the cached
results read. The version costs one query of scalar sub-selects (a few milliseconds on the demo data),
and it is read from the database on every request, so every process of a multi-process server agrees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import connection

from qiangji.web.accounts.models import AuditEvent

APPS = ("registry", "assessment", "programme", "comparisons")
TIMEOUT = 24 * 3600
T = TypeVar("T")


def _tables(labels: Iterable[str]) -> list[tuple[str, str]]:
    """(table, primary key column) of every model of the apps, M2M link tables included."""
    found: dict[str, str] = {}
    for label in labels:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if not meta.proxy and meta.managed:
                found[meta.db_table] = meta.pk.column
    return sorted(found.items())


def data_version(labels: Iterable[str] = APPS) -> str:
    """A digest that changes whenever the data of the apps change (module docstring)."""
    q = connection.ops.quote_name
    audit = AuditEvent._meta
    parts = [f"(SELECT MAX({q(audit.pk.column)}) FROM {q(audit.db_table)})"]
    for table, pk in _tables(labels):
        parts += [f"(SELECT COUNT(*) FROM {q(table)})", f"(SELECT MAX({q(pk)}) FROM {q(table)})"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))  # identifiers only: nothing from outside
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:24]


def cached(key: str, compute: Callable[[], T], labels: Iterable[str] = APPS) -> T:
    """``compute()``, or its stored result for ``key`` under the current :func:`data_version`."""
    full = f"qiangji:{key}:{data_version(labels)}"
    found: Any = cache.get(full)
    if found is None:
        found = compute()
        cache.set(full, found, TIMEOUT)
    return found  # type: ignore[no-any-return]
