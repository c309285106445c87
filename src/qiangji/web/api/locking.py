"""Optimistic locking for API updates: a client sends back the ``version`` it read.

The version is the accounts app's row fingerprint (:mod:`qiangji.web.accounts.locking`, shared with
the forms) when that app is installed, else the row's ``updated_at`` time to the microsecond. A
mismatch is a 409 that keeps the other person's change and tells the client to read the record again.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from qiangji.web.api.errors import Conflict


def _accounts_locking() -> Any:
    if not apps.is_installed("qiangji.web.accounts"):
        return None
    from qiangji.web.accounts import locking

    return locking


def version_of(obj: Any) -> str:
    shared = _accounts_locking()
    if shared is not None:
        return str(shared.version_token(obj))
    counter = getattr(obj, "version", None)
    if isinstance(counter, int):
        return str(counter)
    stamp = getattr(obj, "updated_at", None)
    return stamp.isoformat(timespec="microseconds") if stamp is not None else ""


def check_version(obj: Any, submitted: str | None) -> None:
    """Raise a 409 error unless ``submitted`` is the stored version of ``obj`` (inside a transaction)."""
    shared = _accounts_locking()
    if shared is not None:
        try:
            shared.check_version(obj, submitted)
        except shared.EditConflict as exc:
            raise Conflict(" ".join(exc.messages)) from None
        return
    current = version_of(obj)
    if submitted is None:
        raise Conflict(_("修改已有记录须提供 `version`（当前版本 %(current)s）。") % {"current": current})
    if submitted != current:
        raise Conflict(
            _(
                "您读取之后，该记录已被他人修改（您的版本 %(submitted)s，当前版本 %(current)s）；"
                "已保留对方的修改：请重新读取后再修改。"
            )
            % {"submitted": submitted, "current": current}
        )
