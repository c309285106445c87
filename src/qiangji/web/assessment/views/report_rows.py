"""The rows of the one-pass reporting page: build them (one form per editable value) and save them all.

A row is editable when the user may report for the institution, the stored value (if any) is a draft or
returned, and the period's lifecycle allows a change now (:func:`lifecycle.reporting_refusal`; a row
that is not editable says why). Saving validates every row first (numbers, the indicator's rules,
evidence files, evidence before a submission) and then stores every touched row in one transaction; any
error leaves everything as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qiangji.core.index import Node
from qiangji.web.accounts.locking import check_version, version_token
from qiangji.web.assessment import lifecycle, workflow
from qiangji.web.assessment.forms import ReportRowForm
from qiangji.web.assessment.inputs import Counting, WhichCounts
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.reporting import (
    Entry,
    attach_evidence,
    entry_errors,
    is_percentage,
    period_framework,
    reportable_nodes,
    save_entry,
)
from qiangji.web.registry.models import Institution
from qiangji.web.uploads import UploadRejected, check_evidence

#: Service errors keyed by a model field land on the form field that shows it.
FIELD_OF = {"value": "value", "numerator": "numerator", "denominator": "denominator", "file": "evidence"}


@dataclass
class Row:
    node: Node
    report: ReportedValue | None
    which: WhichCounts
    refusal: str | None  # why the row cannot be changed now (None when it is editable or read-only)
    form: ReportRowForm | None = None
    files_dropped: bool = False  # files were chosen but nothing was stored: they must be chosen again

    @property
    def percent(self) -> bool:
        return is_percentage(self.node)

    def problems(self) -> list[tuple[str, str]]:
        """(field label, message) of every error of the row, for the summary above the form."""
        if self.form is None:
            return []
        out = []
        for name, errors in self.form.errors.items():
            label = "" if name == "__all__" else str(self.form.fields[name].label)
            out += [(label, str(e)) for e in errors]
        return out


def _plain(number: Decimal | None) -> str:
    """A stored decimal as a person would type it: 12000.000000 → "12000"."""
    return "" if number is None else format(number.normalize(), "f")


def _initial(report: ReportedValue | None) -> dict[str, Any]:
    if report is None:
        return {}
    return {
        "value": "" if report.is_ratio else _plain(report.value),
        "numerator": _plain(report.numerator),
        "denominator": _plain(report.denominator),
        "note": report.note,
        "version": version_token(report),
    }


def _refusal(period: Period, institution: Institution, report: ReportedValue | None) -> str | None:
    if report is not None and not report.is_editable:
        return _("“%(status)s”的数据不能修改。") % {"status": report.get_status_display()}
    return lifecycle.reporting_refusal(period, institution, report=report)


def county_refusal(period: Period, institution: Institution) -> str | None:
    """Why ``institution`` cannot report in ``period`` now, for the links and forms of the pages
    (``None``: they are shown). In review a returned value may still be corrected, so they stay while one
    is waiting; each row is checked again on its own (:func:`build_rows`)."""
    refusal = lifecycle.reporting_refusal(period, institution)
    returned = period.reports.filter(institution=institution, status=ReportedValue.Status.RETURNED)
    if refusal and period.stage() == Period.Stage.REVIEW and returned.exists():
        return None
    return refusal


def build_rows(
    period: Period, institution: Institution, may_edit: bool, data: Any = None, files: Any = None
) -> list[Row]:
    """One row per reportable indicator of the period's framework, with a form where editable."""
    stored = {
        r.indicator: r
        for r in ReportedValue.objects.filter(period=period, institution=institution).prefetch_related(
            "evidence", "transitions__actor"
        )
    }
    counting = Counting(period, [institution])
    rows = []
    for node in reportable_nodes(period_framework(period)):
        report = stored.get(node.code)
        refusal = _refusal(period, institution, report) if may_edit else None
        row = Row(node, report, counting.of(institution, node.code), refusal)
        if may_edit and refusal is None:
            row.form = ReportRowForm(data, files, prefix=node.code, initial=_initial(report))
        rows.append(row)
    return rows


