"""The `qiangji import / export / template` commands (called by qiangji.commands.web after Django setup)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from django.utils.translation import gettext as _

from qiangji.web.excel.evidence import UploadRejected, run_import
from qiangji.web.excel.report import format_problem
from qiangji.web.excel.tables import TABLES, get_table
from qiangji.web.excel.writer import write_workbook


def _specs(table: str | None) -> tuple:
    return TABLES if table is None else (get_table(table),)


def import_file(path: str, table: str | None, actor: str | None = None) -> int:
    """Print every problem; exit status 2 when anything is wrong (nothing stored), else 0 with counts."""
    if table is not None:
        _specs(table)  # unknown table: KeyError names the choices before reading anything
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        print(_("无法读取文件：%(e)s") % {"e": exc}, file=sys.stderr)
        return 2
    try:
        outcome = run_import(
            data, name=file.name, table=table, source="cli", actor=actor or getpass.getuser()
        )
    except UploadRejected as exc:
        print(str(exc), file=sys.stderr)
        return 2
    result = outcome.result
    for problem in outcome.batch.problems:  # the first 1,000 of each level, then counts by rule
        stream = sys.stderr if problem["level"] == "error" else sys.stdout
        print(format_problem(problem), file=stream)
    if not result.ok:
        print(_("导入失败：%(n)s 个错误，未保存任何数据（导入记录 #%(id)s）")
              % {"n": len(result.errors), "id": outcome.batch.pk}, file=sys.stderr)  # fmt: skip
        return 2
    for name, counts in result.counts().items():
        print(f"{name}: " + _("新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s") % counts)
    print(_("导入成功：共保存 %(n)s 行（导入记录 #%(id)s）") % {"n": result.stored(), "id": outcome.batch.pk})
    return 0


def write_file(path: str, table: str | None, *, data: bool) -> int:
    write_workbook(path, _specs(table), data=data)
    print(_("已写入 %(path)s") % {"path": path})
    return 0
