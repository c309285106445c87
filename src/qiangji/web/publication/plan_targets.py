"""Which per-institution target of the 差异化 plan scored an indicator, for the scorecard, the methodology
page and the content of a publication (read from the run's stored result, so a frozen page keeps them).

A run whose framework accepts per-unit targets and whose period had an adopted plan stores them in its
result (``targets``: unit → indicator → the plan's amount, per year for a ``per: year`` flow); the amount
that applied is pro-rated by the period's fraction of a year like the framework's own goalposts
(`qiangji.core.index.targets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qiangji.core.index import IndexSpec
from qiangji.core.index.targets import TARGET_PARAM, applied


def target_rows(spec: IndexSpec, results: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Unit → the targets that applied to it, each with the framework's own value for comparison."""
    fw = spec.framework
    out: dict[str, list[dict[str, Any]]] = {}
    for unit, codes in sorted((results.get("targets") or {}).items()):
        rows = []
        for code, value in sorted(codes.items()):
            node = fw.node(code)
            norm = node.methods["normalise"]
            param = TARGET_PARAM.get(norm.method)
            own = None if param is None else float(norm.params[param])
            rows.append(
                {
                    "code": code,
                    "name": node.label("zh"),
                    "unit": node.unit or "",
                    "per_year": node.per == "year",
                    "target": float(value),
                    "applied": applied(fw, code, float(value)),
                    "framework": None if own is None else own / node.scale,
                    "framework_applied": own,
                    "prorated": node.scale != 1.0,
                }
            )
        out[str(unit)] = rows
    return out


def methodology_rows(spec: IndexSpec, results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per institution with targets (name and its targets), in unit order, for the methodology."""
    names = dict(zip(results["units"], results["names"], strict=True))
    return [
        {"unit": u, "name": names.get(u, u), "targets": rows}
        for u, rows in target_rows(spec, results).items()
    ]
