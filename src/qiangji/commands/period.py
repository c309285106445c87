"""The `qiangji period` and `qiangji publish` commands: a period's lifecycle from the command line.

They act on the configured database (like `import` or `alerts`) with server access as their authority:
no role is asked, and every change is audited with the operating-system account as actor (source
``cli``). A refusal — a step out of order, an unknown period, version or institution, a bad date — exits
2 with one line on stderr saying why. Django is imported only when a command runs.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn


class OneLineParser(argparse.ArgumentParser):
    """A bad argument gets one line on stderr (not argparse's usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _run(args: argparse.Namespace) -> int:
    from qiangji.commands.database import migrate, setup_django

    setup_django(None)
    migrate()
    if args.step.startswith("period."):
        from qiangji.web.assessment.cli import run
    else:
        from qiangji.web.publication.cli import run  # type: ignore[no-redef]
    return int(run(args.step.split(".")[1], vars(args)))


def _group(sub: Any, name: str, help_text: str) -> Any:
    group = sub.add_parser(name, help=help_text)
    steps = group.add_subparsers(dest="step", metavar="STEP", required=True, parser_class=OneLineParser)
    group.set_defaults(func=_run)
    return steps


def _step(steps: Any, name: str, step: str, help_text: str) -> Any:
    parser = steps.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(step=step)
    return parser


def add_parser(sub: Any) -> None:
    steps = _group(sub, "period", "a period's lifecycle: open, extend, lock, status")
    opener = _step(steps, "open", "period.open", "open (or re-date) a period for reporting")
    opener.add_argument("code", help="2026Q1 or 2026")
    opener.add_argument("--deadline", required=True, help="last reporting day, YYYY-MM-DD (inclusive)")
    opener.add_argument("--opens", default=None, help="first reporting day, YYYY-MM-DD (default today)")
    opener.add_argument("--framework", default=None, help="framework version (default: the newest)")
    extend = _step(steps, "extend", "period.extend", "reopen reporting for one institution, with a reason")
    extend.add_argument("code")
    extend.add_argument("institution", help="institution code")
    extend.add_argument("--until", required=True, help="YYYY-MM-DD")
    extend.add_argument("--reason", required=True)
    lock = _step(steps, "lock", "period.lock", "lock a period after its deadline (every value approved)")
    lock.add_argument("code")
    status = _step(steps, "status", "period.status", "the periods' stages, or one period in detail")
    status.add_argument("code", nargs="?", default=None)

    steps = _group(sub, "publish", "compute, notice (公示) and final publication of a locked period")
    run = _step(steps, "run", "publish.run", "compute the index and store it as the draft ranking")
    run.add_argument("code")
    run.add_argument("--runs", default=None, help="Monte-Carlo runs (default 2000)")
    run.add_argument("--seed", default=None, help="random seed (default 20250101)")
    notice = _step(steps, "notice", "publish.notice", "start the public notice of the draft")
    notice.add_argument("code")
    notice.add_argument("--start", default=None, help="first notice day, YYYY-MM-DD (default today)")
    final = _step(steps, "final", "publish.final", "publish the ranking as final after the notice")
    final.add_argument("code")
    final.add_argument("--today", default=None, help="publication date, YYYY-MM-DD, not after today")
