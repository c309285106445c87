"""The statistical audit of an index run, computed once and stored (`models.RunAudit`).

``audit_of(run)`` returns the run's audit figures, computing them on the first call: the run's result is
rebuilt from its stored snapshot and spec (`runs.recompute_result`, the same numbers bit for bit) and
handed to the core (`qiangji.core.index.audit.audit`, `qiangji.core.index.calibrate.calibrate_weights`);
this module only converts the results into JSON. A run never changes, so neither does its audit: it is
stored with the code version that computed it and read back on every later visit.

The figures (JSON, NaN as ``null``):

* ``corr_parent``, ``parent``, ``cronbach``, ``pca_var1``, ``pca_abs_load``, ``eff_weight``, ``nominal``,
  ``var_share``, ``main_effect``, ``n_complete``, ``factor``, ``findings``: the core's `AuditResult`;
* ``heatmap``: Pearson's r (pairwise complete) of every indicator with every dimension and the index, the
  correlation map the page draws (COINr ``plot_corr`` on the aggregated data set, levels 1 and 2 and top);
* ``calibration``: the weights whose normalised main effects come closest to the nominal weights, with the
  importances before and after, or ``{"error": …}`` when the data cannot support it — advice only;
* ``notes``: the core's warnings about degenerate data (a constant indicator, too few complete units).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction

from qiangji.core.canonical import canonical_json
from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.index import IndexResult, IndexSpec, compute, data_from_frame
from qiangji.core.index import audit_stats as st
from qiangji.core.index.audit import DEFAULT_FACTOR, AuditResult, audit
from qiangji.core.index.calibrate import CalibrationResult, calibrate_weights
from qiangji.core.index.framework import Framework
from qiangji.web.publication.compute import core_frame
from qiangji.web.publication.models import IndexRun, RunAudit

FORMAT = 1


def audit_of(run: IndexRun) -> RunAudit:
    """The stored audit of ``run``, computed and stored on the first call (module docstring)."""
    found = RunAudit.objects.filter(run=run).first()
    if found is not None:
        return found
    figures = canonical_json(_clean(compute_figures(run)))
    from qiangji.web.publication.runs import code_version

    try:
        with transaction.atomic():
            return RunAudit.objects.create(run=run, figures_json=figures, code_version=code_version())
    except IntegrityError:  # another request stored it a moment ago: theirs is the same
        return RunAudit.objects.get(run=run)


def rebuild_result(run: IndexRun) -> IndexResult:
    """The run's `IndexResult` rebuilt from its stored spec and input snapshot (no Monte Carlo)."""
    from qiangji.web.publication.runs import load_inputs

    spec = IndexSpec.from_json(run.spec_json)
    inputs = load_inputs(run.inputs_json)
    return compute(spec, data_from_frame(core_frame(inputs.frame, inputs.names), spec.framework))


def compute_figures(run: IndexRun) -> dict[str, Any]:
    """The audit figures of ``run`` (module docstring), not yet stored."""
    result = rebuild_result(run)
    fw = result.framework
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DegenerateDataWarning)
        found = audit(result, factor=DEFAULT_FACTOR)
        advice = _calibration(result)
    with warnings.catch_warnings():
        # a constant indicator is already noted once, from its correlation with its parent
        warnings.simplefilter("ignore", DegenerateDataWarning)
        heat = heatmap(fw, result.scores)
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, DegenerateDataWarning)})
    return {
        "format": FORMAT,
        "framework": {"code": fw.code, "version": fw.version},
        "units": len(result.units),
        **_audit_part(found),
        "heatmap": heat,
        "calibration": advice,
        "notes": notes,
    }


def _audit_part(a: AuditResult) -> dict[str, Any]:
    return {
        "index": a.index,
        "corr_parent": dict(a.corr_parent),
        "parent": dict(a.parent),
        "cronbach": dict(a.cronbach),
        "pca_var1": dict(a.pca_var1),
        "pca_abs_load": {g: dict(v) for g, v in a.pca_abs_load.items()},
        "eff_weight": dict(a.eff_weight),
        "nominal": dict(a.nominal),
        "var_share": dict(a.var_share),
        "main_effect": dict(a.main_effect),
        "n_complete": a.n_complete,
        "factor": a.factor,
        "findings": [
            {
                "dimension": f.dimension,
                "measure": f.measure,
                "nominal": f.nominal,
                "value": f.value,
                "ratio": f.ratio,
            }
            for f in a.findings
        ],
    }


def heatmap(fw: Framework, scores: Any) -> dict[str, Any]:
    """r of every indicator (rows) with every dimension and the index (columns), pairwise complete."""
    s = np.asarray(scores, dtype=np.float64)
    top = len(fw.nodes) - 1
    cols = [int(c) for c in fw.children[top]] + [top]
    rows = [fw.index[code] for code in fw.indicators]
    r = [[st.pairwise_pearson(s[:, i], s[:, j]) for j in cols] for i in rows]
    return {
        "rows": [fw.nodes[i].code for i in rows],
        "cols": [fw.nodes[j].code for j in cols],
        "parents": [fw.nodes[int(fw.parent[i])].code for i in rows],
        "r": r,
    }


def _calibration(result: IndexResult) -> dict[str, Any]:
    try:
        cal = calibrate_weights(result, importance="main_effect")
    except InputError as exc:
        return {"error": str(exc)}
    return _calibration_part(cal)


def _calibration_part(cal: CalibrationResult) -> dict[str, Any]:
    return {
        "node": cal.node,
        "importance": cal.importance,
        "rows": cal.table(),
        "objective": cal.objective,
        "converged": cal.converged,
        "n_units": cal.n_units,
    }


def _clean(value: Any) -> Any:
    """JSON-ready: NaN and infinities as None, numpy numbers as Python ones, mappings with text keys."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return v if math.isfinite(v) else None
    return value


def stored_figures(run: IndexRun) -> dict[str, Any]:
    """The figures of the run's stored audit (computing it if needed)."""
    figures: dict[str, Any] = json.loads(audit_of(run).figures_json)
    return figures
