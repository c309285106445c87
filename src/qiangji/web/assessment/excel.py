"""Excel template and upload of reported values: one sheet, one row per institution and indicator.

The template lists every ranked institution × reportable indicator of the framework in use, with the
stored values, and a second sheet of instructions. An upload is all-or-nothing: every problem is reported
with its row (as Excel numbers it) and column, and nothing is stored unless the whole sheet is clean.
Numbers are read by :func:`qiangji.web.assessment.numbers.parse_number`, as in the reporting form
(spaces, full-width digits, thousands separators); "%" typed into a cell is refused, because percentages
are computed from numerator and denominator.

Evidence files sent with the upload are matched to rows (:func:`match_evidence`): a row's "佐证材料" cell
names its files (separated by "；", ";", "、", "," or line breaks); a file no cell names belongs to the
rows whose indicator code its name contains as a separate token ("D1.3 检定量统计.pdf",
"2026Q1_D1.3.pdf", but not "D1.30.pdf") and — when the sheet holds several institutions — whose
institution code it contains too ("A01_D1.3.pdf"). A file that fits no row, or a cell naming a file that
was not sent, refuses the whole upload. With ``submit`` every row is submitted for review after it is
saved, and each needs evidence (sent now or stored before).
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from qiangji.core.index.framework import Node
from qiangji.web.assessment import lifecycle, workflow
from qiangji.web.assessment.inputs import ranked_institutions
from qiangji.web.assessment.lifecycle import reporting_refusal
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.numbers import MAX_DECIMALS, parse_number
from qiangji.web.assessment.reporting import (
    Entry,
    attach_evidence,
    entry_errors,
    period_framework,
    reportable_nodes,
    save_entry,
)
from qiangji.web.cells import append
from qiangji.web.excel import unreadable
from qiangji.web.excel.cells import missing_word
from qiangji.web.excel.reader import source_bytes
from qiangji.web.excel.unreadable import Unreadable
from qiangji.web.registry.models import Institution
from qiangji.web.uploads import UploadRejected, check_evidence, check_xlsx

HEADERS = ("机构代码", "机构名称", "指标代码", "指标名称", "单位", "数值", "分子", "分母", "说明", "佐证材料")
REQUIRED_HEADERS = HEADERS[:9]  # a sheet from an older template has no "佐证材料" column
EVIDENCE_COLUMN = 9
SHEET = "填报"
INSTRUCTIONS_SHEET = "填写说明"
INSTRUCTIONS = tuple(
    gettext_lazy(line)
    for line in (
        gettext_noop(
            "每行是一个机构的一项需填报指标；只填写“数值”，"
            "或（单位为 % 的指标）“分子”和“分母”，百分比由平台计算。"
        ),
        gettext_noop("数字可写作 1234、1,234、1 234 或全角数字（１２３４）；不要输入“%”；最多 6 位小数。"),
        gettext_noop("整表导入：任何一处错误都不会导入任何数据，错误信息会写明行号和列名。"),
        gettext_noop(
            "佐证材料：在上传页面随表格一并选择文件（可多选）。文件名含指标代码即对应该指标的行，"
            "例如“D1.3 检定量统计.pdf”；上传多个机构的数据时，文件名还须含机构代码，例如“A01_D1.3.pdf”。"
        ),
        gettext_noop("也可以在“佐证材料”列写明本行的文件名（多个文件用“；”分隔），写明的文件必须一并上传。"),
        gettext_noop(
            "勾选“上传后直接提交审核”时，每一行保存后即提交审核，每行都须有佐证材料（本次上传或此前已上传）。"
        ),
        gettext_noop("佐证材料可为 PDF、PNG、JPEG、xlsx、txt 或 csv 文件。"),
    )
)
MAX_ERRORS_SHOWN = 100  # a sheet of garbage must not become a page of 100,000 lines


class UploadError(ValueError):
    """An upload with problems; ``errors`` lists them all (row and column named; the sheet in the message)."""

    def __init__(self, errors: list[str], sheet: str = "") -> None:
        if sheet:
            text = _("工作表“%(s)s”有 %(n)s 处错误，未导入任何数据。") % {"s": sheet, "n": len(errors)}
        else:
            text = _("上传文件有 %(n)s 处错误，未导入任何数据。") % {"n": len(errors)}
        super().__init__(text)
        self.sheet = sheet
        self.errors = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            self.errors.append(_("……另有 %(n)s 处错误未列出") % {"n": len(errors) - MAX_ERRORS_SHOWN})


def template(period: Period, only: Institution | None = None) -> bytes:
    """The template for ``period`` with the stored values filled in (``only`` that institution's rows)."""
    fw = period_framework(period)
    institutions = [i for i in ranked_institutions(period) if only is None or i.pk == only.pk]
    reports = ReportedValue.objects.filter(period=period, institution__in=institutions)
    stored = {(r.institution_id, r.indicator): r for r in reports}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    append(ws, HEADERS)
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="FDE7E7")
    for inst in institutions:
        for node in reportable_nodes(fw):
            r = stored.get((inst.pk, node.code))
            value = None if r is None or r.is_ratio else r.value
            append(ws, [inst.code, inst.name_on(period.as_of), node.code, node.label("zh"), node.unit or "",
                       value, r and r.numerator, r and r.denominator, r.note if r else "", ""])  # fmt: skip
    codes = DataValidation(type="list", formula1='"' + ",".join(n.code for n in reportable_nodes(fw)) + '"')
    ws.add_data_validation(codes)
    codes.add(f"C2:C{max(ws.max_row, 2)}")
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJ", (12, 30, 10, 32, 8, 12, 12, 12, 30, 30), strict=True):
        ws.column_dimensions[col].width = width
    notes = wb.create_sheet(INSTRUCTIONS_SHEET)
    notes.column_dimensions["A"].width = 120
    for line in INSTRUCTIONS:
        notes.append([str(line)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(cell: Any) -> str:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def _number(cell: Any) -> Decimal | None:
    """A numeric cell, or ``None`` when blank; raises ``ValueError`` with the rule broken."""
    if isinstance(cell, Unreadable):  # an error value or a formula without a result, not a blank
        raise ValueError(cell.rule)
    if isinstance(cell, int | float) and not isinstance(cell, bool) and not math.isnan(cell):
        # A numeric cell carries binary noise (0.1 + 0.2) or a formula's long tail: the six decimals kept.
        return parse_number(format(round(Decimal(repr(cell)), MAX_DECIMALS).normalize(), "f"))
    text = _text(cell)
    placeholder = missing_word(text.strip())
    if placeholder is not None:  # "N/A", "null", "NaN": no data is an empty cell
        raise ValueError(placeholder.rule)
    return parse_number(text)


def read_upload(source: IO[bytes]) -> tuple[str, pd.DataFrame]:
    """The first sheet's name and its rows below the header."""
    try:
        with pd.ExcelFile(source, engine="calamine") as book:
            sheet = str(book.sheet_names[0])
            frame = pd.read_excel(book, sheet_name=0, header=None, dtype=object, keep_default_na=False)
        frame = unreadable.mark(source_bytes(source), {sheet: frame})[sheet]
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise UploadError([_("无法读取Excel文件：%(e)s") % {"e": exc}]) from exc
    header = [_text(c) for c in frame.iloc[0, : len(HEADERS)]] if not frame.empty else []
    if header[: len(REQUIRED_HEADERS)] != list(REQUIRED_HEADERS):
        raise UploadError([_("第1行必须是表头：%(h)s") % {"h": "、".join(HEADERS)}], sheet)
    rows = frame.iloc[1:, : len(HEADERS)].copy()
    if len(header) < len(HEADERS) or header[EVIDENCE_COLUMN] != HEADERS[EVIDENCE_COLUMN]:
        rows = rows.iloc[:, : len(REQUIRED_HEADERS)]
    while rows.shape[1] < len(HEADERS):
        rows[rows.shape[1]] = None
    return sheet, rows


@dataclass(frozen=True)
class UploadRow:
    """A valid row of an upload: where it is, whose value of which indicator, and the files it names."""

    line: int
    institution: Institution
    indicator: str
    entry: Entry
    evidence_names: tuple[str, ...] = ()
    files: list[Any] = field(default_factory=list, compare=False)

    @property
    def where(self) -> str:
        return _("第%(row)s行") % {"row": self.line}


def parse_rows(
    period: Period, frame: pd.DataFrame, only: Institution | None = None
) -> tuple[list[UploadRow], list[str]]:
    """Validated rows and the list of errors (each naming row and column); bounds are the period's.

    With ``only`` (a county reporter's institution) a row of any other institution is an error, whatever
    the code names: the message does not tell whether another code exists.
    """
    fw = period_framework(period)
    nodes = {n.code: n for n in reportable_nodes(fw)}
    institutions = {i.code: i for i in ranked_institutions(period)}
    rows: list[UploadRow] = []
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for offset, raw in enumerate(frame.itertuples(index=False)):
        line, cells = offset + 2, list(raw)
        if all(_text(c) == "" for c in cells):
            continue
        where = _("第%(row)s行") % {"row": line}
        code, indicator = _text(cells[0]), _text(cells[2])
        refused = _key_error(where, code, indicator, only, institutions, nodes, seen)
        if refused is not None:
            errors.append(refused)
            continue
        seen.add((code, indicator))
        row, problems = _row(line, where, cells, institutions[code], nodes[indicator])
        errors += problems
        if row is not None:
            rows.append(row)
    return rows, errors


def _key_error(
    where: str,
    code: str,
    indicator: str,
    only: Institution | None,
    institutions: dict[str, Institution],
    nodes: dict[str, Node],
    seen: set[tuple[str, str]],
) -> str | None:
    """Why the row's institution and indicator cannot be read (None: they can)."""
    if only is not None and code != only.code:
        return f"{where}，{HEADERS[0]}：" + _("只能填报本机构（%(c)s）的数据") % {"c": only.code}
    if code not in institutions:
        return f"{where}，{HEADERS[0]}：" + _("“%(c)s”不是本期参与排名的机构") % {"c": code}
    if indicator not in nodes:
        return f"{where}，{HEADERS[2]}：" + _("“%(c)s”不是需要填报的指标") % {"c": indicator}
    if (code, indicator) in seen:
        return f"{where}：" + _("机构与指标重复")
    return None


def _row(
    line: int, where: str, cells: list[Any], institution: Institution, node: Node
) -> tuple[UploadRow | None, list[str]]:
    """The row's entry and its problems; (None, []) for an untouched template row."""
    entry, problems = _entry(cells, where)
    names = _file_names(cells[EVIDENCE_COLUMN])
    if (
        entry is not None
        and not names
        and all(entry.__dict__[k] is None for k in ("value", "numerator", "denominator"))
    ):
        return None, []
    if entry is not None:
        labels = {"value": HEADERS[5], "numerator": HEADERS[6], "denominator": HEADERS[7]}
        problems += [f"{where}，{labels[f]}：{m}" for f, m in entry_errors(node, entry).items()]
    if problems or entry is None:
        return None, problems
    return UploadRow(line, institution, node.code, entry, names), problems


def _file_names(cell: Any) -> tuple[str, ...]:
    return tuple(n.strip() for n in re.split(r"[；;、,\n]+", _text(cell)) if n.strip())


def _entry(cells: list[Any], where: str) -> tuple[Entry | None, list[str]]:
    parsed: list[Decimal | None] = []
    errors = []
    for idx in (5, 6, 7):
        try:
            parsed.append(_number(cells[idx]))
        except ValueError as exc:
            errors.append(f"{where}，{HEADERS[idx]}：{exc}")
    if isinstance(cells[8], Unreadable):
        errors.append(f"{where}，{HEADERS[8]}：{cells[8].rule}")
    if errors:
        return None, errors
    return Entry(parsed[0], parsed[1], parsed[2], _text(cells[8])), []


def _token(code: str) -> re.Pattern[str]:
    """``code`` as a separate token of a file name: not inside a longer code ("D1.3" is not in "D1.30")."""
    return re.compile(rf"(?<![0-9A-Za-z.]){re.escape(code)}(?![0-9A-Za-z])", re.IGNORECASE)


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def match_evidence(rows: Sequence[UploadRow], files: Sequence[Any]) -> list[str]:
    """Give each row its evidence files (``row.files``) by the rule of the module docstring; the errors."""
    errors: list[str] = []
    by_name = {_key(f.name or ""): f for f in files}
    named: set[str] = set()
    for row in rows:
        for name in row.evidence_names:
            found = by_name.get(_key(name))
            if found is None:
                missing = _("未上传文件“%(n)s”") % {"n": name}
                errors.append(f"{row.where}，{HEADERS[EVIDENCE_COLUMN]}：{missing}")
            else:
                row.files.append(found)
                named.add(_key(name))
    several = len({row.institution.pk for row in rows}) > 1
    for upload in files:
        if _key(upload.name or "") in named:
            continue
        fits = [
            r
            for r in rows
            if not r.evidence_names
            and _token(r.indicator).search(upload.name or "")
            and (not several or _token(r.institution.code).search(upload.name or ""))
        ]
        if len(fits) == 1:
            fits[0].files.append(upload)
            continue
        rule = _("文件名须含指标代码（上传多个机构时还须含机构代码），或在“佐证材料”列写明文件名")
        if fits:
            what = "、".join(f"{r.institution.code} {r.indicator}" for r in fits)
            text = _("佐证材料“%(f)s”同时对应多行（%(w)s）：%(r)s")
            errors.append(text % {"f": upload.name, "w": what, "r": rule})
        else:
            errors.append(_("佐证材料“%(f)s”未对应任何一行：%(r)s") % {"f": upload.name, "r": rule})
    return errors


def _check_files(files: Sequence[Any]) -> list[str]:
    errors = []
    for upload in files:
        try:
            check_evidence(upload)
        except UploadRejected as exc:
            errors.append(_("佐证材料“%(f)s”：%(e)s") % {"f": upload.name, "e": exc})
    return errors


def _row_state_errors(period: Period, rows: Sequence[UploadRow], submit: bool) -> list[str]:
    """Rows the period or the stored value does not allow to change, and rows to submit without evidence."""
    stored = {
        (r.institution_id, r.indicator): r
        for r in ReportedValue.objects.filter(period=period).prefetch_related("evidence")
    }
    errors, refused = [], set()
    for row in rows:
        report = stored.get((row.institution.pk, row.indicator))
        if report is not None and not report.is_editable:
            errors.append(
                _("机构 %(inst)s 指标 %(ind)s 已“%(status)s”，不能通过上传修改")
                % {"inst": row.institution.code, "ind": row.indicator, "status": report.get_status_display()}
            )
            continue
        refusal = lifecycle.reporting_refusal(period, row.institution, report=report)
        if refusal and refusal not in refused:
            refused.add(refusal)
            errors.append(f"{row.where}（{row.institution.code}）：{refusal}")
        if submit and not row.files and not (report is not None and report.evidence.all()):
            errors.append(
                f"{row.where}，{HEADERS[EVIDENCE_COLUMN]}："
                + _("提交审核前须有佐证材料（文件名含“%(c)s”，或在本列写明文件名）") % {"c": row.indicator}
            )
    return errors


@dataclass(frozen=True)
class ImportResult:
    stored: int
    submitted: int
    evidence: int


def import_upload(
    period: Period,
    source: IO[bytes],
    user: Any,
    only: Institution | None = None,
    *,
    evidence: Sequence[Any] = (),
    submit: bool = False,
) -> ImportResult:
    """Store every row of an upload (all or nothing), attach the evidence files and, with ``submit``,
    submit every row for review.

    ``only``: the rows must all be that institution's (a county reporter's upload), else nothing is stored.
    A period outside its reporting window refuses the whole file with the reason; in review, rows of an
    institution without an extension are refused unless their value was returned.
    """
    closed = _closed(period)
    if closed:
        raise UploadError([closed])
    try:
        check_xlsx(source)
    except UploadRejected as exc:
        raise UploadError([str(exc)]) from None
    sheet, frame = read_upload(source)
    rows, errors = parse_rows(period, frame, only)
    errors += _check_files(evidence)
    errors += match_evidence(rows, evidence)
    errors += _row_state_errors(period, rows, submit)
    if errors:
        raise UploadError(errors, sheet)
    with transaction.atomic():
        attached = sum(_store(period, row, user, submit) for row in rows)
    return ImportResult(len(rows), len(rows) if submit else 0, attached)


def _store(period: Period, row: UploadRow, user: Any, submit: bool) -> int:
    try:
        report = save_entry(period, row.institution, row.indicator, row.entry, user)
        for upload in row.files:
            upload.seek(0)
            attach_evidence(report, upload, user)
        if submit:
            workflow.submit(report, user)
    except ValidationError as exc:
        raise UploadError([f"{row.where}：" + "；".join(exc.messages)]) from None
    return len(row.files)


def _closed(period: Period) -> str | None:
    """Why no institution may upload to ``period`` now (not open, locked, published), else ``None``."""
    if period.stage() in (Period.Stage.REPORTING, Period.Stage.REVIEW):
        return None
    return reporting_refusal(period, None)
