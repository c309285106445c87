"""`qiangji comparison …`: pure comparison evaluation from files (no database, no Django).

RESULTS.csv has the columns ``lab,x,U,k`` and optionally ``included`` (1/0, yes/no, true/false),
``date`` (YYYY-MM-DD) and ``pilot`` (1 on the pilot laboratory's rows). With ``--reference pilot`` and
several dated pilot rows, the pilot's value is drift-corrected to each laboratory's date.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qiangji.core.errors import InputError

REQUIRED = ("lab", "x", "U", "k")
TRUE, FALSE = {"1", "yes", "y", "true", "是"}, {"0", "no", "n", "false", "否"}


@dataclass(frozen=True)
class Row:
    lab: str
    x: float
    U: float
    k: float
    included: bool
    date: str
    pilot: bool

    @property
    def u(self) -> float:
        return self.U / self.k


def _number(text: str, where: str, *, positive: bool) -> float:
    from qiangji.core.comparison import MAX_MAGNITUDE

    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: must be a number, got {text!r}") from None
    if not math.isfinite(value) or (positive and value <= 0):
        raise InputError(f"{where}: must be a {'positive ' if positive else ''}finite number, got {text!r}")
    if abs(value) > MAX_MAGNITUDE:  # 1e308 overflowed the statistics
        raise InputError(f"{where}: must be within ±{MAX_MAGNITUDE:g}, got {text!r}")
    return value


def _flag(text: str, where: str, default: bool) -> bool:
    t = text.strip().lower()
    if not t:
        return default
    if t in TRUE | FALSE:
        return t in TRUE
    raise InputError(f"{where}: must be 1/0, yes/no or true/false, got {text!r}")


def _date(text: str, where: str) -> str:
    """A YYYY-MM-DD date within the plausible window (``QIANGJI_EARLIEST_YEAR``/``_YEARS_AHEAD``), or ''."""
    from qiangji.core.plausible import date_window

    if not text.strip():
        return ""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{where}: must be a date YYYY-MM-DD, got {text!r}") from None
    first, last = date_window(
        dt.date.today(),
        earliest_year=_env_int("QIANGJI_EARLIEST_YEAR"),
        years_ahead=_env_int("QIANGJI_YEARS_AHEAD"),
    )
    if not first <= day <= last:
        raise InputError(f"{where}: must be a date from {first} to {last}, got {text!r}")
    return day.isoformat()


def _env_int(name: str) -> Any:
    """The window's override from the environment, as the web reads it; absent: the core's default."""
    from qiangji.core import plausible

    raw = os.environ.get(name, "").strip()
    if not raw:
        return getattr(plausible, name.removeprefix("QIANGJI_"))
    try:
        return int(raw)
    except ValueError:
        raise InputError(f"{name} must be an integer, got {raw!r}") from None


def _row(rec: dict[str, str], line: int, name: str) -> Row:
    def at(col: str) -> str:
        return f"{name} row {line}, column {col}"

    lab = (rec.get("lab") or "").strip()
    if not lab:
        raise InputError(f"{at('lab')}: must not be empty")
    return Row(
        lab,
        _number(rec.get("x") or "", at("x"), positive=False),
        _number(rec.get("U") or "", at("U"), positive=True),
        _number(rec.get("k") or "", at("k"), positive=True),
        _flag(rec.get("included") or "", at("included"), True),
        _date(rec.get("date") or "", at("date")),
        _flag(rec.get("pilot") or "", at("pilot"), False),
    )


def read_results(path: str) -> list[Row]:
    """Rows of RESULTS.csv; an InputError names the row (1 = header) and column of the first problem."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path}: no such file")
    with file.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{file.name}: missing column(s) {', '.join(missing)}; need lab,x,U,k")
        records = list(reader)
    rows = _rows_by_column(records)
    if rows is None:  # some cell is bad: validate row by row for the message naming the first one
        rows = [_row(rec, i, file.name) for i, rec in enumerate(records, start=2)]
    if not rows:
        raise InputError(f"{file.name}: no results")
    from qiangji.core.comparison import check_results

    labs, where = (
        [r.lab for r in rows],
        [f"{file.name} row {i}, lab {r.lab!r}" for i, r in enumerate(rows, 2)],
    )
    try:  # u = U/k within the bounds too (a tiny k makes a huge u)
        check_results(labs, [r.x for r in rows], [r.u for r in rows], where=where)
    except InputError as exc:
        raise InputError(f"{file.name}: results outside the bounds of the statistics", exc.errors) from None
    return rows


