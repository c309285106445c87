"""Replay: given weight sets and method choices per replication, instead of random draws.

With replay a run can be reproduced exactly, or compared with another tool's draws (e.g. COINr's
``get_sensitivity`` weights exported to CSV). Two long tables, one row per replication and item:

- weights ``run,node,weight``: relative weights of some nodes in each run. Every run must list the same
  nodes; nodes not listed keep their framework weight; weights are renormalised within each parent.
- methods ``run,aggregate`` and optionally ``normalise``, ``impute``, ``treat``: the method of each stage in
  each run, as a name or ``name:key=value,…`` (`qiangji.core.index.framework.parse_method`). The columns
  ``block`` and ``rank_shift_mean`` of a runs table written by ``qiangji index uncertainty --runs-out``
  are ignored, so that table replays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from qiangji.core.errors import InputError
from qiangji.core.index.mc.spec import STAGE_NAMES

__all__ = ["Replay", "merge", "read_replay_methods", "read_replay_weights"]

_IGNORED = ("block", "rank_shift_mean")


@dataclass(frozen=True)
class Replay:
    """Replayed inputs, runs sorted ascending (``runs``).

    ``weights`` is (runs × len(weight_nodes)) or None; ``methods`` maps a stage to one name per run.
    """

    runs: tuple[int, ...]
    weight_nodes: tuple[str, ...] = ()
    weights: NDArray[np.float64] | None = None
    methods: dict[str, tuple[str, ...]] | None = None


def read_replay_weights(table: pd.DataFrame, *, nodes: Sequence[str], source: str = "weights") -> Replay:
    """Check and pivot a ``run,node,weight`` table; ``nodes`` are the framework's weighted node codes."""
    frame = _columns(table, ("run", "node", "weight"), source)
    runs = _run_column(frame, source)
    node = frame["node"].astype(str).str.strip()
    unknown = sorted(set(node) - set(nodes))
    if unknown:
        raise InputError(f"{source}: `node` must be a node of the framework, got {', '.join(unknown)}")
    weight = pd.to_numeric(frame["weight"], errors="coerce")
    bad = np.flatnonzero(~(weight >= 0).to_numpy())
    if bad.size:
        row = int(bad[0])
        got = frame["weight"].iloc[row]
        raise InputError(f"{source}: row {row + 2} `weight` must be a non-negative number, got {got!r}")
    table = pd.DataFrame({"run": runs, "node": node, "weight": weight})
    dup = table.duplicated(["run", "node"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"{source}: row {row + 2} repeats node {node.iloc[row]} in run {runs.iloc[row]}")
    wide = table.pivot(index="run", columns="node", values="weight").sort_index()
    missing = wide.isna().any(axis=1)
    if missing.any():
        run = int(wide.index[missing.to_numpy()][0])
        lacking = ", ".join(str(c) for c in wide.columns[wide.loc[run].isna().to_numpy()])
        raise InputError(f"{source}: every run must list the same nodes; run {run} lacks {lacking}")
    order = [n for n in nodes if n in wide.columns]
    return Replay(
        runs=tuple(int(r) for r in wide.index),
        weight_nodes=tuple(order),
        weights=wide[order].to_numpy(dtype=np.float64),
    )


def read_replay_methods(table: pd.DataFrame, *, source: str = "methods") -> Replay:
    """Check a ``run,aggregate[,normalise,impute,treat]`` table (method names are checked by the engine)."""
    stages = [c for c in STAGE_NAMES if c in table.columns]
    extra = sorted(str(c) for c in table.columns if c not in ("run", *_IGNORED) and c not in STAGE_NAMES)
    if extra or not stages:
        raise InputError(
            f"{source}: columns must be `run` and one or more of {', '.join(STAGE_NAMES)}, "
            f"got {', '.join(str(c) for c in table.columns)}"
        )
    frame = _columns(table, ("run", *stages), source)
    runs = _run_column(frame, source)
    dup = runs.duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"{source}: row {row + 2} repeats run {runs.iloc[row]}")
    order = np.argsort(runs.to_numpy(), kind="stable")
    methods = {}
    for stage in stages:
        names = frame[stage].astype(str).str.strip().to_numpy()[order]
        empty = np.flatnonzero((names == "") | (names == "nan"))
        if empty.size:
            raise InputError(
                f"{source}: row {int(order[empty[0]]) + 2} `{stage}` must name a method, got nothing"
            )
        methods[stage] = tuple(str(n) for n in names)
    return Replay(runs=tuple(int(r) for r in runs.to_numpy()[order]), methods=methods)


def merge(weights: Replay | None, methods: Replay | None) -> Replay | None:
    """One `Replay` from the two tables, which must list the same runs."""
    if weights is None or methods is None:
        return weights or methods
    if weights.runs != methods.runs:
        only = sorted(set(weights.runs) ^ set(methods.runs))[:5]
        raise InputError(f"replay weights and methods must list the same runs; they differ in run(s) {only}")
    return Replay(weights.runs, weights.weight_nodes, weights.weights, methods.methods)


def _columns(table: pd.DataFrame, required: Sequence[str], source: str) -> pd.DataFrame:
    frame = table.rename(columns=lambda c: str(c).strip())
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: columns must include {', '.join(required)}, got {', '.join(map(str, frame.columns))}"
        )
    if frame.empty:
        raise InputError(f"{source}: must hold at least one row, got none")
    return frame


def _run_column(frame: pd.DataFrame, source: str) -> pd.Series:
    runs = pd.to_numeric(frame["run"], errors="coerce")
    bad = np.flatnonzero(~(runs.notna() & (runs == runs.round())).to_numpy())
    if bad.size:
        row = int(bad[0])
        raise InputError(f"{source}: row {row + 2} `run` must be an integer, got {frame['run'].iloc[row]!r}")
    return runs.astype(np.int64)
