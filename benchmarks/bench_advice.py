"""Benchmark: improvement advice for one institution under the default framework (9 units, 29 indicators).

Prints the median wall and CPU time of ``improvement_advice`` (targets +1 and +3 places for every
indicator, full pipeline per candidate, batched grids). The scorecard page and the PDF profile call it
once per request, so it should stay well under a second.

    .venv/bin/python benchmarks/bench_advice.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from qiangji.core.index import load_framework
from qiangji.core.index.advice import improvement_advice
from qiangji.core.index.framework import Framework

FRAMEWORK = "src/qiangji/core/index/frameworks/tz-cap-2025.1.yaml"


def data(fw: Framework) -> pd.DataFrame:
    rng = np.random.default_rng(20250101)
    cols: dict[str, object] = {"unit": [f"U{i}" for i in range(9)]}
    for code in fw.indicators:
        node = fw.nodes[fw.index[code]]
        low, high = node.bounds or (0.0, 100.0)
        low = 0.0 if low is None else low
        high = low + 100.0 if high is None else high
        values = rng.uniform(low, low + 0.6 * (high - low), 9)
        ordinal = node.methods["normalise"].method == "ordinal"
        cols[code] = values.round(0) if ordinal else values.round(1)
    return pd.DataFrame(cols)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    fw = load_framework(FRAMEWORK)
    frame = data(fw)
    wall, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        improvement_advice(fw, frame, "U4", places=(1, 3))
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"improvement_advice, {len(fw.indicators)} indicators × 9 units, places (1, 3)")
    ms = statistics.median(wall) * 1000, statistics.median(cpu) * 1000
    print(f"median wall {ms[0]:.1f} ms, median CPU {ms[1]:.1f} ms")


if __name__ == "__main__":
    main()