def _rows_by_column(records: list[dict[str, str]]) -> list[Row] | None:
    """The rows, validated a column at a time (the rules of `_row`); None if any cell breaks a rule."""
    import numpy as np

    def col(name: str) -> list[str]:
        return [rec.get(name) or "" for rec in records]

    from qiangji.core.comparison import MAX_MAGNITUDE

    try:
        labs = [v.strip() for v in col("lab")]
        x, big_u, k = ([float(v) for v in col(c)] for c in ("x", "U", "k"))
        known = {d: _date(d, "") for d in set(col("date"))}  # the few distinct dates, each by `_date`
    except (ValueError, InputError):
        return None
    dates = [known[d] for d in col("date")]
    positive, values = np.array(big_u + k), np.array(x)
    if not all(labs) or not np.isfinite(values).all() or not (np.isfinite(positive) & (positive > 0)).all():
        return None
    if (np.abs(values) > MAX_MAGNITUDE).any() or (positive > MAX_MAGNITUDE).any():
        return None
    included, pilot = _flags(col("included"), True), _flags(col("pilot"), False)
    if included is None or pilot is None:
        return None
    return list(map(Row, labs, x, big_u, k, included, dates, pilot))


def _flags(texts: list[str], default: bool) -> list[bool] | None:
    """`_flag` over a column; None if a cell is not a known flag."""
    values = [t.strip().lower() for t in texts]
    if not set(values) <= TRUE | FALSE | {""}:
        return None
    return [v in TRUE if v else default for v in values]


