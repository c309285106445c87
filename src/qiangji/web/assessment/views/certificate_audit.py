"""The failing certificates behind an institution's C3/C4 score (issue 16 point 6): a page and its workbook.

From the scorecard (publication/views.py) the office and the institution itself follow a C3/C4 score to the
certificates that lowered it: each failure with its rule, the field and the registry's facts as of the
certificate's date (registry/evidence.py). The certificates are those the score was computed from — every
certificate of the period, or the seeded sample when the office samples (derive.sample_scope) — audited by
the same set-based statements (registry/audit.py). Never public: ``policy.can_audit_certificates``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from qiangji.web.accounts import audit as trail
from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import staff_required
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.assessment.models import Period
from qiangji.web.cells import put
from qiangji.web.registry import audit
from qiangji.web.registry.evidence import Evidence, evidence
from qiangji.web.registry.models import Institution
from qiangji.web.registry.samples import SAMPLE_RULES, sample_scope
from qiangji.web.registry.traceability import MESSAGES

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: C4.1 counts a missing data element: the failures that say so (audit.ELEMENTS has no message of its own).
ELEMENT_FAILURES = (("TR-1", "no_standards"), ("TR-5", "no_environment"), ("TR-7", "no_record"))
HEADERS = (
    gettext_lazy("证书编号"), gettext_lazy("检定日期"), gettext_lazy("器具名称"), gettext_lazy("规则"),
    gettext_lazy("字段"), gettext_lazy("问题"), gettext_lazy("检定日期当时的登记情况"),
)  # fmt: skip


def failures(inst: Institution, period: Period, indicator: str) -> Iterator[audit.Row]:
    """The failures of ``inst``'s certificates in ``period`` that count against ``indicator``."""
    rules = SAMPLE_RULES[indicator].rules
    scope = sample_scope([inst], period)
    if rules == (audit.ELEMENTS,):
        wanted = {(rule, str(MESSAGES[key])) for rule, key in ELEMENT_FAILURES}
        rows = audit.failure_rows(scope, tuple(rule for rule, _key in ELEMENT_FAILURES))
        return (r for r in rows if (r[3], r[5]) in wanted)
    return audit.failure_rows(scope, rules or audit.RULES)


def _context(request: HttpRequest, code: str, inst_code: str) -> tuple[Period, Institution, str]:
    period = get_object_or_404(Period, code=code)
    inst = get_object_or_404(Institution, code=inst_code)
    if not policy.can_audit_certificates(request.user, inst):
        raise PermissionDenied("the office and the institution's own reporters see its failing certificates")
    indicator = request.GET.get("indicator", "C3.1")
    if indicator not in SAMPLE_RULES:
        raise Http404("no certificate audit behind this indicator")
    return period, inst, indicator


@staff_required
def certificate_failures(request: HttpRequest, code: str, inst: str) -> HttpResponse:
    period, institution, indicator = _context(request, code, inst)
    page = max(1, _int(request.GET.get("page"), 1))
    count, shown = 0, []
    for row in failures(institution, period, indicator):  # streamed: only the page's rows are kept
        if (page - 1) * PAGE_SIZE <= count < page * PAGE_SIZE:
            shown.append(row)
        count += 1
    pages = max(1, -(-count // PAGE_SIZE))
    context = {
        "period": period, "inst": institution, "indicator": indicator,
        "method": SAMPLE_RULES[indicator].method,
        "indicators": list(SAMPLE_RULES), "rows": evidence(shown), "count": count, "page": page,
        "pages": pages, "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
        "sampled": sample_scope([institution], period).sample_size > 0,
    }  # fmt: skip
    return render(request, "assessment/certificate_failures.html", context)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


@staff_required
def certificate_failures_xlsx(request: HttpRequest, code: str, inst: str) -> HttpResponse:
    period, institution, indicator = _context(request, code, inst)
    rows = list(failures(institution, period, indicator))
    body = workbook(period, institution, indicator, evidence(rows), request.user)
    trail.record(
        AuditEvent.Action.EXPORT, app_label="assessment", model="page:certificate_failures",
        object_id=str(institution.pk), object_repr=institution.name[:200],
        after={"period": period.code, "indicator": indicator, "rows": len(rows)},
    )  # fmt: skip
    response = HttpResponse(body, content_type=XLSX)
    name = f"{institution.code}-{period.code}-{indicator}-certificates.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def workbook(period: Period, inst: Institution, indicator: str, rows: list[Evidence], user: Any) -> bytes:
    """The failures as one sheet (text through web/cells.py, dates as dates) and a 说明 sheet."""
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = _("不符合证书")
    for col, header in enumerate(HEADERS, start=1):
        put(sheet, 1, col, str(header)).font = Font(bold=True)
    for r, e in enumerate(rows, start=2):
        cert = e.certificate
        values = (
            cert.cert_no,
            cert.verified_on,
            cert.instrument_name,
            e.rule,
            e.field_label,
            e.message,
            e.facts,
        )
        for col, value in enumerate(values, start=1):
            cell = put(sheet, r, col, value)
            if col == 2:
                cell.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFG", (22, 12, 18, 8, 14, 40, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    about = wb.create_sheet(_("说明"))
    lines = [
        (_("机构"), f"{inst.name}（{inst.code}）"), (_("期次"), period.label), (_("指标"), indicator),
        (_("口径"), SAMPLE_RULES[indicator].method), (_("不符合项"), len(rows)),
        (_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")), (_("导出人"), user.get_username()),
    ]  # fmt: skip
    for r, (label, value) in enumerate(lines, start=1):
        put(about, r, 1, str(label)).font = Font(bold=True)
        put(about, r, 2, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
