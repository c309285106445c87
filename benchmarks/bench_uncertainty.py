"""Benchmark: 10,000 Monte-Carlo replications on 3,000 units × 30 indicators with 450 missing cells.

COINr's large set (issue 17): ±25 % weight noise on both weight levels (30 indicators in 6 groups, 6
groups in the index), a 50/50 choice between arithmetic and geometric aggregation, and 450 cells missing
(0.5 %), so that most groups take the path with gaps. Prints, with the targets and the load average:
the median in-process wall time of a few repeats (target ≤ 2 s; COINr about 290 ms per replication),
the peak memory of the process (ru_maxrss, target ≤ 2 GB) and ``qiangji index uncertainty`` end to end
on the same data as a CSV file (target ≤ 4 s).

    .venv/bin/python benchmarks/bench_uncertainty.py [--repeats 3] [--runs 10000] [--cli-repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from qiangji.core.index import Framework, data_from_frame
from qiangji.core.index.mc.spec import MethodChoice, UncertaintySpec
from qiangji.core.index.uncertainty import run_uncertainty

UNITS, GROUPS, PER_GROUP, MISSING = 3000, 6, 5, 450
QIANGJI = [sys.executable, "-c", "import sys; from qiangji.cli import main; sys.exit(main())"]


def framework() -> Framework:
    return Framework.from_dict(framework_spec())


def framework_spec() -> dict[str, object]:
    return {
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


def data(fw: Framework) -> pd.DataFrame:
    rng = np.random.default_rng(20250101)
    values = rng.lognormal(2.0, 0.8, size=(UNITS, len(fw.indicators)))
    values.ravel()[rng.choice(values.size, MISSING, replace=False)] = np.nan
    frame = pd.DataFrame(values, columns=list(fw.indicators))
    frame.insert(0, "unit", [f"U{u:04d}" for u in range(UNITS)])
    return frame


def cli_seconds(fw: Framework, runs: int, repeats: int) -> float:
    """Median wall seconds of ``qiangji index uncertainty`` with the same spec, on a CSV of the data."""
    with tempfile.TemporaryDirectory() as tmp:
        fw_path, data_path, out = Path(tmp, "fw.json"), Path(tmp, "data.csv"), Path(tmp, "out.csv")
        fw_path.write_text(json.dumps(framework_spec()), encoding="utf-8")
        data(fw).to_csv(data_path, index=False, na_rep="")
        cmd = [
            *QIANGJI,
            "index",
            "uncertainty",
            str(fw_path),
            str(data_path),
            "--runs",
            str(runs),
            "--seed",
            "1",
            "--weight-noise",
            "0.25",
            "--alt-aggregate",
            "arithmetic,geometric",
            "-o",
            str(out),
        ]
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="threads (default 2, the machine's cores)")
    parser.add_argument("--cli-repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
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
        f"units={UNITS} indicators={len(fw.indicators)} missing cells={int(np.isnan(d.values).sum())} "
        f"runs={args.runs} repeats={args.repeats} workers={args.workers}"
    )
    print(
        f"wall time: median {statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)}); "
        "target ≤ 2 s"
    )
    print(
        f"CPU time (all threads): median {statistics.median(cpu):.2f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"peak memory (ru_maxrss): {peak_mb:.0f} MB")
    print(f"per replication: {statistics.median(times) / args.runs * 1e3:.3f} ms; memory target ≤ 2048 MB")
    print(f"mean of the units' rank p95 − p05: {(width['rank_p95'] - width['rank_p05']).mean():.1f}")
    wall = cli_seconds(fw, args.runs, args.cli_repeats)
    print(
        f"qiangji index uncertainty (end to end): median {wall:.2f} s, n = {args.cli_repeats}; target ≤ 4 s"
    )
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
