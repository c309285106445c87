"""Improvement advice for an institution's scorecard and PDF profile, from the published run.

The publication's stored run (framework spec and input snapshot) is fed to
:func:`qiangji.core.index.advice.improvement_advice`, so the advice refers to exactly the published
numbers. Runs never change, so results are cached per (run, institution).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from qiangji.core.index import IndexSpec
from qiangji.core.index.advice import AdviceResult, improvement_advice
from qiangji.web.publication.compute import core_frame
from qiangji.web.publication.models import IndexRun
from qiangji.web.publication.runs import load_inputs

PLACES = (1, 3)
WHOLE_UNITS = {"项", "人", "家", "台件", "份", "件", "个", "次"}


def advice_for(publication: Any, unit: str) -> dict[str, Any] | None:
    """Template context ``advice`` for ``unit`` in ``publication`` (``None`` if it is not ranked there)."""
    return _cached(publication.run_id, unit)


@lru_cache(maxsize=256)
def _cached(run_id: int, unit: str) -> dict[str, Any] | None:
    run = IndexRun.objects.get(pk=run_id)
    inputs = load_inputs(run.inputs_json)
    spec = IndexSpec.from_json(run.spec_json)
    facts = {k: v for k, v in inputs.attributes.items() if k in spec.framework.rules.facts}
    frame = core_frame(inputs.frame, inputs.names, facts)  # the gate's facts, if the framework has a gate
    if unit not in set(frame["unit"]):
        return None
    fw = spec.framework
    nodes = {n.code: n for n in fw.nodes}
    whole = {c for c in fw.indicators if (nodes[c].unit or "") in WHOLE_UNITS}
    result = improvement_advice(spec, frame, unit, places=PLACES, integer=whole)
    return _context(result, nodes)


def _context(result: AdviceResult, nodes: dict[str, Any]) -> dict[str, Any]:
    def row(a: Any, k: int) -> dict[str, Any]:
        step = a.steps[k]
        node = nodes[a.indicator]
        return {"code": a.indicator, "name": node.label("zh"), "unit": node.unit or "", "current": a.current,
                "value": step.value, "change": step.change, "rank": step.rank, "gain": step.gain}  # fmt: skip

    return {
        "rank": result.rank,
        "score": result.score,
        "targets": [{"places": k, "rows": [row(a, k) for a in result.smallest(k)[:3]]} for k in PLACES],
        "efficient": [
            {
                "code": a.indicator,
                "name": nodes[a.indicator].label("zh"),
                "unit": nodes[a.indicator].unit or "",
                "points": a.points_per_unit,
            }
            for a in result.by_efficiency()[:5]
            if math.isfinite(a.points_per_unit)
        ],
    }
