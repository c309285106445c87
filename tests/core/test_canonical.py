"""qiangji.core.canonical: the one canonical JSON and the one rule for missing numbers."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pytest

from qiangji.core.canonical import canonical_bytes, canonical_json, json_ready, nan_to_none, sha256_text
from qiangji.core.errors import InputError
from qiangji.core.index import IndexSpec, load_framework
from qiangji.core.index.mc.spec import MethodChoice, UncertaintySpec

from .index.conftest import TZ_FRAMEWORK

DATA = {"名称": "温岭", "b": [0.1, 1e-300, 2.5e17, -0.0, 1 / 3], "a": {"z": None, "y": True, "x": 7}}


def test_it_writes_the_compact_layout_as_the_run_results_always_were() -> None:
    # the writer of index-run inputs, results and publication content before the core owned it
    before = json.dumps(DATA, ensure_ascii=False, sort_keys=True, allow_nan=False, separators=(",", ":"))
    assert canonical_json(DATA) == before
    assert canonical_json(DATA).startswith('{"a":{"x":7,"y":true,"z":null},"b":[0.1,1e-300')


def test_it_writes_the_spaced_layout_as_the_specs_always_were() -> None:
    # the writer of run specs and framework versions (their stored SHA-256 hashes these bytes)
    assert canonical_json(DATA, layout="spaced") == json.dumps(DATA, ensure_ascii=False, sort_keys=True)


def test_it_reads_back_every_float_exactly() -> None:
    values = np.random.default_rng(5).normal(scale=1e3, size=1000).tolist()
    assert json.loads(canonical_json(values)) == values


def test_it_turns_missing_and_infinite_numbers_into_null() -> None:
    assert [nan_to_none(v) for v in (1.5, np.float32(2.0), float("nan"), np.inf, -np.inf, 3)] == [
        1.5,
        2.0,
        None,
        None,
        None,
        3.0,
    ]


def test_it_makes_numpy_structures_plain() -> None:
    ready = json_ready({1: np.array([1.0, np.nan]), "n": np.int64(4), "ok": np.bool_(True), "t": ("x", None)})
    assert ready == {"1": [1.0, None], "n": 4, "ok": True, "t": ["x", None]}
    assert canonical_json(ready) == '{"1":[1.0,null],"n":4,"ok":true,"t":["x",null]}'


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_it_refuses_a_number_json_cannot_hold(bad: float) -> None:
    with pytest.raises(InputError, match="no NaN or infinity"):
        canonical_json({"x": [1.0, bad]})


def test_it_hashes_the_utf8_bytes() -> None:
    text = canonical_json(DATA)
    assert canonical_bytes(DATA) == text.encode("utf-8")
    assert sha256_text(text) == hashlib.sha256(canonical_bytes(DATA)).hexdigest()


def test_it_keeps_the_bytes_of_the_stored_specs() -> None:
    spec = IndexSpec(load_framework(TZ_FRAMEWORK).for_period(0.25), rank_tolerance=1e-6)
    assert spec.to_json() == json.dumps(spec.to_dict(), ensure_ascii=False, sort_keys=True)
    assert spec.framework.to_json() == json.dumps(
        spec.framework.to_dict(), ensure_ascii=False, sort_keys=True
    )
    unc = UncertaintySpec(
        weight_noise={1: 0.25, 2: 0.1},
        alternatives={"aggregate": MethodChoice.of(["arithmetic", "geometric"])},
    )
    assert unc.to_json() == json.dumps(unc.to_dict(), ensure_ascii=False, sort_keys=True)
    assert IndexSpec.from_json(spec.to_json()).to_json() == spec.to_json()
