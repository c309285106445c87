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

from measure import backend_cpu, figure, load

#: Issue 16's targets, seconds: (database vendor, format, rows) → wall time of the first import.
TARGETS = {
    ("sqlite", "csv", 100_000): 5.0, ("sqlite", "xlsx", 100_000): 8.0, ("sqlite", "csv", 300_000): 20.0,
    ("postgresql", "csv", 1_000_000): 60.0,
}  # fmt: skip


def setup_django() -> None:
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="qiangji-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiangji.web.settings")
    import django

    django.setup()


def fresh_database() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def one_run(data: bytes, name: str) -> tuple[float, float, float | None, float, int]:
    """(wall, this process's CPU, the server's CPU or None, wall of the same file again, rows created)."""
    from django.db import connection

    from qiangji.web.excel.evidence import run_import
    from qiangji.web.excel.synthetic import reference_registry

    fresh_database()
    reference_registry()
    server = backend_cpu(connection)
    start, cpu = time.perf_counter(), time.process_time()
    outcome = run_import(data, name=name, table="verification_certificate", source="cli", actor="bench")
    first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    after = backend_cpu(connection)
    server_cpu = after - server if server is not None and after is not None else None
    assert outcome.result.ok, outcome.result.errors[:3]
    start = time.perf_counter()
    again = run_import(data, name=name, table="verification_certificate", source="cli", actor="bench")
    second = time.perf_counter() - start
    assert again.result.stored() == 0
    return first, first_cpu, server_cpu, second, outcome.result.created["verification_certificate"]


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
    print(f"database: {connection.vendor}; rows: {args.rows:,}; {load()}")
    for fmt in args.format:
        started = time.perf_counter()
        rows = certificate_rows(args.rows)
        data = certificate_csv(rows) if fmt == "csv" else certificate_xlsx(rows)
        made = time.perf_counter() - started
        print(f"{fmt}: {len(data) / 2**20:.1f} MiB generated in {made:.1f} s")
        firsts, cpus, servers, seconds = [], [], [], []
        for _ in range(args.repeat):
            first, cpu, server, second, created = one_run(data, f"certificates.{fmt}")
            assert created == args.rows
            firsts.append(first)
            cpus.append(cpu)
            seconds.append(second)
            on_server = ""
            if server is not None:
                servers.append(server)
                on_server = f" + server {server:.2f} s"
            print(
                f"  run: import {first:.2f} s (CPU {cpu:.2f} s{on_server}), same file again {second:.2f} s; "
                f"{load()}",
                flush=True,
            )
        split = ""
        if servers:  # the CPU that counts: this process's and the server's
            split = f" (client {statistics.median(cpus):.2f} s + server {statistics.median(servers):.2f} s)"
            cpus = [c + s for c, s in zip(cpus, servers, strict=True)]
        target = TARGETS.get((connection.vendor, fmt, args.rows))
        label = f"{fmt} import of {args.rows:,} rows on {connection.vendor}"
        print(figure(label, firsts, cpus, target) + split)
        print(
            f"{fmt}: {args.rows / statistics.median(firsts):,.0f} rows/s; "
            f"same file again median {statistics.median(seconds):.2f} s"
        )
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