def _pilot_index(rows: list[Row], pilot: str | None) -> list[int]:
    if pilot is not None:
        idx = [i for i, r in enumerate(rows) if r.lab == pilot]
        if not idx:
            raise InputError(f"--pilot: no row has lab {pilot!r}")
        return idx
    idx = [i for i, r in enumerate(rows) if r.pilot]
    if not idx:
        raise InputError("--reference pilot needs --pilot LAB or a `pilot` column marking the pilot's row")
    return idx


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The evaluation options given on the command line (the core's defaults for the others)."""
    given = {name: getattr(args, name, None) for name in OPTION_FLAGS}
    options = {k: v for k, v in given.items() if v is not None}
    if options.get("correlated") == "independent":
        options["correlated"] = False  # the core's spelling of "every U(d) independent"
    return options


def _evaluate(rows: list[Row], args: argparse.Namespace) -> tuple[Any, list[Row]]:
    """The point evaluated by the core, and the rows its laboratories are (the pilot's drift rows are not)."""
    from qiangji.core.comparison import evaluate_point

    common = {"method": args.reference, "sigma_pt": args.sigma_pt, **_options(args)}
    pilot = None
    if args.reference == "pilot":
        pilots = _pilot_index(rows, args.pilot)
        if len(pilots) > 1:
            return _drift(rows, pilots, common)
        pilot = pilots[0]
    return evaluate_point(**_inputs(rows), pilot=pilot, **common), rows


def _inputs(rows: list[Row]) -> dict[str, Any]:
    return {
        "labs": [r.lab for r in rows],
        "x": [r.x for r in rows],
        "u": [r.u for r in rows],
        "included": [r.included for r in rows],
        "dates": [r.date for r in rows],
    }


def _drift(rows: list[Row], pilots: list[int], common: dict[str, Any]) -> tuple[Any, list[Row]]:
    """Several pilot rows: each laboratory is compared with the pilot's drift line at its own date."""
    from qiangji.core.comparison import evaluate_point

    if any(not rows[i].date for i in pilots):
        raise InputError("the pilot has several rows: every pilot row needs a `date` for the drift line")
    labs = [r for i, r in enumerate(rows) if i not in pilots]
    if any(not r.date for r in labs):
        bad = next(r.lab for r in labs if not r.date)
        raise InputError(f"lab {bad!r} needs a `date`: the pilot's value is drift-corrected to it")
    checks = [(rows[i].date, rows[i].x, rows[i].u) for i in pilots]
    return evaluate_point(**_inputs(labs), pilot_checks=checks, **common), labs


def _print_reference(out: Any) -> None:
    if out.drift is not None:
        line = out.drift
        fit = f"chi2 {line.chi2:.4g} (dof {line.dof})" if line.dof > 0 else "two points: interpolation"
        print(f"reference 参考值: pilot drift line, slope {line.slope:.6g}/day (u {line.u_slope:.2g}), {fit}")
    else:
        ref = out.reference
        print(
            f"reference 参考值 ({ref.method}): X_ref = {ref.value:.6g}, u = {ref.u:.2g}, U(k=2) = {ref.U:.2g}"
        )
        for key, value in ref.diagnostics.items():
            print(f"  {key}: {value:.6g}" if isinstance(value, float) else f"  {key}: {value}")
        if ref.algorithm_a is not None:
            print("  Algorithm A iterations (iteration, x*, s*):")
            for it in ref.algorithm_a.iterations:
                print(f"    {it.iteration:3d}  {it.mean:.6g}  {it.sd:.6g}")
    t = out.trail
    print(f"  {t['en_formula']}; U_ts = {t['U_ts']:.4g}")
    if t.get("sigma_pt") is not None:
        print(f"  sigma_pt = {t['sigma_pt']:.4g} ({t['sigma_pt_source']})")
    for w in t["warnings"]:
        print(f"  warning: {w}", file=sys.stderr)


def _table(out: Any, rows: list[Row]) -> list[dict[str, Any]]:
    """One line per laboratory: the file's own columns, then every declared result column the core
    computed (``RESULT_COLUMNS``; the laboratory's x and U are the file's), and the verdict in Chinese."""
    from qiangji.core.comparison import RESULT_COLUMNS, Verdict

    table = []
    for r, score in zip(rows, out.rows, strict=True):
        line: dict[str, Any] = {"lab": r.lab, "x": r.x, "U": r.U, "k": r.k, "included": int(r.included)}
        line.update({c.name: getattr(score, c.name) for c in RESULT_COLUMNS if not c.given})
        line["verdict_zh"] = Verdict(score.verdict).zh
        table.append(line)
    return table


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _print_table(table: list[dict[str, Any]]) -> None:
    """The table on standard output, each declared number by its column's format."""
    from qiangji.core.comparison import RESULT_COLUMNS

    declared = {c.name: c for c in RESULT_COLUMNS}
    cols = [c for c in table[0] if c not in ("verdict", "verdict_zh")] + ["verdict_zh", "verdict"]
    print("\t".join(cols))
    cells = [
        declared[c].texts(line[c] for line in table) if c in declared else [_fmt(line[c]) for line in table]
        for c in cols
    ]
    sys.stdout.write("".join("\t".join(row) + "\n" for row in zip(*cells, strict=True)))


def cmd_evaluate(args: argparse.Namespace) -> int:
    rows = read_results(args.results)
    out, scored = _evaluate(rows, args)
    _print_reference(out)
    table = _table(out, scored)
    _print_table(table)
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows(table)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


#: A flag for every evaluation option of the core (``OPTION_NAMES``): type, choices and help.
OPTION_FLAGS: dict[str, dict[str, Any]] = {
    "alpha": {"type": float, "help": "significance level of the chi-squared consistency test (0.05)"},
    "mean_uncertainty": {
        "choices": ("data", "uncertainties"),
        "help": "u of the arithmetic mean: s/sqrt(n) (data) or sqrt(sum u_i^2)/n",
    },
    "birge_inflation": {
        "action": "store_const",
        "const": True,
        "help": "multiply u of the weighted mean by the Birge ratio when it exceeds 1",
    },
    "n_mc": {"type": int, "help": "Monte Carlo draws of the median's u (10000)"},
    "seed": {"type": int, "default": 0, "help": "seed of the median's Monte Carlo (default 0)"},
    "correlated": {
        "choices": ("auto", "independent"),
        "help": "U(d) by the reference's form (auto) or independent for every result",
    },
    "U_ts": {"type": float, "help": "U(x_ts), k=2: transfer-standard instability, added to every En"},
}


class _Methods:
    """The core's reference-method names (``REFERENCE_METHODS``), read only when argparse checks or lists
    them: the core loads numpy and scipy, which ``qiangji --help`` and the other commands need not wait for.
    """

    def _names(self) -> tuple[str, ...]:
        from qiangji.core.comparison import REFERENCE_METHODS

        return tuple(REFERENCE_METHODS)

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


def add_parser(sub: Any) -> None:
    comp = sub.add_parser("comparison", help="evaluate measurement comparisons (JJF 1117, ISO 13528)")
    csub = comp.add_subparsers(dest="comparison_command", metavar="SUBCOMMAND", required=True)
    evaluate = csub.add_parser(
        "evaluate", help="reference value, En, zeta and z with verdicts from a CSV (JJF 1117, ISO 13528)"
    )
    evaluate.add_argument("results", help="CSV with lab,x,U,k and optional included,date,pilot")
    evaluate.add_argument(
        "--reference", required=True, choices=_Methods(), metavar="METHOD", help="one of %(choices)s"
    )
    evaluate.add_argument("--pilot", help="lab code of the pilot laboratory (for --reference pilot)")
    evaluate.add_argument(
        "--sigma-pt", type=float, help="sigma_pt for z or z' (default: the robust s* of a consensus value)"
    )
    for name, spec in OPTION_FLAGS.items():
        evaluate.add_argument(f"--{name.replace('_', '-')}", dest=name, **spec)
    evaluate.add_argument("-o", "--output", help="write the results table as CSV")
    evaluate.set_defaults(func=cmd_evaluate)
