"""`qiangji index uncertainty …`: Monte-Carlo rank uncertainty from files (no database, no Django)."""

from __future__ import annotations

import argparse
from typing import Any

from qiangji.core.errors import InputError


def cmd_uncertainty(args: argparse.Namespace) -> int:
    raise InputError("index uncertainty is not available yet")


def add_parser(isub: Any) -> None:
    unc = isub.add_parser("uncertainty", help="Monte-Carlo rank uncertainty and sensitivity")
    unc.add_argument("framework")
    unc.add_argument("data")
    unc.add_argument("--runs", type=int, required=True)
    unc.add_argument("--seed", type=int, default=0)
    unc.add_argument("-o", "--output")
    unc.set_defaults(func=cmd_uncertainty)
