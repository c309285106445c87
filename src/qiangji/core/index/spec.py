"""The spec of a run: the framework (tree, weights, methods) and the ranking options, as JSON.

A published ranking stores ``spec.to_json()`` (`qiangji.core.canonical`, spaced layout);
``IndexSpec.from_json(text)`` with the same data gives the same result bit for bit (floats are written with
``repr``, which round-trips exactly). The same spec drives `qiangji.core.index.compute` and
`qiangji.core.index.uncertainty.run_uncertainty`, so an option such as ``rank_tolerance`` means the same in
the nominal ranking and in every replication.

The spec holds the framework compiled for the run's period: ``period_fraction`` (the period's length as a
fraction of a year, `qiangji.core.index.period`) is stored next to the framework's own (per-year) text and
applied again when the spec is read back. A spec stored before the fraction existed reads as a year (1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from qiangji.core.canonical import canonical_json
from qiangji.core.errors import InputError
from qiangji.core.index.framework import Framework
from qiangji.core.index.period import check_fraction
from qiangji.core.index.rank import DEFAULT_TOLERANCE

SPEC_VERSION = 1


@dataclass(frozen=True, eq=False)
class IndexSpec:
    """Everything that determines a result besides the data."""

    framework: Framework
    rank_tolerance: float = DEFAULT_TOLERANCE

    def __post_init__(self) -> None:
        if not 0 <= self.rank_tolerance < 1:
            raise InputError(f"`rank_tolerance` must be in [0, 1), got {self.rank_tolerance}")

    @property
    def period_fraction(self) -> float:
        """Length of the period as a fraction of a year (the framework's, e.g. 0.25 for a quarter)."""
        return self.framework.period_fraction

    def for_period(self, period_fraction: float) -> IndexSpec:
        """The same spec for a period lasting ``period_fraction`` of a year."""
        return IndexSpec(self.framework.for_period(period_fraction), self.rank_tolerance)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: ``{"spec_version", "framework", "rank_tolerance", "period_fraction"}``."""
        return {
            "spec_version": SPEC_VERSION,
            "framework": self.framework.to_dict(),
            "rank_tolerance": self.rank_tolerance,
            "period_fraction": self.period_fraction,
        }

    def to_json(self) -> str:
        """Canonical JSON, spaced layout (`qiangji.core.canonical`: stored runs keep these bytes)."""
        return canonical_json(self.to_dict(), layout="spaced")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexSpec:
        """Inverse of ``to_dict``."""
        version = data.get("spec_version")
        if version != SPEC_VERSION:
            raise InputError(f"`spec_version` must be {SPEC_VERSION}, got {version!r}")
        fraction = check_fraction(data.get("period_fraction", 1.0))
        framework = Framework.from_dict(data["framework"], period_fraction=fraction)
        return cls(framework, float(data["rank_tolerance"]))

    @classmethod
    def from_json(cls, text: str) -> IndexSpec:
        """Inverse of ``to_json``."""
        return cls.from_dict(json.loads(text))
