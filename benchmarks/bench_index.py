"""Benchmark: the index build for 3,000 units × 30 indicators, three levels, 0.5 % missing cells.

Prints, with their targets (issue 17) and the load average:

* the median in-process time of ``compute`` (framework compiled and data validated beforehand, as
  COINr's build is timed from an assembled coin): impute, treat, normalise (min-max 0–100), aggregate
  (weighted arithmetic mean) at every node, effective weights, contributions and publication ranks;
  target ≤ 5 ms (COINr takes about 360 ms for the same build here). The ranks at every node are formed
  when first read, so the same build followed by reading ``result.ranks`` is printed too;
* ``qiangji index compute FRAMEWORK DATA -o OUT`` end to end (a new process: imports, reading and
  validating the CSV, the build, writing the long CSV) on the same data written to a CSV file; target
  ≤ 0.35 s (COINr about 2.1 s).

    .venv/bin/python benchmarks/bench_index.py [--repeat 50] [--cli-repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from qiangji.core.index import Framework, compute, data_from_frame

N_UNITS, N_GROUPS, PER_GROUP = 3000, 6, 5
QIANGJI = [
    sys.executable,
    "-c",
    "import sys; from qiangji.cli import main; sys.exit(main())",
]  # 6 × 5 = 30 indicators; index → 6 groups → 30 indicators


def build() -> tuple[Framework, pd.DataFrame]:
    spec, frame = build_spec()
    return Framework.from_dict(spec), frame


def build_spec() -> tuple[dict[str, object], pd.DataFrame]:
    rng = np.random.default_rng(20250101)
    nodes = [
        {
            "code": f"G{g}",
            "weight": float(rng.uniform(1, 3)),
            "children": [
                {
                    "code": f"I{g}.{k}",
                    "direction": int(rng.choice([1, -1])),
                    "weight": float(rng.uniform(1, 3)),
                }
                for k in range(PER_GROUP)
            ],
        }
        for g in range(N_GROUPS)
    ]
    spec: dict[str, object] = {"code": "BENCH", "nodes": nodes}
    indicators = [kid["code"] for group in nodes for kid in group["children"]]
    values = rng.lognormal(2.0, 1.0, size=(N_UNITS, len(indicators)))
    values[rng.random(values.shape) < 0.005] = np.nan
    frame = pd.DataFrame(values, columns=indicators)
    frame.insert(0, "unit", [f"U{i:05d}" for i in range(N_UNITS)])
    return spec, frame


def _median_ms(fn: object, repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``repeat`` calls (after one warm-up call)."""
    assert callable(fn)
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(wall), statistics.median(cpu)


def _cli_seconds(repeat: int) -> tuple[float, float]:
    """Median wall and CPU (user + system, children) seconds of ``qiangji index compute … -o``."""
    spec, frame = build_spec()
    with tempfile.TemporaryDirectory() as tmp:
        fw_path, data_path, out = Path(tmp, "fw.json"), Path(tmp, "data.csv"), Path(tmp, "out.csv")
        fw_path.write_text(json.dumps(spec), encoding="utf-8")
        frame.to_csv(data_path, index=False, na_rep="")
        cmd = [*QIANGJI, "index", "compute", str(fw_path), str(data_path), "-o", str(out)]
        wall, cpu = [], []
        for _ in range(repeat):
            before = os.times()
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            wall.append(time.perf_counter() - t0)
            after = os.times()
            cpu.append(
                after.children_user + after.children_system - before.children_user - before.children_system
            )
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--cli-repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    fw, frame = build()
    t0 = time.perf_counter()
    data = data_from_frame(frame, fw)
    load_ms = (time.perf_counter() - t0) * 1e3
    missing = float(np.isnan(data.values).mean()) * 100
    print(
        f"index build: {N_UNITS} units × {len(fw.indicators)} indicators, {fw.top_level} levels, "
        f"{missing:.2f} % missing"
    )
    wall, cpu = _median_ms(lambda: compute(fw, data), args.repeat)
    print(f"compute: median {wall:.2f} ms ({cpu:.2f} ms CPU), n = {args.repeat}; target ≤ 5 ms")
    wall, cpu = _median_ms(lambda: compute(fw, data).ranks, args.repeat)
    print(f"compute + reading the ranks at every node: median {wall:.2f} ms ({cpu:.2f} ms CPU)")
    print(f"data validation (once, from a DataFrame): {load_ms:.1f} ms")
    wall_s, cpu_s = _cli_seconds(args.cli_repeat)
    print(
        f"qiangji index compute -o (end to end): median {wall_s:.3f} s ({cpu_s:.3f} s CPU), "
        f"n = {args.cli_repeat}; target ≤ 0.35 s"
    )
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
