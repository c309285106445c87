"""From a period's indicator frame to the stored numbers of an index run (no ORM here).

``compute_payload(spec, frame, names, uncertainty, seed=…, runs=…)`` calls the core engine
(`qiangji.core.index.compute` and `qiangji.core.index.uncertainty.run_uncertainty`) and returns the run's
result as plain JSON-ready data (missing numbers as ``None``). The caller writes it with the core's
`qiangji.core.canonical.canonical_json` (sorted keys, floats as ``repr``, which round-trips exactly), so a
recomputation from the stored snapshot can be compared with the stored text byte for byte, and hashed.

The default rank uncertainty varies the weights of every level by ±25 % (uniform, renormalised within
each parent; JRC/OECD *Handbook on Constructing Composite Indicators* 2008, step 7): the 5–95 % rank
interval shown on the leaderboard answers "how far could this rank move if the expert weights were
somewhat different".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from qiangji.core.canonical import nan_to_none
from qiangji.core.index import IndexResult, IndexSpec, compute, data_from_frame
from qiangji.core.index.mc.spec import UncertaintySpec
from qiangji.core.index.targets import with_targets
from qiangji.core.index.uncertainty import UncertaintyResult, run_uncertainty

DEFAULT_WEIGHT_NOISE = 0.25
#: Monte-Carlo chunks when someone follows the progress (a chunk is the unit of progress reports).
PROGRESS_CHUNKS = 20
PAYLOAD_VERSION = 1


def default_uncertainty(spec: IndexSpec) -> UncertaintySpec:
    """Weights of every level below the index perturbed by ±25 % (module docstring)."""
    levels = range(1, spec.framework.top_level)
    return UncertaintySpec(weight_noise={lv: DEFAULT_WEIGHT_NOISE for lv in levels})


def _matrix(a: np.ndarray) -> list[list[float | None]]:
    return [[nan_to_none(v) for v in row] for row in np.asarray(a, dtype=np.float64)]


def _vector(a: Any) -> list[float | None]:
    return [nan_to_none(v) for v in np.asarray(a, dtype=np.float64)]


def core_frame(
    frame: pd.DataFrame, names: Mapping[str, str], attributes: Mapping[str, Mapping[str, Any]] | None = None
) -> pd.DataFrame:
    """The wide ``unit, name, <attributes>, <indicators>`` frame the core reads (units in code order).

    ``attributes`` (unit attribute → unit → text) are the gate's facts; only those given are added.
    """
    wide = frame.sort_index()
    out = pd.DataFrame({"unit": [str(u) for u in wide.index]})
    out["name"] = [names.get(str(u), str(u)) for u in wide.index]
    for name, values in (attributes or {}).items():
        out[name] = [values.get(str(u)) for u in wide.index]
    for col in wide.columns:
        out[str(col)] = np.asarray(wide[col], dtype=np.float64)
    return out


def compute_payload(
    spec: IndexSpec,
    frame: pd.DataFrame,
    names: Mapping[str, str],
    uncertainty: UncertaintySpec,
    *,
    seed: int,
    runs: int,
    progress: Callable[[int, int], None] | None = None,
    attributes: Mapping[str, Mapping[str, Any]] | None = None,
    targets: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, Any]:
    """Compute the index and its rank uncertainty; the JSON-ready result stored with a run.

    ``progress(done, total)`` is called after each chunk of Monte-Carlo runs; asking for it makes the chunks
    smaller (about 20 of them) so a page can follow, which never changes the result (`run_uncertainty`).
    ``attributes`` are the inputs' unit attributes; the gate's facts are read from them. A framework with
    a gate or a missing-value floor adds ``gate``, ``ungated`` and ``floored`` to the result (`_rules_part`);
    one without (2025.1) gives exactly the result it always gave. ``targets`` (unit → indicator → the plan's
    target) replace the framework's full-marks goalposts where it accepts them; the result then names them.
    """
    facts = {k: v for k, v in (attributes or {}).items() if k in spec.framework.rules.facts}
    data = with_targets(
        data_from_frame(core_frame(frame, names, facts), spec.framework), spec.framework, targets or {}
    )
    result = compute(spec, data)
    chunk = max(1, -(-runs // PROGRESS_CHUNKS)) if progress is not None else None
    unc = run_uncertainty(spec, data, uncertainty, runs=runs, seed=seed, progress=progress, chunk_size=chunk)
    return {
        "payload_version": PAYLOAD_VERSION,
        **_result_part(result),
        "uncertainty": _uncertainty_part(unc),
        "strengths_weaknesses": _sw_part(result),
        **_rules_part(result),
        **_targets_part(result),
    }


def _targets_part(result: IndexResult) -> dict[str, Any]:
    """Unit → indicator → the per-unit target that replaced the framework's (in the framework file's terms);
    nothing when none applied, so a run without targets is the text it always was."""
    if result.targets is None or np.isnan(result.targets).all():
        return {}
    fw = result.framework
    out = {
        u: {fw.indicators[j]: float(row[j]) for j in np.flatnonzero(~np.isnan(row))}
        for u, row in zip(result.units, result.targets, strict=True)
    }
    return {"targets": {u: t for u, t in out.items() if t}}


def _rules_part(result: IndexResult) -> dict[str, Any]:
    """The gate per unit (rules fired, tier cap), the total before it, and the floored cells."""
    rules = result.framework.rules
    if not rules.gate and not np.any(~np.isnan(result.framework.floors)):
        return {}
    gate = result.gate
    fw = result.framework
    floored = result.floored if result.floored is not None else np.zeros(result.raw.shape, dtype=bool)
    return {
        "gate": {
            "rules": [list(r) for r in gate.rules] if gate else [[] for _ in result.units],
            "cap_tier": list(gate.cap_tier) if gate else [None for _ in result.units],
        },
        "ungated": _vector(result.ungated if result.ungated is not None else result.scores[:, -1]),
        "floored": [[fw.indicators[j] for j in np.flatnonzero(row)] for row in floored],
    }


def _result_part(result: IndexResult) -> dict[str, Any]:
    fw = result.framework
    return {
        "units": list(result.units),
        "names": list(result.names or result.units),
        "nodes": list(result.codes),
        "levels": [int(v) for v in fw.level],
        "indicators": list(fw.indicators),
        "raw": _matrix(result.raw),
        "normalised": _matrix(result.normalised),
        "scores": _matrix(result.scores),
        "ranks": _matrix(result.ranks),
        "publication_rank": _vector(result.publication_rank),
        "contributions": _matrix(result.contributions),
    }


def _uncertainty_part(unc: UncertaintyResult) -> dict[str, Any]:
    table = unc.table(rank_probability_columns=0)
    cols = ("rank_median", "rank_p05", "rank_p95", "rank_mean", "rank_shift_mean", "p_top_1", "p_top_3")
    part: dict[str, Any] = {"units": [str(u) for u in table["unit"]]}
    part |= {c: _vector(table[c]) for c in cols if c in table}
    part["n_runs"] = [int(v) for v in table["n_runs"]]
    part["spec"] = unc.spec.to_dict()
    part["seed"] = int(unc.seed)
    return part


def _sw_part(result: IndexResult) -> list[dict[str, Any]]:
    records: list[Any] = result.strengths_weaknesses(3).to_dict("records")
    return [
        {
            "unit": str(r["unit"]),
            "kind": str(r["kind"]),
            "order": int(r["order"]),
            "indicator": str(r["indicator"]),
            "rank": nan_to_none(r["rank"]),
            "value": nan_to_none(r["value"]),
        }
        for r in records
    ]


def ranked_units(payload: Mapping[str, Any]) -> Sequence[tuple[int, str]]:
    """``(publication rank, unit)`` in publication order (units without a rank left out)."""
    pairs = [(int(r), u) for r, u in zip(payload["publication_rank"], payload["units"], strict=True) if r]
    return sorted(pairs)
