"""Benchmark: the first load of the A级 readiness page's figures on the demo (issue 19).

Loads the demo into a data directory (``qiangji demo --no-serve``; reused when ``--data-dir`` already
holds it), then times ``all_readiness(day)`` with the cache cleared before each repeat, i.e. what the
first request of /programme/readiness/ computes: every criterion of both candidates at each quarter end
since the programme's baseline (2023-01-01). Prints the number of candidates, snapshot days, criteria and
queries, and the median wall time against the target of under 1 s (it took 8.8 s when each criterion was
read one day at a time).

    .venv/bin/python benchmarks/bench_readiness.py [--data-dir DIR] [--day 2026-03-31] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 1.0


def _setup(data_dir: Path) -> None:
    if not (data_dir / "qiangji.sqlite3").exists():
        print(f"loading the demo into {data_dir} …", flush=True)
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
        cmd = [sys.executable, "-m", "qiangji", "demo", "--no-serve", "--data-dir", str(data_dir)]
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiangji.web.settings")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=None, help="a demo data directory (default: a fresh one)")
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.date(2026, 3, 31))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="qiangji-bench-readiness-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    _setup(data_dir)
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qiangji.web.programme.criteria import load_checklist
    from qiangji.web.programme.readiness import all_readiness, snapshot_days

    wall, queries, result = [], 0, []
    for _ in range(args.repeat):
        cache.clear()
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            result = all_readiness(args.day)
            wall.append(time.perf_counter() - t0)
        queries = len(q.captured_queries)
    days = max((len(snapshot_days(r.candidate, args.day)) for r in result), default=0)
    n = len(load_checklist().criteria)
    print(f"A级 readiness on {args.day}: {len(result)} candidates × {days} snapshot days × {n} criteria")
    print(
        f"{queries} queries; median wall {statistics.median(wall):.3f} s over {args.repeat} "
        f"(target < {TARGET_S:g} s)"
    )
    for r in result:
        print(f"  {r.candidate.institution.code}: {r.met_count}/{len(r.criteria)} met · {r.projection_text}")


if __name__ == "__main__":
    main()
