"""`qiangji index …`: pure index computations from files (no database, no Django)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from qiangji.commands import uncertainty
from qiangji.core.errors import InputError

PERIOD_NAMES = {"year": 1.0, "half": 0.5, "quarter": 0.25, "month": 1 / 12}
PERIOD_FRACTION_HELP = (
    "the period's length as a fraction of a year: a number (0.25), a ratio (1/4) or year, half, quarter, "
    "month (default 1: a year); targets and bounds of the framework's per-year flow indicators are "
    "pro-rated by it"
)


def parse_fraction(text: str | None) -> float:
    """``--period-fraction``: ``0.25``, ``1/4`` or a period name (``quarter``); default 1 (a year)."""
    from qiangji.core.index.period import check_fraction

    if text is None:
        return 1.0
    value = text.strip().lower()
    if value in PERIOD_NAMES:
        return PERIOD_NAMES[value]
    num, slash, den = value.partition("/")
    try:
        f = float(num) / float(den) if slash else float(num)
    except (ValueError, ZeroDivisionError):
        raise InputError(
            f"`--period-fraction` must be a number, a ratio such as 1/4 or one of {', '.join(PERIOD_NAMES)}, "
            f"got {text!r}"
        ) from None
    return check_fraction(f)


def cmd_compute(args: argparse.Namespace) -> int:
    from qiangji.core.index import compute, load_data, load_framework, parse_method

    framework = load_framework(args.framework, period_fraction=parse_fraction(args.period_fraction))
    overrides = {
        "normalise": parse_method(args.normalise) if args.normalise else None,
        "aggregate": parse_method(args.aggregate) if args.aggregate else None,
    }
    framework = framework.with_methods(**overrides)
    data = load_data(args.data, framework, period=args.period)
    result = compute(framework, data)
    if args.output:
        result.to_csv(args.output)
        print(
            f"wrote {len(result.units)} units × {len(result.codes)} nodes to {args.output}", file=sys.stderr
        )
    else:
        print(format_ranking(result))
    return 0


def format_ranking(result: Any) -> str:
    """A readable leaderboard: rank, unit, name, index score and the index's direct children."""
    fw = result.framework
    table = result.ranking().drop(columns=["publication_rank"])
    table = table.rename(columns={fw.code: "index"})
    title = f"{fw.root.label('zh')} / {fw.root.label('en')} — {fw.code} {fw.version}".strip()
    period = f" ({len(result.units)} units)"
    body = table.to_string(index=False, na_rep="–", float_format=lambda v: f"{v:.2f}")
    note = "rank 1 is best; ties share the lowest rank"
    return f"{title}{period}\n\n{body}\n\n{note}"


def add_parser(sub: Any) -> None:
    index = sub.add_parser("index", help="compute the capability index from a framework and a data file")
    isub = index.add_subparsers(dest="index_command", metavar="SUBCOMMAND", required=True)
    compute = isub.add_parser(
        "compute",
        help="compute scores and ranks",
        description="Compute the index. Writes the long CSV unit,node,level,score,rank with -o, "
        "else prints the ranking. Method overrides take NAME[:key=value,...], e.g. minmax:low=1,high=100.",
    )
    compute.add_argument("framework", help="framework file (YAML or JSON)")
    compute.add_argument("data", help="indicator data (CSV or XLSX, wide or long)")
    compute.add_argument("-o", "--output", help="write the long CSV here")
    compute.add_argument("--normalise", help="normalise every indicator with this method")
    compute.add_argument("--aggregate", help="aggregate every group with this method")
    compute.add_argument(
        "--period", help="period to compute when the data has a period column (default: latest)"
    )
    compute.add_argument("--period-fraction", metavar="F", help=PERIOD_FRACTION_HELP)
    compute.set_defaults(func=cmd_compute)
    uncertainty.add_parser(isub)
