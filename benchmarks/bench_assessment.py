"""Benchmark: a period's indicator inputs (``build_inputs``) on the full demo registry (embedded SQLite).

Loads the demo data set into a throwaway database (about 30 s), fills the demo assessment data of one
quarter and of its year, then prints the median wall time over ``--repeat`` runs of:

* ``build_inputs`` for a quarter (9 institutions × 29 indicators, ~400 sampled certificates),
* ``build_inputs`` for a year (four quarters of certificates and supervision visits),
* ``demo_assessment`` of one further quarter (reported values through the workflow, one visit each).

The demo publisher calls ``build_inputs`` once per demo period; the overview page once per request.

    .venv/bin/python benchmarks/bench_assessment.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable


def setup_django() -> None:
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="qiangji-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiangji.web.settings")
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from qiangji.demo.load import load_demo
    from qiangji.web.assessment.demo import demo_assessment
    from qiangji.web.assessment.inputs import build_inputs
    from qiangji.web.assessment.models import FrameworkVersion, Period

    started = time.perf_counter()
    load_demo()
    print(f"load_demo (setup):                 {time.perf_counter() - started:7.1f} s")
    fv = FrameworkVersion.objects.get(version="2025.1")
    quarter, year = Period.for_code("2024Q3"), Period.for_code("2024")
    demo_assessment([quarter, year])
    for period in (quarter, year):
        seconds = median_seconds(lambda p=period: build_inputs(p, fv), args.repeat)  # type: ignore[misc]
        print(f"build_inputs {period.code:>6}:               {seconds:7.2f} s (median of {args.repeat})")
    started = time.perf_counter()
    demo_assessment([Period.for_code("2024Q4")])
    print(f"demo_assessment one quarter:       {time.perf_counter() - started:7.2f} s (once)")


if __name__ == "__main__":
    main()
