"""Bit-for-bit regression of seeded uncertainty and sensitivity runs across refactors.

The expected figures below were computed with the code as it stood BEFORE ``run_uncertainty`` and
``jansen_indices`` were split into named steps (commit d9a6813), by running this module's ``fingerprint``
under that code; the split must not change a single bit. Each array is fingerprinted by the SHA-256 of its
dtype, shape and bytes, and a few values are also kept as ``repr`` literals (a float64 ``repr`` round-trips
exactly) so that a failure shows a readable difference. Should a platform's numpy/BLAS build give
different last bits, recompute the figures with the unchanged code on that platform, never by editing the
refactored code until it passes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import numpy as np
import pandas as pd

from qiangji.core.index import Framework, data_from_frame
from qiangji.core.index.mc.spec import MethodChoice, UncertaintySpec
from qiangji.core.index.sensitivity import jansen_indices, saltelli_sample
from qiangji.core.index.uncertainty import UncertaintyResult, run_uncertainty


def digest(value: Any) -> str:
    """First 16 hex digits of the SHA-256 of an array's dtype, shape and bytes (or of a tuple's repr)."""
    h = hashlib.sha256()
    if isinstance(value, np.ndarray):
        a = np.ascontiguousarray(value)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    else:
        h.update(repr(value).encode())
    return h.hexdigest()[:16]


def fingerprint(obj: Any, prefix: str = "") -> dict[str, str]:
    """Digest of every array and tuple field of a result dataclass, nested ones as ``outer.inner``."""
    out: dict[str, str] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value) and f.name != "spec":
            out |= fingerprint(value, f"{key}.")
        elif isinstance(value, np.ndarray | tuple):
            out[key] = digest(value)
        elif isinstance(value, dict):
            out[key] = digest(tuple((k, v) for k, v in sorted(value.items())))
    return out


def framework() -> Framework:
    return Framework.from_dict(
        {
            "code": "IX",
            "method": {"normalise": {"method": "minmax", "low": 1, "high": 100}},
            "nodes": [
                {
                    "code": f"G{g}",
                    "weight": g + 1,
                    "children": [
                        {"code": f"I{g}.{i}", "direction": 1 if i % 3 else -1, "weight": 1 + i % 2}
                        for i in range(4)
                    ],
                }
                for g in range(3)
            ],
        }
    )


def data(fw: Framework, units: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    x = rng.lognormal(size=(units, len(fw.indicators)))
    x[rng.random(x.shape) < 0.08] = np.nan
    out = pd.DataFrame(x, columns=list(fw.indicators))
    out.insert(0, "unit", [f"U{u:02d}" for u in range(units)])
    return out


SPEC = UncertaintySpec(
    weight_noise={1: 0.25, 2: 0.2},
    alternatives={
        "aggregate": MethodChoice.of(["arithmetic", "geometric"], [0.6, 0.4]),
        "normalise": MethodChoice.of([{"method": "minmax", "low": 1, "high": 100}, "rank"], [0.7, 0.3]),
    },
    value_noise=0.05,
)


def seeded_run(*, sensitivity: bool) -> UncertaintyResult:
    fw = framework()
    d = data_from_frame(data(fw), fw)
    return run_uncertainty(
        fw, d, SPEC, runs=96, seed=2025, sensitivity=sensitivity, n_boot=50, chunk_size=40, keep_scores=True
    )


# computed with the code before the split (module docstring)
PLAIN = {
    "nominal_score": "fd8206667464d550",
    "ranks.mean": "b9d2b1da36e9dd20",
    "ranks.median": "81234d68e31af770",
    "ranks.n_ranked": "882bac95c5a832e0",
    "ranks.nominal": "ecd15739478c86dc",
    "ranks.p05": "771ed31f4c29235f",
    "ranks.p95": "a9aced42391bee6c",
    "ranks.probabilities": "f974b4f8ec349925",
    "ranks.shift_mean": "ac0dd1d710783ab3",
    "ranks.top": "0567007dc54b19ac",
    "ranks.top_probabilities": "2f1b8d23a7c5203a",
    "run_blocks": "986cbe7b2532dcee",
    "run_ids": "842022384e173346",
    "run_methods": "2c4787afd2f6e352",
    "run_shift": "54b680c9916367e6",
    "run_weights": "afe8c033774c286a",
    "scores": "fee52aaf0839dbc2",
    "units": "cafca1446194b6a6",
}
PLAIN_RANK_MEAN = [
    9.625,
    8.614583333333334,
    3.8125,
    10.270833333333334,
    1.0,
    2.5625,
    5.59375,
    4.395833333333333,
    11.458333333333334,
    6.760416666666667,
    7.71875,
    6.1875,
]
SENSITIVITY = {
    "nominal_score": "fd8206667464d550",
    "ranks.mean": "ce9a5803b4948ca8",
    "ranks.median": "7c697713c8a3079c",
    "ranks.n_ranked": "392a2b975dc63f65",
    "ranks.nominal": "ecd15739478c86dc",
    "ranks.p05": "ea16ca1d920a12ba",
    "ranks.p95": "3204ecab2cbbad07",
    "ranks.probabilities": "0d0a59bdce608dea",
    "ranks.shift_mean": "4b620f7e9b9be1c0",
    "ranks.top": "0567007dc54b19ac",
    "ranks.top_probabilities": "9bbe5ee077dabb78",
    "run_blocks": "daa833c3e468f5c5",
    "run_ids": "d3aa65d8fe33656a",
    "run_methods": "2640a07ca4fb5084",
    "run_shift": "1863b622cd7fa712",
    "run_weights": "32d009d7de51e6fb",
    "scores": "3f63d2bd0b79f2b8",
    "sensitivity.factors": "f060a8c234728a8b",
    "sensitivity.rank.first": "4d9aa6de7de2fbe2",
    "sensitivity.rank.first_high": "e05b7aaea46f96d5",
    "sensitivity.rank.first_low": "91f478d64be10906",
    "sensitivity.rank.total": "45bbdb42f92a404c",
    "sensitivity.rank.total_high": "058ceaf7c88ca003",
    "sensitivity.rank.total_low": "d33241aefe5e4dc0",
    "sensitivity.rank.variance": "705c38ae87e4d54a",
    "sensitivity.score.first": "af640dc2849bb685",
    "sensitivity.score.first_high": "ac418221a94205e6",
    "sensitivity.score.first_low": "ee13ebabeedb167e",
    "sensitivity.score.total": "197fa955209af018",
    "sensitivity.score.total_high": "747c7247ec371648",
    "sensitivity.score.total_low": "7640218c8b2ebaff",
    "sensitivity.score.variance": "8b9a704936873184",
    "sensitivity.shift.first": "2170545f0061b1d0",
    "sensitivity.shift.first_high": "dc799cf69848cf96",
    "sensitivity.shift.first_low": "269bcc8a16ff81ec",
    "sensitivity.shift.total": "218bfe4b079dadf0",
    "sensitivity.shift.total_high": "c2cc4f85ec488e97",
    "sensitivity.shift.total_low": "66f7a700a320c250",
    "sensitivity.shift.variance": "23bc4f55c689e984",
    "units": "cafca1446194b6a6",
}
SENSITIVITY_SHIFT_FIRST = [
    -0.016726656785940798,
    -0.020749523607875957,
    0.1676900275248784,
    0.726021596442939,
    -0.026889688757145664,
]
JANSEN = {
    "first": "e9263744cf84bf1b",
    "first_high": "0586ab85a07799cc",
    "first_low": "645630906d8564c9",
    "total": "5adff310ff14465f",
    "total_high": "e87b91ee85c57cd2",
    "total_low": "2a158003b4601230",
    "variance": "f90c00999e013d72",
}
JANSEN_FIRST = [
    0.36458303575952344,
    0.25086006805171773,
    0.43425800461198344,
    0.3522584433449477,
    -0.0032987646211104795,
    0.15531624831090388,
]


def ishigami_outputs() -> np.ndarray:
    # Ishigami & Homma (1990), a = 7, b = 0.1, on the Saltelli design; two outputs to exercise columns
    x = -np.pi + 2 * np.pi * saltelli_sample(256, 3, seed=11)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    return np.stack([y, y + x[:, 2]], axis=1)


def test_it_reproduces_a_seeded_uncertainty_run_bit_for_bit() -> None:
    result = seeded_run(sensitivity=False)
    assert fingerprint(result) == PLAIN
    assert result.ranks.mean.tolist() == PLAIN_RANK_MEAN


def test_it_reproduces_a_seeded_sensitivity_run_bit_for_bit() -> None:
    result = seeded_run(sensitivity=True)
    assert fingerprint(result) == SENSITIVITY
    assert result.sensitivity is not None
    assert result.sensitivity.shift.first.tolist() == SENSITIVITY_SHIFT_FIRST


def test_it_reproduces_seeded_jansen_indices_bit_for_bit() -> None:
    result = jansen_indices(ishigami_outputs(), 256, 3, n_boot=100, seed=4)
    assert fingerprint(result) == JANSEN
    assert result.first.ravel().tolist() == JANSEN_FIRST
