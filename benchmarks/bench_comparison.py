"""Benchmark of qiangji.core.comparison: prints medians (not a timed test).

1. Algorithm A on 1,000,000 values (target ≤ 60 ms).
2. Full evaluation of a 100-laboratory round with every reference method, each followed by its degrees
   of equivalence (target ≤ 50 ms in total).
3. Q/Hampel (ISO 13528 C.5) on 100,000 values in-process, and ``qiangji comparison evaluate --reference
   q_hampel`` on a CSV of 100,000 results end to end (issue 17: target ≤ 3 s, memory O(p)).

Each figure is the median wall time and, in brackets, the median CPU time of the process; the load
average is printed before and after. On a shared machine the wall time includes waiting for a core, so
quote the pair with the load average (the CPU time is close to what a quiet machine shows).

Run: .venv/bin/python benchmarks/bench_comparison.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qiangji.core.comparison import (
    REFERENCE_METHODS,
    algorithm_a,
    degrees_of_equivalence,
    q_hampel,
    reference_value,
)

QIANGJI = [sys.executable, "-c", "import sys; from qiangji.cli import main; sys.exit(main())"]


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
    big_q = rng.normal(10.0, 0.1, 100_000)
    big_q[:2000] += 1.0
    print(f"q_hampel, 100,000 values: median {_median_ms(lambda: q_hampel(big_q), 5)}")
    print(f"comparison evaluate --reference q_hampel, 100,000 results: {_cli(big_q, rng)} (target 3 s)")
    print(_load())


def _cli(x: np.ndarray, rng: np.random.Generator, repeat: int = 3) -> str:
    """Median wall seconds of the command end to end (a new process) on a CSV of the results."""
    big_u = rng.uniform(0.1, 0.3, x.size)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "results.csv")
        lines = (
            f"L{i:06d},{v!r},{w!r},2\n"
            for i, (v, w) in enumerate(zip(x.tolist(), big_u.tolist(), strict=True))
        )
        path.write_text("lab,x,U,k\n" + "".join(lines), encoding="utf-8")
        cmd = [*QIANGJI, "comparison", "evaluate", str(path), "--reference", "q_hampel"]
        wall = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            wall.append(time.perf_counter() - t)
    return f"median {statistics.median(wall):.2f} s"


if __name__ == "__main__":
    main()
