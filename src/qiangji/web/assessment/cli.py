"""`qiangji period open | extend | lock | status` (called by qiangji.commands.period after Django setup).

Each step calls :mod:`qiangji.web.assessment.lifecycle` inside :func:`as_command` (the operating-system
account is the audit actor); a :class:`LifecycleError` or a bad argument prints one line and returns 2.
"""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Count
from django.utils import timezone

from qiangji.web.accounts.context import as_command
from qiangji.web.assessment import lifecycle
from qiangji.web.assessment.inputs import ranked_institutions
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.registry.models import Institution

Status = ReportedValue.Status
STATUSES: list[Any] = list(Status)  # the enum's members (django-stubs does not type the iteration)
#: Values that reached the city: the institution has reported (a draft alone has not).
REPORTED = (Status.SUBMITTED, Status.RETURNED, Status.APPROVED, Status.LOCKED)


class ArgumentError(ValueError):
    """A bad command-line argument (message in Chinese, one sentence)."""


def parse_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ArgumentError(f"{option} 应为 YYYY-MM-DD 形式的日期，收到 {text!r}。") from None


def find_period(code: str) -> Period:
    """The stored period ``code`` (never created here: only ``period open`` creates one)."""
    period = Period.objects.filter(code=code.strip().upper()).first()
    if period is None:
        raise ArgumentError(f"期次 {code} 不存在（先用 qiangji period open 开放）。")
    return period


def run(step: str, options: dict[str, Any]) -> int:
    """Run ``step`` with the parsed ``options``; 0 on success, 2 with one line on a refusal."""
    handler = STEPS[step]
    try:
        with as_command():
            for line in handler(options):
                print(line)
    except (ArgumentError, lifecycle.LifecycleError) as exc:
        return refuse(f"period {step}", str(exc))
    return 0


def _open(options: dict[str, Any]) -> list[str]:
    deadline = parse_date(options["deadline"], "--deadline")
    assert deadline is not None  # required by the parser
    period = lifecycle.open_period(
        options["code"],
        deadline=deadline,
        opens=parse_date(options["opens"], "--opens"),
        framework=options["framework"],
    )
    return [
        f"{period.code} {period.label}：{period.stage_label()}，填报 {period.opens_on} 至 {period.deadline}，"
        f"指标框架 {period.framework_version.version if period.framework_version else '—'}"
    ]


def _extend(options: dict[str, Any]) -> list[str]:
    period = find_period(options["code"])
    inst = Institution.objects.filter(code=options["institution"].strip()).first()
    if inst is None:
        raise ArgumentError(f"机构 {options['institution']} 不存在。")
    until = parse_date(options["until"], "--until")
    assert until is not None
    granted = lifecycle.extend(period, inst, until=until, reason=options["reason"])
    return [f"{period.code} {inst.code} 可补报至 {granted.until}（理由：{granted.reason}）"]


def _lock(options: dict[str, Any]) -> list[str]:
    period = find_period(options["code"])
    result = lifecycle.lock(period)
    lines = [f"{period.code} 已锁定：{result.locked} 项数据"]
    if result.not_submitted:
        lines.append("未提交、不计入：" + "、".join(result.not_submitted))
    return lines


def _status(options: dict[str, Any]) -> list[str]:
    if options["code"]:
        return period_detail(find_period(options["code"]))
    return period_table(list(Period.objects.select_related("framework_version", "publication")))


STEPS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "open": _open,
    "extend": _extend,
    "lock": _lock,
    "status": _status,
}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to the widest cell (a CJK character counts two)."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def _counts(periods: Sequence[Period]) -> dict[int, Counter[str]]:
    rows = (
        ReportedValue.objects.filter(period__in=periods).values("period_id", "status").annotate(n=Count("pk"))
    )
    found: dict[int, Counter[str]] = {}
    for row in rows:
        found.setdefault(row["period_id"], Counter())[row["status"]] = row["n"]
    return found


def window(period: Period) -> str:
    if period.opens_on is None or period.deadline is None:
        return "—"
    return f"{period.opens_on}～{period.deadline}"


def period_table(periods: Sequence[Period]) -> list[str]:
    """One line per period: code, stage, window, framework and its values by status."""
    counts = _counts(periods)
    header = ["期次", "阶段", "填报窗口", "框架", *(str(s.label) for s in STATUSES)]
    rows = [
        [
            p.code,
            p.stage_label(),
            window(p),
            p.framework_version.version if p.framework_version else "—",
            *(str(counts.get(p.pk, Counter())[s.value]) for s in STATUSES),
        ]
        for p in periods
    ]
    return table(header, rows) if rows else ["尚无期次（qiangji period open CODE --deadline DATE）"]


def period_detail(period: Period) -> list[str]:
    """A period's stage, dates, publication, and each ranked institution's values by status."""
    lines = [
        f"{period.code} {period.label}：{period.stage_label()}",
        f"填报窗口：{window(period)}；指标框架："
        + (period.framework_version.version if period.framework_version else "—（未开放）"),
    ]
    if period.opened_at:
        lines.append(f"开放：{timezone.localtime(period.opened_at):%Y-%m-%d %H:%M}")
    if period.locked_at:
        lines.append(f"锁定：{timezone.localtime(period.locked_at):%Y-%m-%d %H:%M}")
    lines += _publication_lines(period)
    lines += [f"补报许可：{e.institution.code} 至 {e.until}（{e.reason}）" for e in _extensions(period)]
    lines += _institution_lines(period)
    return lines


def _extensions(period: Period) -> list[Any]:
    return list(period.extensions.select_related("institution").order_by("institution__code", "until"))


def _publication_lines(period: Period) -> list[str]:
    pub = getattr(period, "publication", None)
    if pub is None:
        return []
    line = f"排行榜：{pub.get_status_display()}"
    if pub.notice_started_on:
        line += f"，公示 {pub.notice_started_on} 至 {pub.notice_ends_on}"
    pending = pub.objections.filter(outcome="pending").count()
    return [line + (f"，待处理异议 {pending} 条" if pending else "")]


def _institution_lines(period: Period) -> list[str]:
    by_inst: dict[int, Counter[str]] = {}
    for inst_id, status in period.reports.values_list("institution_id", "status"):
        by_inst.setdefault(inst_id, Counter())[status] += 1
    institutions = ranked_institutions(period)
    header = ["机构", "名称", *(str(s.label) for s in STATUSES)]
    rows = [
        [i.code, i.name_on(period.as_of), *(str(by_inst.get(i.pk, Counter())[s.value]) for s in STATUSES)]
        for i in institutions
    ]
    missing = [
        i.code for i in institutions if not any(by_inst.get(i.pk, Counter())[str(s)] for s in REPORTED)
    ]
    tail = "未报送的机构：" + ("、".join(missing) if missing else "无")
    return [*table(header, rows), tail] if rows else ["本期没有参与排名的机构。", tail]


def refuse(prog: str, message: str) -> int:
    """One line on stderr, exit status 2."""
    print(f"qiangji {prog}: {' '.join(str(message).split())}", file=sys.stderr)
    return 2
