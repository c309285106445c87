"""Benchmark: the registry import of N generated verification certificates, from CSV and from xlsx.

Each run imports into a fresh database holding only the reference rows the certificates point to
(10 institutions × 20 staff, 50 measurement standards, a regulation, a catalogue item), through
``run_import`` (the upload checks, the import and its kept record: what the page and `qiangji import` do).
Prints the median wall time over ``--repeat`` runs, the load average before and after, and a second
import of the same file (nothing changes: the idempotent path). Beside each wall time, the CPU time this
process spent (SQLite works inside it): on a machine shared with other work the wall time waits for the
CPU, the CPU time does not.

    .venv/bin/python benchmarks/bench_import.py --rows 100000 --format csv xlsx [--repeat 3]
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_import.py --rows 1000000 --format csv
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def setup_django() -> None:
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="qiangji-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiangji.web.settings")
    import django

    django.setup()


def fresh_database() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def one_run(data: bytes, name: str) -> tuple[float, float, float, int]:
    from qiangji.web.excel.evidence import run_import
    from qiangji.web.excel.synthetic import reference_registry

    fresh_database()
    reference_registry()
    start, cpu = time.perf_counter(), time.process_time()
    outcome = run_import(data, name=name, table="verification_certificate", source="cli", actor="bench")
    first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert outcome.result.ok, outcome.result.errors[:3]
    start = time.perf_counter()
    again = run_import(data, name=name, table="verification_certificate", source="cli", actor="bench")
    second = time.perf_counter() - start
    assert again.result.stored() == 0
    return first, first_cpu, second, outcome.result.created["verification_certificate"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from qiangji.web.excel.synthetic import certificate_csv, certificate_rows, certificate_xlsx

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; rows: {args.rows:,}; load average before: {os.getloadavg()}")
    for fmt in args.format:
        started = time.perf_counter()
        rows = certificate_rows(args.rows)
        data = certificate_csv(rows) if fmt == "csv" else certificate_xlsx(rows)
        made = time.perf_counter() - started
        print(f"{fmt}: {len(data) / 2**20:.1f} MiB generated in {made:.1f} s")
        firsts, cpus, seconds = [], [], []
        for _ in range(args.repeat):
            first, cpu, second, created = one_run(data, f"certificates.{fmt}")
            assert created == args.rows
            firsts.append(first)
            cpus.append(cpu)
            seconds.append(second)
            print(f"  run: import {first:.2f} s (CPU {cpu:.2f} s), same file again {second:.2f} s")
        print(
            f"{fmt}: median import {statistics.median(firsts):.2f} s "
            f"({args.rows / statistics.median(firsts):,.0f} rows/s; CPU {statistics.median(cpus):.2f} s); "
            f"same file again {statistics.median(seconds):.2f} s"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
