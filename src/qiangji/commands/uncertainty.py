"""`qiangji index uncertainty …`: Monte-Carlo rank uncertainty and sensitivity from files (no Django)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from qiangji.commands.options import PERIOD_FRACTION_HELP, parse_fraction
from qiangji.core.errors import InputError

STAGE_OPTIONS = ("impute", "treat", "normalise", "aggregate")


def cmd_uncertainty(args: argparse.Namespace) -> int:
    from qiangji.core.index import load_data, load_framework
    from qiangji.core.index.uncertainty import run_uncertainty

    framework = load_framework(args.framework, period_fraction=parse_fraction(args.period_fraction))
    data = load_data(args.data, framework, period=args.period)
    spec = build_spec(args, framework.top_level)
    replay = _replay(args, framework)
    runs = args.runs if args.runs is not None else (len(replay.runs) if replay else None)
    if runs is None:
        raise InputError("`--runs` must be given (the number of replications), got nothing")
    result = run_uncertainty(
        framework,
        data,
        spec,
        runs=runs,
        seed=args.seed,
        replay=replay,
        sensitivity=args.sensitivity,
        n_boot=args.bootstrap,
        top=_top(args.top),
        chunk_size=args.chunk_size,
        keep_scores=bool(args.scores_out),
        progress=ProgressBar(sys.stderr) if sys.stderr.isatty() else None,
    )
    _write_outputs(args, framework, result)
    return 0


def build_spec(args: argparse.Namespace, top_level: int) -> Any:
    """The `UncertaintySpec` from ``--spec FILE`` overridden by the individual options."""
    from qiangji.core.index.mc.spec import MethodChoice, UncertaintySpec

    base = _read_spec(args.spec) if args.spec else {}
    data = dict(base)
    if args.weight_noise is not None:
        data["weight_noise"] = _weight_noise(args.weight_noise, top_level)
    alternatives = dict(data.get("alternatives") or {})
    for stage in STAGE_OPTIONS:
        text = getattr(args, f"alt_{stage}")
        if text:
            methods, probs = parse_alternatives(text, f"--alt-{stage}")
            choice = MethodChoice.of(methods, probs)
            alternatives[stage] = {
                "methods": list(choice.methods),
                "probabilities": list(choice.probabilities),
            }
    data["alternatives"] = alternatives
    if args.value_noise is not None:
        data["value_noise"] = args.value_noise
    if args.value_noise_kind is not None:
        data["value_noise_kind"] = args.value_noise_kind
    return UncertaintySpec.from_dict(data)


def parse_alternatives(text: str, option: str) -> tuple[list[dict[str, Any]], list[float] | None]:
    """``M1,M2`` → method specs and probabilities. ``M`` is ``name[:key=value,…][@p]``.

    A comma-separated item that holds ``=`` but no ``:`` continues the previous method's parameters, so
    ``minmax:low=1,high=100,zscore`` is two methods; ``arithmetic@0.7,geometric@0.3`` sets probabilities.
    """
    from qiangji.core.index.framework import parse_method

    items: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            raise InputError(f"`{option}` must be a comma-separated list of methods, got {text!r}")
        if "=" in part.split("@")[0] and ":" not in part and items:
            items[-1] += "," + part
        else:
            items.append(part)
    methods, probs = [], []
    for item in items:
        body, at, prob = item.partition("@")
        methods.append(parse_method(body))
        if at:
            try:
                probs.append(float(prob))
            except ValueError:
                raise InputError(f"`{option}` probability must be a number, got {prob!r}") from None
    if probs and len(probs) != len(methods):
        raise InputError(
            f"`{option}` must give a probability (@p) for every method or for none, got {text!r}"
        )
    return methods, probs or None


def _weight_noise(text: str, top_level: int) -> dict[str, float]:
    """``F`` (every level below the index) or ``LEVEL:F,LEVEL:F``."""
    try:
        if ":" not in text:
            return {str(level): float(text) for level in range(1, top_level)}
        pairs = (item.split(":", 1) for item in text.split(","))
        return {str(int(lv)): float(f) for lv, f in pairs}
    except ValueError:
        raise InputError(f"`--weight-noise` must be F or LEVEL:F[,LEVEL:F], got {text!r}") from None


def _read_spec(path: str) -> dict[str, Any]:
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if path.lower().endswith(".json") else yaml.safe_load(text)
    except OSError as exc:
        raise InputError(f"`--spec` must be a readable file, got {path!r} ({exc.strerror})") from None
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(f"`--spec` must be valid YAML or JSON, got {path!r}: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"`--spec` must hold a mapping, got {type(data).__name__}")
    return data


def _replay(args: argparse.Namespace, framework: Any) -> Any:
    from qiangji.core.index.data import read_table
    from qiangji.core.index.mc.replay import merge, read_replay_methods, read_replay_weights

    weights = methods = None
    if args.replay_weights:
        nodes = [n.code for n in framework.nodes[:-1]]
        weights = read_replay_weights(
            read_table(args.replay_weights), nodes=nodes, source=args.replay_weights
        )
    if args.replay_methods:
        methods = read_replay_methods(read_table(args.replay_methods), source=args.replay_methods)
    return merge(weights, methods)


def _top(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(k) for k in text.split(","))
    except ValueError:
        raise InputError(f"`--top` must be integers K[,K...], got {text!r}") from None


def _write_outputs(args: argparse.Namespace, framework: Any, result: Any) -> None:
    import pandas as pd

    table = result.table()
    if args.output:
        _csv(table, args.output)
        print(f"wrote {len(table)} units to {args.output}", file=sys.stderr)
    else:
        print(table.to_string(index=False, na_rep="–", float_format=lambda v: f"{v:.3f}"))
    if args.runs_out:
        _csv(result.runs_table(), args.runs_out)
    if args.weights_out:
        nodes = [n.code for n in framework.nodes[:-1]]
        wide = pd.DataFrame(result.run_weights[:, :-1], columns=nodes).assign(run=result.run_ids)
        _csv(wide.melt(id_vars="run", var_name="node", value_name="weight"), args.weights_out)
    if args.scores_out:
        scores = pd.DataFrame(result.scores, columns=list(result.units))
        scores.insert(0, "run", result.run_ids)
        _csv(scores, args.scores_out)
    if args.probabilities_out:
        _csv(result.probability_table(), args.probabilities_out)
    if result.sensitivity is not None:
        sa = result.sensitivity_table()
        if args.sensitivity_out:
            _csv(sa, args.sensitivity_out)
        shift = sa[sa["output"] == "rank_shift_mean"].drop(columns=["output", "unit"])
        print("sensitivity of the mean absolute rank shift:", file=sys.stderr)
        print(shift.to_string(index=False, float_format=lambda v: f"{v:.3f}"), file=sys.stderr)


def _csv(frame: Any, path: str) -> None:
    try:
        frame.to_csv(path, index=False, lineterminator="\n")
    except OSError as exc:
        raise InputError(f"output must be a writable file, got {path!r} ({exc.strerror})") from None


class ProgressBar:
    """A one-line progress bar on a terminal: ``[#####.....]  52%  5,200/10,000 runs  1.3 s``."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream, self.width, self.start = stream, width, time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.perf_counter() - self.start
        self.stream.write(
            f"\r[{bar}] {100 * done // max(total, 1):3d}%  {done:,}/{total:,} runs  {elapsed:.1f} s"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def add_parser(isub: Any) -> None:

    unc = isub.add_parser(
        "uncertainty",
        help="Monte-Carlo rank uncertainty and sensitivity",
        description="Monte-Carlo rank uncertainty of the index (weight noise, method alternatives, "
        "measurement "
        "noise), vectorised. Writes one row per unit: unit, score, rank, rank_median, rank_p05, rank_p95, "
        "rank_mean, rank_shift_mean, p_top_K (and p_rank_R for up to 50 units). Methods take "
        "NAME[:key=value,...][@probability], e.g. --alt-aggregate arithmetic@0.7,geometric@0.3.",
    )
    unc.add_argument("framework", help="framework file (YAML or JSON)")
    unc.add_argument("data", help="indicator data (CSV or XLSX, wide or long)")
    unc.add_argument("--runs", type=int, help="replications (with --sensitivity: base sample size N)")
    unc.add_argument("--seed", type=int, default=0, help="seed of every draw (default 0)")
    unc.add_argument("--weight-noise", metavar="F|LEVEL:F,...", help="weights × U(1-F, 1+F) per level")
    for stage in STAGE_OPTIONS:
        unc.add_argument(f"--alt-{stage}", metavar="M1,M2", help=f"{stage} methods drawn per replication")
    unc.add_argument("--value-noise", type=float, metavar="SD", help="measurement noise standard deviation")
    unc.add_argument("--value-noise-kind", choices=("relative", "absolute"), help="default relative")
    unc.add_argument("--spec", metavar="FILE", help="uncertainty spec (YAML/JSON); options override it")
    unc.add_argument("--replay-weights", metavar="FILE", help="CSV/XLSX run,node,weight instead of draws")
    unc.add_argument("--replay-methods", metavar="FILE", help="CSV/XLSX run,aggregate[,normalise,...]")
    unc.add_argument("--sensitivity", action="store_true", help="first-order and total-effect indices")
    unc.add_argument(
        "--bootstrap", type=int, default=200, help="bootstrap replicates of the indices' intervals"
    )
    unc.add_argument("--top", default="1,3", metavar="K[,K]", help="P(rank <= K) columns (default 1,3)")
    unc.add_argument("--period", help="period to use when the data has a period column (default: latest)")
    unc.add_argument("--period-fraction", metavar="F", help=PERIOD_FRACTION_HELP)
    unc.add_argument("--chunk-size", type=int, help="replications per chunk (memory; never the result)")
    unc.add_argument("-o", "--output", help="write the per-unit CSV here (else print it)")
    unc.add_argument("--runs-out", metavar="FILE", help="per-run CSV: run, block, rank_shift_mean, methods")
    unc.add_argument("--weights-out", metavar="FILE", help="per-run weights run,node,weight (replayable)")
    unc.add_argument("--scores-out", metavar="FILE", help="every replication's index scores (run × unit)")
    unc.add_argument("--probabilities-out", metavar="FILE", help="long unit,rank,probability")
    unc.add_argument("--sensitivity-out", metavar="FILE", help="long CSV of the sensitivity indices")
    unc.set_defaults(func=cmd_uncertainty)
