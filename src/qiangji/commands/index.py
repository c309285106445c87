"""`qiangji index …`: pure index computations from files (no database, no Django)."""

from __future__ import annotations

import argparse
from typing import Any

from qiangji.commands import uncertainty
from qiangji.core.errors import InputError


def cmd_compute(args: argparse.Namespace) -> int:
    raise InputError("index compute is not available yet")


def add_parser(sub: Any) -> None:
    index = sub.add_parser("index", help="compute the capability index from a framework and a data file")
    isub = index.add_subparsers(dest="index_command", metavar="SUBCOMMAND", required=True)
    compute = isub.add_parser("compute", help="compute scores and ranks")
    compute.add_argument("framework")
    compute.add_argument("data")
    compute.add_argument("-o", "--output")
    compute.add_argument("--normalise")
    compute.add_argument("--aggregate")
    compute.set_defaults(func=cmd_compute)
    uncertainty.add_parser(isub)
