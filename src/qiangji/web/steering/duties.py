"""Import of the mandatory-verification duty list (强检职责清单) with the local instrument populations.

One row per division, year and catalogue item; columns (Chinese headers, any order, on the first sheet or
in a CSV file): 区划代码, 年度, 一级序号, 二级序号, 在用器具数量, and optionally 依据文件. All-or-nothing:
every error names the row, the column, the value and the rule; with none, the lists of every (division,
year) in the file are replaced by its rows in one transaction, other lists untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

from qiangji.web.accounts.audit import record_bulk
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.excel.cells import CellError, as_code, as_int, as_text, is_blank
from qiangji.web.excel.reader import read_source
from qiangji.web.registry.models import Division, MVCatalogueItem
from qiangji.web.steering.models import DutyListItem

REQUIRED = ("区划代码", "年度", "一级序号", "二级序号", "在用器具数量")
OPTIONAL = ("依据文件",)
MAX_ERRORS = 100
HEADER_SCAN = 10


@dataclass
class DutyImport:
    stored: int = 0
    replaced: int = 0
    lists: list[tuple[str, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def import_duty_list(source: str | IO[bytes] | Any, name: str = "") -> DutyImport:
    """Read, check every row, then store all of it or nothing (see the module docstring)."""
    result = DutyImport()
    try:
        frames = read_source(source, name).frames
    except (ValueError, OSError) as exc:
        result.errors.append(f"无法读取文件：{exc}")
        return result
    if not frames:
        result.errors.append("文件中没有工作表")
        return result
    grid = next(iter(frames.values()))
    header = _header(grid)
    if header is None:
        result.errors.append(f"前 {HEADER_SCAN} 行中找不到表头：须含列 {'、'.join(REQUIRED)}")
        return result
    row_no, columns = header
    rows = _rows(grid, row_no, columns, result.errors)
    if len(result.errors) > MAX_ERRORS:
        result.errors[MAX_ERRORS:] = [f"……另有 {len(result.errors) - MAX_ERRORS} 处错误未列出"]
    if result.errors:
        return result
    if not rows:
        result.errors.append("文件中没有数据行")
        return result
    _store(rows, result)
    return result


def _header(grid: Any) -> tuple[int, dict[str, int]] | None:
    for r in range(min(HEADER_SCAN, grid.shape[0])):
        cells = {as_text(v): c for c, v in enumerate(grid.iloc[r]) if not is_blank(v)}
        if all(h in cells for h in REQUIRED):
            return r, {h: cells[h] for h in (*REQUIRED, *OPTIONAL) if h in cells}
    return None


def _rows(grid: Any, header: int, columns: Mapping[str, int], errors: list[str]) -> list[DutyListItem]:
    divisions = {d.code: d for d in Division.objects.all()}
    items = {(i.level1_no, i.level2_no): i for i in MVCatalogueItem.objects.current().mandatory()}
    seen: dict[tuple[str, int, int, int], int] = {}
    out = []
    for r in range(header + 1, grid.shape[0]):
        raw = {h: grid.iat[r, c] for h, c in columns.items()}
        if all(is_blank(v) for v in raw.values()):
            continue
        line = r + 1  # the row number Excel shows
        row = _row(line, raw, divisions, items, errors)
        if row is None:
            continue
        key = (row.division.code, row.year, row.item.level1_no, row.item.level2_no)
        if key in seen:
            errors.append(f"第{line}行：与第{seen[key]}行重复（同一区划、年度、目录项只能出现一次）")
            continue
        seen[key] = line
        out.append(row)
    return out


def _cell(line: int, column: str, value: Any, errors: list[str], read: Any) -> Any:
    try:
        if is_blank(value):
            raise CellError("不能为空")
        return read(value)
    except CellError as exc:
        errors.append(f"第{line}行，列“{column}”：{exc.rule}（值：{as_text(value)!r}）")
        return None


def _row(
    line: int,
    raw: Mapping[str, Any],
    divisions: Mapping[str, Division],
    items: Mapping[tuple[int, int], MVCatalogueItem],
    errors: list[str],
) -> DutyListItem | None:
    before = len(errors)
    code = _cell(line, "区划代码", raw["区划代码"], errors, as_code)
    year = _cell(line, "年度", raw["年度"], errors, as_int)
    level1 = _cell(line, "一级序号", raw["一级序号"], errors, as_int)
    level2 = _cell(line, "二级序号", raw["二级序号"], errors, as_int)
    population = _cell(line, "在用器具数量", raw["在用器具数量"], errors, as_int)
    if code is not None and code.upper() not in divisions:
        errors.append(f"第{line}行，列“区划代码”：未登记的行政区划（值：{code!r}）")
    if year is not None and not 2000 <= year <= 2100:
        errors.append(f"第{line}行，列“年度”：须在 2000–2100 之间（值：{year}）")
    if level1 is not None and level2 is not None and (level1, level2) not in items:
        errors.append(
            f"第{line}行，列“一级序号/二级序号”：{level1}/{level2} 不是现行目录中实施强制检定的项目"
        )
    if population is not None and population < 0:
        errors.append(f"第{line}行，列“在用器具数量”：不能为负数（值：{population}）")
    if len(errors) > before:
        return None
    doc = as_text(raw["依据文件"])[:200] if "依据文件" in raw and not is_blank(raw["依据文件"]) else ""
    return DutyListItem(
        division=divisions[code.upper()],
        year=year,
        item=items[(level1, level2)],
        population=population,
        source_document=doc,
    )


def _store(rows: list[DutyListItem], result: DutyImport) -> None:
    lists = sorted({(r.division.code, r.year) for r in rows})
    with transaction.atomic():
        for code, year in lists:
            old = DutyListItem.objects.filter(division__code=code, year=year)
            result.replaced += old.count()
            old.delete()  # one audited event per row (the delete signals fire)
        record_bulk(AuditEvent.Action.CREATE, DutyListItem.objects.bulk_create(rows))
    result.stored, result.lists = len(rows), lists
