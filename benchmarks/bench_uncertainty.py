"""Benchmark: 10,000 Monte-Carlo replications on 3,000 units × 30 indicators (issue 4, criterion 8).

±25 % weight noise on both weight levels (30 indicators in 6 groups, 6 groups in the index) and a 50/50
choice between arithmetic and geometric aggregation. Prints the median wall time of a few repeats and the
peak memory of the process (ru_maxrss). Targets: ≤ 5 s and ≤ 2 GB.

    .venv/bin/python benchmarks/bench_uncertainty.py [--repeats 3] [--runs 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import numpy as np
import pandas as pd

from qiangji.core.index import Framework, data_from_frame
from qiangji.core.index.mc.spec import MethodChoice, UncertaintySpec
from qiangji.core.index.uncertainty import run_uncertainty

UNITS, GROUPS, PER_GROUP = 3000, 6, 5


def framework() -> Framework:
    return Framework.from_dict(
        {
            "code": "BENCH",
            # geometric aggregation needs positive scores: min-max onto [1, 100]
            "method": {"normalise": {"method": "minmax", "low": 1, "high": 100}},
            "nodes": [
                {
                    "code": f"G{g}",
                    "weight": 1 + g % 3,
                    "children": [
                        {"code": f"I{g}.{i}", "direction": 1 if i % 4 else -1, "weight": 1 + i % 2}
                        for i in range(PER_GROUP)
                    ],
                }
                for g in range(GROUPS)
            ],
        }
    )


def data(fw: Framework) -> pd.DataFrame:
    rng = np.random.default_rng(20250101)
    frame = pd.DataFrame(
        rng.lognormal(2.0, 0.8, size=(UNITS, len(fw.indicators))), columns=list(fw.indicators)
    )
    frame.insert(0, "unit", [f"U{u:04d}" for u in range(UNITS)])
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="threads (default 2, the machine's cores)")
    args = parser.parse_args()
    fw = framework()
    d = data_from_frame(data(fw), fw)
    spec = UncertaintySpec(
        weight_noise={1: 0.25, 2: 0.25},
        alternatives={"aggregate": MethodChoice.of(["arithmetic", "geometric"], [0.5, 0.5])},
    )
    times, cpu = [], []
    for _ in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run_uncertainty(fw, d, spec, runs=args.runs, seed=1, workers=args.workers)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    width = result.table()
    print(
        f"units={UNITS} indicators={len(fw.indicators)} runs={args.runs} "
        f"repeats={args.repeats} workers={args.workers}"
    )
    print(
        f"wall time: median {statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})"
    )
    print(
        f"CPU time (all threads): median {statistics.median(cpu):.2f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"peak memory (ru_maxrss): {peak_mb:.0f} MB")
    print(f"per replication: {statistics.median(times) / args.runs * 1e3:.3f} ms; targets: ≤ 5 s, ≤ 2048 MB")
    print(f"mean of the units' rank p95 − p05: {(width['rank_p95'] - width['rank_p05']).mean():.1f}")


if __name__ == "__main__":
    main()
