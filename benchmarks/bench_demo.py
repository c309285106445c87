"""Benchmark: the demo set-up and the heavy pages on the demo data (embedded SQLite, this machine).

Prints wall-clock medians (and CPU seconds of this process, which other engineers' jobs on the shared
2-core machine disturb less) with the load average before and after:

* set-up, ``--setups`` times into a fresh data directory each: migrate, ``load_demo``,
  ``load_programme_demo``, ``load_comparisons_demo`` (if installed), ``publish_demo`` (all 15 periods);
* on the last set-up: ``build_inputs`` for a quarter and a year (``--repeat`` times), and, through the
  Django test client logged in as the demo admin, the period overview of that quarter and year and the
  programme goals dashboard and one institution's programme page: the first request after a data change
  (the cache misses: ``cache.clear()`` before each) and repeated requests (cache hits), ``--repeat``
  times each. One warm-up request loads the URL configuration first (its imports take seconds once per
  process and are no part of a page);
* with ``--cli``: ``qiangji demo --no-serve --data-dir DIR`` as a user runs it, the first run into a
  fresh directory (``--setups`` times) and the second run on the last one (``--repeat`` times).

    .venv/bin/python benchmarks/bench_demo.py [--setups 3] [--repeat 5] [--cli]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

QUARTER, YEAR = "2024Q3", "2024"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, 2 cores)"


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def report(name: str, runs: list[tuple[float, float]]) -> None:
    walls, cpus = [w for w, _c in runs], [c for _w, c in runs]
    spread = " ".join(f"{w:.2f}" for w in walls)
    print(
        f"{name:<44} median {statistics.median(walls):7.2f} s wall, {statistics.median(cpus):6.2f} s CPU"
        f"  (n={len(runs)}: {spread})",
        flush=True,
    )


def setup_once() -> dict[str, tuple[float, float]]:
    """One fresh database: migrate and each demo step, timed. Leaves Django connected to it."""
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="qiangji-bench-demo-")
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = str(Path(os.environ["DATA_DIR"]) / "qiangji.sqlite3")
    settings.MEDIA_ROOT = str(Path(os.environ["DATA_DIR"]) / "media")
    from qiangji.demo.load import load_demo
    from qiangji.web.programme.demo import load_programme_demo
    from qiangji.web.publication.demo import publish_demo

    steps: dict[str, Callable[[], Any]] = {
        "migrate": lambda: call_command("migrate", verbosity=0),
        "load_demo": load_demo,
        "load_programme_demo": load_programme_demo,
    }
    try:
        from qiangji.web.comparisons.demo import load_comparisons_demo

        steps["load_comparisons_demo"] = load_comparisons_demo
    except ImportError:
        pass
    steps["publish_demo (15 periods)"] = publish_demo
    return {name: timed(fn) for name, fn in steps.items()}


def bench_inputs(repeat: int) -> None:
    from qiangji.web.assessment.inputs import build_inputs
    from qiangji.web.assessment.models import FrameworkVersion, Period

    fv = FrameworkVersion.objects.order_by("-created_at", "-pk").first()
    for code in (QUARTER, YEAR):
        period = Period.for_code(code)
        report(f"build_inputs {code}", [timed(lambda p=period: build_inputs(p, fv)) for _ in range(repeat)])


def bench_pages(repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="admin"))
    client.get("/")  # loads the URL configuration (API schemas etc.): once per process
    pages = [
        f"/assessment/{QUARTER}/",
        f"/assessment/{YEAR}/",
        "/programme/",
        "/programme/institutions/JJ-MI/",
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url

        def miss(u: str = url) -> None:
            cache.clear()
            client.get(u)

        report(f"GET {url} (after a change)", [timed(miss) for _ in range(repeat)])
        report(f"GET {url} (cached)", [timed(lambda u=url: client.get(u)) for _ in range(repeat)])


def bench_cli(setups: int, repeat: int) -> None:
    qiangji = str(Path(sys.executable).with_name("qiangji"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATA_DIR")}
    last = ""

    def run(folder: str) -> None:
        subprocess.run(
            [qiangji, "demo", "--no-serve", "--data-dir", folder],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )

    firsts = []
    for _ in range(setups):
        last = tempfile.mkdtemp(prefix="qiangji-bench-cli-")
        firsts.append(_wall(lambda d=last: run(d)))
    report("qiangji demo --no-serve, first run", firsts)
    report("qiangji demo --no-serve, second run", [_wall(lambda: run(last)) for _ in range(repeat)])


def _wall(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall seconds of a subprocess (its CPU time is not this process's: reported as 0)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start, 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--setups", type=int, default=3, help="fresh set-ups (and CLI first runs)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of build_inputs, pages, CLI reruns")
    parser.add_argument("--cli", action="store_true", help="also time `qiangji demo --no-serve`")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="qiangji-bench-demo-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiangji.web.settings")
    import django

    django.setup()
    print(f"before: {load()}", flush=True)
    runs: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.setups):
        for name, took in setup_once().items():
            runs.setdefault(name, []).append(took)
    for name, took_all in runs.items():
        report(name, took_all)
    bench_inputs(args.repeat)
    bench_pages(args.repeat)
    if args.cli:
        bench_cli(args.setups, args.repeat)
    print(f"after:  {load()}", flush=True)


if __name__ == "__main__":
    main()
