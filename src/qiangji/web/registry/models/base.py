"""Shared pieces of the registry models: timestamps and the one boundary rule for validity periods.

Boundary rule used everywhere in the registry (and tested at the boundaries):

* A validity period ``[valid_from, valid_to]`` includes **both** ends. A certificate whose ``valid_to`` is
  2024-03-31 is valid on 2024-03-31 and not on 2024-04-01. An empty ``valid_to`` means open-ended.
* A *supersession* or *closure* date is the first day on which the old state no longer holds: a regulation
  with ``superseded_on`` 2024-05-15 is in force up to and including 2024-05-14; a finding with
  ``closed_on`` D is no longer open on D.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Timestamped(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


def within(day: dt.date, start: str, end: str, prefix: str = "") -> Q:
    """Q for ``start <= day <= end`` where an empty ``end`` is open-ended (both ends inclusive)."""
    return Q(**{f"{prefix}{start}__lte": day}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": day})
    )


def before_cutoff(day: dt.date, start: str, cutoff: str, prefix: str = "") -> Q:
    """Q for ``start <= day < cutoff`` where an empty ``cutoff`` never comes (cutoff exclusive)."""
    return Q(**{f"{prefix}{start}__lte": day}) & (
        Q(**{f"{prefix}{cutoff}__isnull": True}) | Q(**{f"{prefix}{cutoff}__gt": day})
    )


def ordered(first: str, second: str, *, strict: bool, name: str) -> models.CheckConstraint:
    """DB check that ``second`` (if set) is after ``first`` (strictly or not)."""
    op = "gt" if strict else "gte"
    return models.CheckConstraint(
        condition=Q(**{f"{second}__isnull": True}) | Q(**{f"{second}__{op}": models.F(first)}),
        name=name,
    )
