"""`qiangji publish run | notice | final` (called by qiangji.commands.period after Django setup).

Each step calls :mod:`qiangji.web.publication.service` inside :func:`as_command`; a
:class:`WorkflowError`, an unknown period or a bad argument prints one line and returns 2. ``--today`` of
``final`` may name an earlier day (recording a decision taken then), never a later one: the objection
period cannot be skipped by moving the clock.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from qiangji.web.accounts.context import as_command
from qiangji.web.assessment.cli import ArgumentError, find_period, parse_date, refuse
from qiangji.web.publication import service
from qiangji.web.publication.models import Publication
from qiangji.web.publication.runs import DEFAULT_RUNS, DEFAULT_SEED
from qiangji.web.publication.workflow import WorkflowError

MAX_RUNS = 100_000


def whole(text: str | None, option: str, default: int, low: int, high: int) -> int:
    if text is None:
        return default
    try:
        value = int(text.strip())
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ArgumentError(f"{option} 应为 {low}～{high} 之间的整数，收到 {text!r}。")
    return value


def run(step: str, options: dict[str, Any]) -> int:
    """Run ``step`` with the parsed ``options``; 0 on success, 2 with one line on a refusal."""
    try:
        with as_command():
            for line in STEPS[step](options):
                print(line)
    except (ArgumentError, WorkflowError) as exc:
        return refuse(f"publish {step}", str(exc))
    return 0


def _progress(share: float) -> None:
    print(f"\r计算中 {share:4.0%}", end="", file=sys.stderr, flush=True)


def _run(options: dict[str, Any]) -> list[str]:
    period = find_period(options["code"])
    runs = whole(options["runs"], "--runs", DEFAULT_RUNS, 1, MAX_RUNS)
    seed = whole(options["seed"], "--seed", DEFAULT_SEED, 0, 2**63 - 1)
    progress = _progress if sys.stderr.isatty() else None
    pub = service.compute(period, runs=runs, seed=seed, progress=progress)
    if progress:
        print(file=sys.stderr)
    state = pub.get_status_display()
    return [f"{period.code} 排行榜{state}：指数计算 #{pub.run_id}，{runs} 次蒙特卡洛，种子 {seed}"]


def _notice(options: dict[str, Any]) -> list[str]:
    period = find_period(options["code"])
    pub = service.start_notice(period, start=parse_date(options["start"], "--start"))
    return [f"{period.code} 公示中：{pub.notice_started_on} 起，异议截止 {pub.notice_ends_on}"]


def _final(options: dict[str, Any]) -> list[str]:
    period = find_period(options["code"])
    today = parse_date(options["today"], "--today")
    if today is not None and today > timezone.localdate():
        raise ArgumentError(f"--today {today} 晚于今天（{timezone.localdate()}），不能提前发布。")
    pub: Publication = service.finalise(period, today=today)
    return [f"{period.code} 已正式发布：内容 SHA-256 {pub.content_sha256}"]


STEPS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "run": _run,
    "notice": _notice,
    "final": _final,
}
