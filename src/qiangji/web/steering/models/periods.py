"""The one date rule of an assistance action, a joint project and an exchange, for their ``clean``."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _


def period_errors(started_on: dt.date | None, ended_on: dt.date | None) -> dict[str, object]:
    """``{"ended_on": message}`` when the record ends before it starts (ending on its first day is fine),
    else ``{}``; the database's ``ordered(…, strict=False)`` constraint holds the same rule, but only a
    model error names the form's field."""
    if ended_on and started_on and ended_on < started_on:
        return {"ended_on": _("结束日期不能早于开始日期。")}
    return {}
