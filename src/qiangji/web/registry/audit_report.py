"""``qiangji audit certificates``: the set-based audit (audit.py) written as CSV, with a summary.

One CSV row per failure (``certificate,institution,rule,field,message``), written as the database streams
them, so a province's year takes no more memory than a quarter's; the summary counts failing certificates
and failures per rule and institution as the rows go by.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from django.conf import settings
from django.utils import translation

from qiangji.web.registry import audit
from qiangji.web.registry.dates import parse_period_code
from qiangji.web.registry.models import Institution

HEADER = ("certificate", "institution", "rule", "field", "message")


@dataclass
class Summary:
    """Counts of one audit: certificates checked per institution, failures and failing certificates per
    (rule, institution)."""

    checked: dict[str, int] = field(default_factory=dict)
    failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    certificates: Counter[tuple[str, str]] = field(default_factory=Counter)

    def lines(self, scope: audit.Scope) -> list[str]:
        total = sum(self.checked.values())
        head = (
            f"检定证书溯源审核 {scope.start}～{scope.end}：{len(self.checked)} 家机构，{total} 份证书，"
            f"不符合 {sum(self.failures.values())} 项"
        )
        rows = [f"{'规则':<6}{'机构':<12}{'证书数':>10}{'不符合证书':>12}{'不符合项':>10}"]
        for rule, inst in sorted(self.failures):
            rows.append(
                f"{rule:<8}{inst:<14}{self.checked.get(inst, 0):>12}"
                f"{self.certificates[rule, inst]:>16}{self.failures[rule, inst]:>13}"
            )
        return [head, *rows]


def write_audit(out: TextIO, scope: audit.Scope) -> Summary:
    """Write the CSV of ``scope`` to ``out`` (failures rule by rule, each by certificate) and count it."""
    codes = dict(Institution.objects.values_list("pk", "code"))
    summary = Summary(checked={codes[k]: n for k, n in audit.certificates_checked(scope).items()})
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    last: dict[str, int] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for cert_id, cert_no, inst_id, rule, field_name, message in audit.failure_rows(scope):
            inst = codes[inst_id]
            writer.writerow((cert_no, inst, rule, field_name, message))
            summary.failures[rule, inst] += 1
            if last.get(rule) != cert_id:
                summary.certificates[rule, inst] += 1
                last[rule] = cert_id
    return summary


class AuditArgumentError(ValueError):
    """Bad command-line arguments, said in one line."""


def resolve_scope(
    start: str | None, end: str | None, period: str | None, institution: str | None
) -> audit.Scope:
    """The scope of the command's arguments, or :class:`AuditArgumentError` naming what is wrong."""

    if period and (start or end):
        raise AuditArgumentError("give either --period or --from/--to, not both")
    if period:
        try:
            _year, _quarter, first, last = parse_period_code(period)
        except ValueError as exc:
            raise AuditArgumentError(f"--period {exc}") from None
    elif start and end:
        first, last = _day("--from", start), _day("--to", end)
        if last < first:
            raise AuditArgumentError(f"--to must not be before --from, got {start} … {end}")
    else:
        raise AuditArgumentError("give --period CODE or both --from DATE and --to DATE")
    inst_id = None
    if institution:
        inst_id = Institution.objects.filter(code=institution).values_list("pk", flat=True).first()
        if inst_id is None:
            raise AuditArgumentError(f"--institution must be an institution code, got {institution!r}")
    return audit.Scope(first, last, inst_id)


def _day(option: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise AuditArgumentError(f"{option} must be a date YYYY-MM-DD, got {text!r}") from None


def audit_certificates(
    start: str | None, end: str | None, period: str | None, institution: str | None, output: str | None
) -> int:
    """The command: CSV to ``output`` (or standard output), summary to standard output (or standard
    error when the CSV goes there). Exit 2 with one line on bad arguments."""
    try:
        scope = resolve_scope(start, end, period, institution)
    except AuditArgumentError as exc:
        print(f"qiangji audit certificates: {exc}", file=sys.stderr)
        return 2
    if output is None:
        summary = write_audit(sys.stdout, scope)
        report = sys.stderr
    else:
        with open(output, "w", encoding="utf-8", newline="") as out:
            summary = write_audit(out, scope)
        report = sys.stdout
    print("\n".join(summary.lines(scope)), file=report)
    return 0
