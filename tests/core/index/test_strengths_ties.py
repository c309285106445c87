"""A value shared by every unit (a zero nobody has) is neither a strength nor a weakness."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qiangji.core.index import compute, data_from_frame
from qiangji.core.index.framework import Framework

FRAMEWORK = {
    "code": "T",
    "name": {"zh": "测试"},
    "version": "1",
    "method": {"normalise": {"method": "minmax", "low": 0, "high": 100, "constant": "high"}},
    "nodes": [
        {"code": f"I{k}", "name": {"zh": f"指标{k}"}, "direction": 1, "weight": 1, "bounds": [0, 100]}
        for k in range(1, 5)
    ],
}


def test_it_never_offers_a_tie_shared_by_everyone_as_a_strength() -> None:
    frame = pd.DataFrame(
        {
            "unit": ["A", "B", "C"],
            "I1": [0.0, 0.0, 0.0],
            "I2": [3.0, 2.0, 1.0],
            "I3": [1.0, 2.0, 3.0],
            "I4": [5.0, 5.0, 5.0],
        }
    )
    fw = Framework.from_dict(FRAMEWORK)
    result = compute(fw, data_from_frame(frame, fw))
    sw = result.strengths_weaknesses(n=3)
    assert not sw["indicator"].isin(["I1", "I4"]).any()
    a = sw[(sw["unit"] == "A") & (sw["kind"] == "strength")]
    assert list(a["indicator"]) == ["I2", "I3"]
    assert np.all(sw["rank"].notna())
