"""Optimistic locking for API updates: a client sends back the ``version`` it read.

The version is the accounts app's row fingerprint (:mod:`qiangji.web.accounts.locking`, shared with the
forms). A mismatch is a 409 that keeps the other person's change and tells the client to read the record
again.
"""

from __future__ import annotations

from typing import Any

from qiangji.web.accounts import locking
from qiangji.web.api.errors import Conflict


def version_of(obj: Any) -> str:
    return str(locking.version_token(obj))


def check_version(obj: Any, submitted: str | None) -> None:
    """Raise a 409 error unless ``submitted`` is the stored version of ``obj`` (inside a transaction)."""
    try:
        locking.check_version(obj, submitted)
    except locking.EditConflict as exc:
        raise Conflict(" ".join(exc.messages)) from None
