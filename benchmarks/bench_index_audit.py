"""Benchmark: the statistical audit of an index run, 3,000 units × 30 indicators (issue 15, point 3).

The data and framework are those of ``bench_index.py`` (index → 6 dimensions → 30 indicators, 0.5 %
missing cells). Prints the load average (the machine is shared) and:

* the median in-process time of ``audit(result)`` on a computed run: correlations with the parent,
  Cronbach's α and PCA of every group, effective weights, variance shares and main effects (the
  local-linear smoother is exact, n² kernel cells per dimension);
* ``qiangji index audit FRAMEWORK DATA -o OUT`` end to end (a new process: imports, reading and
  validating the CSV, the build, the audit, writing the long CSV); target < 2 s.

    .venv/bin/python benchmarks/bench_index_audit.py [--repeat 10] [--cli-repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

from bench_index import QIANGJI, build, build_spec

from qiangji.core.index import compute, data_from_frame
from qiangji.core.index.audit import audit


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


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
    """Median wall and CPU (user + system, children) seconds of ``qiangji index audit … -o``."""
    spec, frame = build_spec()
    with tempfile.TemporaryDirectory() as tmp:
        fw_path, data_path, out = Path(tmp, "fw.json"), Path(tmp, "data.csv"), Path(tmp, "audit.csv")
        fw_path.write_text(json.dumps(spec), encoding="utf-8")
        frame.to_csv(data_path, index=False, na_rep="")
        cmd = [*QIANGJI, "index", "audit", str(fw_path), str(data_path), "-o", str(out)]
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
        rows = sum(1 for _ in out.open(encoding="utf-8")) - 1
    print(f"audit CSV: {rows} rows")
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--cli-repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average {_load()}")
    fw, frame = build()
    result = compute(fw, data_from_frame(frame, fw))
    print(f"index audit: {len(result.units)} units × {len(fw.indicators)} indicators, {fw.top_level} levels")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the benchmark data are not degenerate: fail loudly if they were
        wall, cpu = _median_ms(lambda: audit(result), args.repeat)
    print(f"audit(result): median {wall:.1f} ms ({cpu:.1f} ms CPU), n = {args.repeat}")
    wall_s, cpu_s = _cli_seconds(args.cli_repeat)
    print(
        f"qiangji index audit -o (end to end): median {wall_s:.3f} s ({cpu_s:.3f} s CPU), "
        f"n = {args.cli_repeat}; target < 2 s"
    )
    print(f"load average {_load()}")


if __name__ == "__main__":
    main()
