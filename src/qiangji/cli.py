"""The `qiangji` command.

Each command group lives in `qiangji.commands.<group>` and exposes `add_parser(subparsers)`; the parser
it adds sets `func(args) -> int`. Command modules import heavy dependencies (Django, pandas) inside their
functions, so that the pure commands (`index`, `comparison`) start fast and never load Django.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from qiangji import __version__
from qiangji.commands import COMMAND_MODULES
from qiangji.core.errors import InputError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qiangji",
        description="强基: county metrology capability index, registry, publication and comparisons.",
    )
    parser.add_argument("--version", action="version", version=f"qiangji {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except InputError as exc:
        print(f"qiangji: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`qiangji audit certificates | head`): stop quietly, as a Unix filter does
        # on SIGPIPE, and point standard output at nothing so that the interpreter's own flush at exit
        # does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
