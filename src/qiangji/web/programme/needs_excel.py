"""Excel upload of an institution's training needs (all-or-nothing; errors name the row and column).

Columns (Chinese headers): 主题代码, 计量专业, 人数, 期望方式 (线上/线下/均可), 优先级 (高/中/低), 备注.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _

from qiangji.web.accounts.audit import record_bulk
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.programme.models import TrainingNeed, TrainingTopic
from qiangji.web.registry.models import Institution
from qiangji.web.uploads import UploadRejected, check_xlsx

COLUMNS = ("主题代码", "计量专业", "人数", "期望方式", "优先级", "备注")
MODES = {"线上": "online", "线下": "offline", "均可": "either"}
PRIORITIES = {"高": 1, "中": 2, "低": 3}
MAX_ERRORS_SHOWN = 100  # each error becomes a message on the next page: garbage must not flood it


def import_needs(file: IO[bytes] | str, inst: Institution, year: int, day: dt.date) -> tuple[int, list[str]]:
    """Replace ``inst``'s needs for ``year`` by the rows of the file; returns (rows stored, errors)."""
    try:
        check_xlsx(Path(file).read_bytes(), file) if isinstance(file, str) else check_xlsx(file)
    except UploadRejected as exc:
        return 0, [str(exc)]
    try:
        frame = pd.read_excel(file, engine="calamine", dtype=str).fillna("")
    except (ValueError, OSError) as exc:
        return 0, [_("无法读取文件：%(error)s") % {"error": exc}]
    missing = [c for c in COLUMNS[:5] if c not in frame.columns]
    if missing:
        return 0, [_("缺少列：%(columns)s") % {"columns": "、".join(missing)}]
    topics = {t.code: t for t in TrainingTopic.objects.all()}
    needs, errors = [], []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        need, errs = _row(row, i, topics, inst, year, day)
        errors += errs
        if need is not None:
            needs.append(need)
    if len(errors) > MAX_ERRORS_SHOWN:
        more = len(errors) - MAX_ERRORS_SHOWN
        errors = [*errors[:MAX_ERRORS_SHOWN], _("……另有 %(n)s 处错误未列出") % {"n": more}]
    if errors:
        return 0, errors
    with transaction.atomic():
        TrainingNeed.objects.filter(institution=inst, year=year).delete()
        record_bulk(AuditEvent.Action.CREATE, TrainingNeed.objects.bulk_create(needs))  # no signals in bulk
    return len(needs), []


def _row(
    row: Mapping[Any, Any],
    i: int,
    topics: dict[str, TrainingTopic],
    inst: Institution,
    year: int,
    day: dt.date,
) -> tuple[TrainingNeed | None, list[str]]:
    errs = []
    code = str(row["主题代码"]).strip()
    if code not in topics:
        errs.append(
            _("第%(row)s行“%(column)s”：未知主题 %(value)r") % {"row": i, "column": "主题代码", "value": code}
        )
    count = str(row["人数"]).strip()
    if not count.isdigit() or int(count) < 1:
        errs.append(
            _("第%(row)s行“%(column)s”：须为正整数，实为 %(value)r")
            % {"row": i, "column": "人数", "value": count}
        )
    mode, prio = str(row["期望方式"]).strip(), str(row["优先级"]).strip()
    if mode not in MODES:
        errs.append(
            _("第%(row)s行“%(column)s”：须为线上/线下/均可，实为 %(value)r")
            % {"row": i, "column": "期望方式", "value": mode}
        )
    if prio not in PRIORITIES:
        errs.append(
            _("第%(row)s行“%(column)s”：须为高/中/低，实为 %(value)r")
            % {"row": i, "column": "优先级", "value": prio}
        )
    if errs:
        return None, errs
    need = TrainingNeed(
        institution=inst, year=year, topic=topics[code], discipline=str(row["计量专业"]).strip()[:2],
        headcount=int(count), preferred_mode=MODES[mode], priority=PRIORITIES[prio],
        submitted_on=day, note=str(row.get("备注", "")).strip()[:200],
    )  # fmt: skip
    return need, []