def save_rows(
    rows: list[Row], period: Period, institution: Institution, user: Any, action: str
) -> list[str] | None:
    """Save (and with ``action == "submit"`` submit) every touched row; the success messages, or ``None``
    when a row has an error (nothing stored then; the errors are on the rows' forms)."""
    plans = [(row, form, entry) for row, form in _forms(rows) if (entry := _check(row, form, action))]
    if any(form.errors for _row, form in _forms(rows)):
        _mark_dropped(rows)
        return None
    try:
        with transaction.atomic():
            for row, form, entry in plans:
                _store(row, form, entry, period, institution, user, action)
    except ValidationError:
        _mark_dropped(rows)
        return None
    return _summary(rows, [row for row, _form, _entry in plans], action)


def _forms(rows: list[Row]) -> list[tuple[Row, ReportRowForm]]:
    return [(row, row.form) for row in rows if row.form is not None]


def _check(row: Row, form: ReportRowForm, action: str) -> Entry | None:
    """Validate one row's form against the indicator's rules; the entry to store, if any."""
    if not form.is_valid() or not _posted(form):
        return None
    data = form.cleaned_data
    entry = Entry(data["value"], data["numerator"], data["denominator"], data["note"])
    typed = any(v is not None for v in (entry.value, entry.numerator, entry.denominator))
    if not typed and row.report is None and not data["evidence"] and not data["note"]:
        return None  # a row left empty is not reported
    for name, message in entry_errors(row.node, entry).items():
        form.add_error(name, message)
    for upload in data["evidence"]:
        try:
            check_evidence(upload)
        except UploadRejected as exc:
            form.add_error("evidence", f"{upload.name}：{exc}")
    has_evidence = bool(data["evidence"]) or (row.report is not None and bool(row.report.evidence.all()))
    if action == "submit" and not has_evidence:
        form.add_error("evidence", _("提交审核前请上传佐证材料。"))
    return None if form.errors else entry


def _posted(form: ReportRowForm) -> bool:
    """Whether the request carried the row at all (a page always does; a partial POST leaves a row be)."""
    names = ("value", "numerator", "denominator", "note")
    return any(form.add_prefix(n) in form.data for n in names) or bool(form.cleaned_data["evidence"])


def _store(
    row: Row,
    form: ReportRowForm,
    entry: Entry,
    period: Period,
    institution: Institution,
    user: Any,
    action: str,
) -> None:
    """Store one row inside the page's transaction; a refusal goes onto the row's form and re-raises."""
    data = form.cleaned_data
    try:
        if row.report is not None:
            check_version(row.report, data["version"])
        report = save_entry(period, institution, row.node.code, entry, user)
        for upload in data["evidence"]:
            attach_evidence(report, upload, user)
        if action == "submit":
            workflow.submit(report, user)
    except ValidationError as exc:
        _add_service_error(form, exc)
        raise


def _add_service_error(form: ReportRowForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(FIELD_OF.get(name), message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _mark_dropped(rows: list[Row]) -> None:
    for row in rows:
        if row.form is not None and row.form.files and row.form.files.getlist(row.form["evidence"].html_name):
            row.files_dropped = True


def _summary(rows: list[Row], touched: list[Row], action: str) -> list[str]:
    codes = "、".join(row.node.code for row in touched)
    if not touched:
        out = [_("没有需要保存的数据。")]
    elif action == "submit":
        out = [_("已提交审核 %(n)s 项：%(codes)s。") % {"n": len(touched), "codes": codes}]
    else:
        out = [_("已保存 %(n)s 项（草稿，尚未提交审核）：%(codes)s。") % {"n": len(touched), "codes": codes}]
    done = {row.node.code for row in touched}
    missing = [
        row.node.code
        for row in rows
        if row.which.asks_report and row.report is None and row.node.code not in done
    ]
    if missing:
        out.append(_("以下指标以填报值计入，尚未填报：%(codes)s。") % {"codes": "、".join(missing)})
    return out
