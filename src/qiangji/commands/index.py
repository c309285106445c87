"""`qiangji index …`: pure index computations from files (no database, no Django)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from qiangji.commands import uncertainty
from qiangji.commands.options import PERIOD_FRACTION_HELP, parse_fraction
from qiangji.core.errors import InputError


def _compute(args: argparse.Namespace) -> Any:
    """The run of ``index compute`` and ``index audit``: framework, overrides, data, ``compute``."""
    from qiangji.core.index import compute, load_data, load_framework, parse_method

    framework = load_framework(args.framework, period_fraction=parse_fraction(args.period_fraction))
    overrides = {
        "normalise": parse_method(args.normalise) if args.normalise else None,
        "aggregate": parse_method(args.aggregate) if args.aggregate else None,
    }
    framework = framework.with_methods(**overrides)
    data = load_data(args.data, framework, period=args.period)
    return compute(framework, data)


def cmd_compute(args: argparse.Namespace) -> int:
    result = _compute(args)
    if args.output:
        result.to_csv(args.output)
        print(
            f"wrote {len(result.units)} units × {len(result.codes)} nodes to {args.output}", file=sys.stderr
        )
    else:
        print(format_ranking(result))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    import warnings

    from qiangji.core.errors import DegenerateDataWarning
    from qiangji.core.index.audit import audit

    if not args.factor > 1:
        raise InputError(f"`--factor` must be a number greater than 1, got {args.factor:g}")
    result = _compute(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DegenerateDataWarning)
        report = audit(result, factor=args.factor)
    for w in caught:
        print(f"qiangji: warning: {w.message}", file=sys.stderr)
    for finding in report.findings:
        print(f"qiangji: weight warning: {finding.message}", file=sys.stderr)
    if args.output:
        report.to_csv(args.output)
        print(f"wrote the audit of {len(result.units)} units to {args.output}", file=sys.stderr)
    else:
        report.write_csv(sys.stdout)
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
    _add_audit_parser(isub)
    uncertainty.add_parser(isub)


def _add_audit_parser(isub: Any) -> None:
    audit = isub.add_parser(
        "audit",
        help="statistical audit of the index (correlations, alpha, PCA, weights and importance)",
        description="Audit the index on its normalised and aggregated scores. Writes the long CSV "
        "kind,node,item,value (kinds corr_parent, cronbach, pca_var1, pca_abs_load, eff_weight, var_share, "
        "main_effect) to OUT with -o, else to standard output; warnings go to standard error.",
    )
    audit.add_argument("framework", help="framework file (YAML or JSON)")
    audit.add_argument("data", help="indicator data (CSV or XLSX, wide or long)")
    audit.add_argument("-o", "--output", help="write the long CSV here")
    audit.add_argument(
        "--factor",
        type=float,
        default=2.0,
        help="warn where a dimension's importance and its nominal weight differ by more than this factor "
        "(default 2)",
    )
    audit.add_argument("--normalise", help="normalise every indicator with this method")
    audit.add_argument("--aggregate", help="aggregate every group with this method")
    audit.add_argument("--period", help="period to audit when the data has a period column (default: latest)")
    audit.add_argument("--period-fraction", metavar="F", help=PERIOD_FRACTION_HELP)
    audit.set_defaults(func=cmd_audit)
