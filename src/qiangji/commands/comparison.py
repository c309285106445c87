"""`qiangji comparison …`: pure comparison evaluation from files (no database, no Django)."""

from __future__ import annotations

import argparse
from typing import Any

from qiangji.core.errors import InputError


def cmd_evaluate(args: argparse.Namespace) -> int:
    raise InputError("comparison evaluate is not available yet")


def add_parser(sub: Any) -> None:
    comp = sub.add_parser("comparison", help="evaluate measurement comparisons (JJF 1117, ISO 13528)")
    csub = comp.add_subparsers(dest="comparison_command", metavar="SUBCOMMAND", required=True)
    evaluate = csub.add_parser("evaluate", help="reference value and En / z / zeta scores from a CSV")
    evaluate.add_argument("results")
    evaluate.add_argument("--reference", required=True)
    evaluate.add_argument("-o", "--output")
    evaluate.set_defaults(func=cmd_evaluate)
