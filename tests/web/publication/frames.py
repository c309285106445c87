"""Hand-made indicator frames shaped like the assessment app's ``Inputs`` (frame, names, provenance)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from qiangji.core.index import Framework, load_framework
from qiangji.web.publication.runs import DEFAULT_FRAMEWORK_PATH


def framework() -> Framework:
    return load_framework(DEFAULT_FRAMEWORK_PATH)


@dataclass(frozen=True)
class FakeInputs:
    frame: pd.DataFrame
    names: dict[str, str]
    provenance: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "units": list(self.frame.index),
                "indicators": list(self.frame.columns),
                "values": [[None if np.isnan(v) else float(v) for v in row] for row in self.frame.to_numpy()],
                "names": self.names,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> FakeInputs:
        d = json.loads(text)
        values = np.array([[np.nan if v is None else v for v in row] for row in d["values"]], dtype=float)
        return cls(pd.DataFrame(values, index=d["units"], columns=d["indicators"]), d["names"])


def random_inputs(codes: list[str], names: dict[str, str] | None = None, seed: int = 1) -> FakeInputs:
    """Valid values for every indicator of the default framework (within bounds, ordinal levels)."""
    fw = framework()
    rng = np.random.default_rng(seed)
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
    return FakeInputs(frame, names or {c: f"{c}计量检定所" for c in codes})
