"""Benchmark of qiangji.core.comparison: prints medians (not a timed test).

1. Algorithm A on 1,000,000 values (target ≤ 60 ms).
2. Full evaluation of a 100-laboratory round with every reference method, each followed by its degrees
   of equivalence (target ≤ 50 ms in total).

Each figure is the median wall time and, in brackets, the median CPU time of the process; the load
average is printed before and after. On a shared machine the wall time includes waiting for a core, so
quote the pair with the load average (the CPU time is close to what a quiet machine shows).

Run: .venv/bin/python benchmarks/bench_comparison.py
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import numpy as np

from qiangji.core.comparison import REFERENCE_METHODS, algorithm_a, degrees_of_equivalence, reference_value


def _median_ms(fn: Callable[[], object], repeat: int) -> str:
    """'wall ms (CPU ms)', medians over ``repeat`` calls after one warm-up call."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - t)
    return f"{1e3 * statistics.median(wall):6.1f} ms ({1e3 * statistics.median(cpu):.1f} ms CPU)"


def _load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    print(_load())
    rng = np.random.default_rng(2025)
    big = rng.normal(100.0, 3.0, 1_000_000)
    big[:50_000] += 20.0  # 5 % outliers
    print(f"algorithm_a, 1,000,000 values: median {_median_ms(lambda: algorithm_a(big), 21)} (target 60)")

    x = rng.normal(10.0, 0.1, 100)
    u = rng.uniform(0.05, 0.15, 100)
    x[:5] += 1.0  # a few discrepant laboratories

    def round_() -> None:
        for method in REFERENCE_METHODS:
            ref = reference_value(x, u, method=method, pilot=0)
            degrees_of_equivalence(x, u, ref)

    ms = _median_ms(round_, 21)
    print(f"100-lab round, all {len(REFERENCE_METHODS)} methods + DoE: median {ms} (target 50)")
    for method in REFERENCE_METHODS:
        ms = _median_ms(lambda m=method: reference_value(x, u, method=m, pilot=0), 11)
        print(f"  {method:28s} {ms}")
    print(_load())


if __name__ == "__main__":
    main()
