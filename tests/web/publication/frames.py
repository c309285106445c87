"""Hand-made indicator inputs (the assessment app's ``Inputs``) for publication tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qiangji.core.index import Framework, load_framework
from qiangji.web.assessment.inputs import Inputs
from qiangji.web.publication.runs import DEFAULT_FRAMEWORK_PATH


def framework() -> Framework:
    return load_framework(DEFAULT_FRAMEWORK_PATH)


def random_inputs(names: dict[str, str], seed: int = 1) -> Inputs:
    """Valid values for every indicator of the default framework (within bounds, ordinal levels).

    Within a quarter's bounds (per-year flows pro-rated × 0.25), so valid for a quarter and for a year.
    """
    fw = framework().for_period(0.25)
    rng = np.random.default_rng(seed)
    codes = sorted(names)
    cols: dict[str, np.ndarray] = {}
    for code in fw.indicators:
        node = fw.node(code)
        lo, hi = node.bounds or (0.0, 100.0)
        hi = min(hi if hi is not None else 30.0, 100.0)
        if node.methods["normalise"].method == "ordinal":
            cols[code] = rng.integers(0, 4, len(codes)).astype(float)
        else:
            cols[code] = np.round(rng.uniform(lo or 0.0, hi, len(codes)), 1)
    frame = pd.DataFrame(cols, index=pd.Index(codes, name="unit"))
    provenance = {(u, c): {"source": "reported", "method": "test"} for u in codes for c in fw.indicators}
    return Inputs(frame=frame, names=dict(names), provenance=provenance)


def with_value(inputs: Inputs, unit: str, indicator: str, value: float) -> Inputs:
    """A copy of ``inputs`` with one value changed (a corrected report)."""
    frame = inputs.frame.copy()
    frame.loc[unit, indicator] = value
    return Inputs(frame=frame, names=inputs.names, provenance=inputs.provenance)
