"""Benchmark: ``qiangji audit certificates`` over a generated registry of any size (issue 16 targets).

Generates a registry of ``--certificates N`` verification certificates in one year (2024) with the rest of
the registry they cite — about one county institution per 5,000 certificates, each with its staff and
registrations, standards with instruments and their certificates, authorised items, and regulations of
which some are superseded on 2024-07-01 — and a few per cent of planted defects of every rule. Rows are
written in batches (``executemany`` on SQLite, ``COPY`` on PostgreSQL), not one by one.

Then runs ``qiangji audit certificates --period 2024 -o OUT.csv`` as a user would (a fresh process, which
also checks migrations) ``--repeat`` times, and prints the median wall time, the peak resident memory of
those processes, the number of failures, the load average and the targets: 1,000,000 certificates in
≤ 10 s on PostgreSQL and ≤ 30 s on SQLite, peak ≤ 1 GiB; 300,000 on SQLite in ≤ 10 s. Last, the year
overview's computation after a data change (``build_inputs`` of 2024, C3/C4 from every certificate;
target < 2 s at 1,000,000).

PostgreSQL runs with ``--database postgres`` (or ``both``): on ``DATABASE_URL`` if set (its database is
emptied first: use a throwaway one), else on a throwaway cluster started here like scripts/run-tests.sh.

    .venv/bin/python benchmarks/bench_audit_certificates.py --certificates 300000 [--database both]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from measure import cluster_cpu

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2024
PER_INSTITUTION = 5_000
BATCH = 20_000
TARGETS = {"sqlite": {300_000: 10.0, 1_000_000: 30.0}, "postgres": {1_000_000: 10.0}}
#: The data directory of the throwaway PostgreSQL cluster this script started (its CPU time is read from
#: /proc); None on SQLite or on a server given by DATABASE_URL.
CLUSTER: list[Path] = []


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, 2 cores)"


# --- the registry ---------------------------------------------------------------------------------------
def reference_rows(n_insts: int, rng: random.Random) -> dict[str, Any]:
    """Institutions, items, regulations, staff, registrations, standards: the ORM (a few thousand rows)."""
    from qiangji.web.registry.models import (
        Institution,
        InstitutionMVItem,
        InstrumentCertificate,
        MeasurementStandard,
        MVCatalogueItem,
        Regulation,
        RMRegistration,
        Staff,
        StandardInstrument,
    )

    d = dt.date
    items = [
        MVCatalogueItem.objects.create(
            catalogue_version="bench",
            level1_no=k // 4 + 1,
            level1_name=f"一级{k // 4}",
            level2_no=k + 1,
            level2_name=f"二级{k}",
            supervision_mode="P+V",
            mv_form="periodic",
            evidence="confirmed",
        )
        for k in range(20)
    ]
    regulations = []
    for k in range(20):
        old = Regulation.objects.create(
            code=f"JJG {900 + k}-2010", title=f"基准规程{k}（示例）", effective_from=d(2010, 1, 1),
            max_interval_months=12, temperature_min_c=5, temperature_max_c=35, humidity_max_pct=85,
        )  # fmt: skip
        if k < 3:  # superseded mid-year: certificates after 2024-07-01 citing the old edition fail TR-4
            new = Regulation.objects.create(
                code=f"JJG {900 + k}-2024", title=f"基准规程{k}（示例）", effective_from=d(YEAR, 7, 1),
                max_interval_months=12, temperature_min_c=5, temperature_max_c=35, humidity_max_pct=85,
            )  # fmt: skip
            old.superseded_on, old.superseded_by = d(YEAR, 7, 1), new
            old.save()
        regulations.append(old.pk)
    insts = []
    for i in range(n_insts):
        inst = Institution.objects.create(code=f"B{i:04d}", name=f"基准计量所{i}（示例）", level="county")
        auth = rng.sample(items, 15)
        InstitutionMVItem.objects.bulk_create(
            InstitutionMVItem(institution=inst, item=it, authorised_from=d(2020, 1, 1)) for it in auth
        )
        staff = Staff.objects.bulk_create(
            Staff(
                institution=inst,
                name=f"人员{i}-{k}",
                hired_on=d(2015, 1, 1),
                is_verification=True,
                is_authorised_signatory=k >= 10,
            )
            for k in range(12)
        )
        RMRegistration.objects.bulk_create(
            RMRegistration(
                staff=s,
                level=2,
                qualification_cert_no=f"Q{s.pk}",
                registration_no=f"R{s.pk}",
                valid_from=d(2020, 1, 1),
                valid_to=d(2024, 10, 31) if k == 0 else d(2029, 12, 31),
                professional_items=[it.level2_name for it in auth[: 12 + k % 3]],
            )
            for k, s in enumerate(staff)
        )
        standards = []
        for k in range(5):
            std = MeasurementStandard.objects.create(
                institution=inst, name=f"标准{i}-{k}", jjf1022_code="12010100",
                assessment_cert_no=f"[2020]B{i}-{k}", assessment_issued_on=d(2020, 1, 1),
                assessment_expires_on=d(2024, 11, 30) if k == 0 else d(2025, 12, 31),
            )  # fmt: skip
            for m in range(2):
                instrument = StandardInstrument.objects.create(standard=std, name=f"标准器{i}-{k}-{m}")
                InstrumentCertificate.objects.create(
                    instrument=instrument, cert_no=f"IC{instrument.pk}", issuer="省计量院（示例）",
                    valid_from=d(2023, 6, 1), valid_to=d(2024, 9, 30) if (k, m) == (1, 1) else d(2025, 5, 31),
                )  # fmt: skip
            standards.append(std.pk)
        insts.append(
            {
                "id": inst.pk, "staff": [s.pk for s in staff[:10]], "signatories": [s.pk for s in staff[10:]],
                "items": [it.pk for it in auth] + [items[0].pk], "standards": standards,
            }
        )  # fmt: skip
    return {"insts": insts, "regulations": regulations}


def certificate_rows(
    n: int, ref: dict[str, Any], rng: random.Random
) -> Iterator[tuple[dict[str, Any], list[int]]]:
    """``n`` certificates spread over the year and the institutions, with their cited standards; about
    one in ten breaks a rule (each defect about 1 %)."""
    start, now = dt.date(YEAR, 1, 1), dt.datetime(YEAR + 1, 1, 1, tzinfo=dt.UTC)
    insts, regs = ref["insts"], ref["regulations"]
    for k in range(n):
        inst = insts[k % len(insts)]
        day = start + dt.timedelta(days=rng.randrange(366))
        verifier, checker = rng.sample(inst["staff"], 2)
        roll = rng.random()
        row = {
            "id": k + 1, "created_at": now, "updated_at": now, "institution_id": inst["id"],
            "cert_no": f"JD{YEAR}-{k:08d}", "kind": "certificate",
            "record_no": "" if roll < 0.01 else f"YS{k}",
            "verified_on": day, "valid_until": day + dt.timedelta(days=370 if roll > 0.99 else 360),
            "client": "", "instrument_name": "电子计价秤", "instrument_model": "", "instrument_serial": "",
            "manufacturer": "", "mv_item_id": rng.choice(inst["items"]), "regulation_id": rng.choice(regs),
            "verifier_id": verifier, "checker_id": verifier if 0.01 <= roll < 0.015 else checker,
            "approver_id": rng.choice(inst["signatories"]),
            "temperature_c": None if 0.02 <= roll < 0.03 else 20.5,
            "humidity_pct": 90.0 if 0.03 <= roll < 0.04 else 55.0, "conclusion": "pass", "place": "",
        }  # fmt: skip
        cited = [] if 0.04 <= roll < 0.045 else rng.sample(inst["standards"], 2 if roll > 0.9 else 1)
        yield row, cited


def write_certificates(n: int, ref: dict[str, Any], rng: random.Random) -> None:
    from django.db import connection, transaction

    from qiangji.web.registry.models import VerificationCertificate

    table = VerificationCertificate._meta.db_table
    link = VerificationCertificate.standards.through._meta.db_table
    columns = [f.column for f in VerificationCertificate._meta.local_concrete_fields]
    link_columns = ["verificationcertificate_id", "measurementstandard_id"]
    rows: list[tuple[Any, ...]] = []
    links: list[tuple[int, int]] = []
    with transaction.atomic():
        for row, cited in certificate_rows(n, ref, rng):
            rows.append(tuple(row[c] for c in columns))
            links += [(row["id"], s) for s in cited]
            if len(rows) >= BATCH:
                _insert(connection, table, columns, rows)
                _insert(connection, link, link_columns, links)
                rows, links = [], []
        _insert(connection, table, columns, rows)
        _insert(connection, link, link_columns, links)
        if connection.vendor == "postgresql":  # ids were given: move the sequence past them
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [n + 1])
                cursor.execute(f"ANALYZE {table}")
                cursor.execute(f"ANALYZE {link}")


def _insert(connection: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


# --- the databases ---------------------------------------------------------------------------------------
@contextmanager
def postgres_url() -> Iterator[str]:
    """``DATABASE_URL`` if set, else a throwaway cluster (stopped and removed afterwards)."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: float(p.parent.name))
    if not bins:
        raise SystemExit("bench_audit_certificates: no DATABASE_URL and no PostgreSQL server binaries")
    pgbin, tmp = bins[-1], Path(tempfile.mkdtemp(prefix="qiangji-bench-pg-"))
    as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    if as_pg:
        shutil.chown(tmp, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp / "data"
    CLUSTER[:] = [data]
    subprocess.run([*as_pg, f"{pgbin}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, capture_output=True)  # fmt: skip
    options = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    subprocess.run([*as_pg, f"{pgbin}/pg_ctl", "-D", str(data), "-l", str(tmp / "log"), "-w", "-o", options,
                    "start"], check=True, capture_output=True)  # fmt: skip
    try:
        subprocess.run([*as_pg, f"{pgbin}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                        "qiangji"], check=True)  # fmt: skip
        yield f"postgres://postgres@127.0.0.1:{port}/qiangji"
    finally:
        subprocess.run(
            [*as_pg, f"{pgbin}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(tmp, ignore_errors=True)
        CLUSTER.clear()


def environment(database: str, url: str | None, data_dir: str) -> dict[str, str]:
    env = {**os.environ, "DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "qiangji.web.settings"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env.pop("DATABASE_URL", None)
    if database == "postgres" and url:
        env["DATABASE_URL"] = url
    return env


def generate(env: dict[str, str], n: int, seed: int) -> None:
    """Migrate and generate in this process (Django pointed at ``env``'s database)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiangji.web.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("flush" if env.get("DATABASE_URL") else "migrate", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    start = time.perf_counter()
    ref = reference_rows(max(2, n // PER_INSTITUTION), rng)
    write_certificates(n, ref, rng)
    print(
        f"generated {n:,} certificates, {len(ref['insts'])} institutions: {time.perf_counter() - start:.1f} s"
    )


def run_audit(env: dict[str, str], out: Path) -> tuple[float, float, int, int, float | None]:
    """One ``qiangji audit certificates --period 2024`` in a fresh process: (wall seconds, CPU seconds and
    peak resident kilobytes of that process, failures, CPU seconds of the throwaway PostgreSQL cluster
    meanwhile or None). On the shared machine the CPU seconds are the steadier figure."""
    server = cluster_cpu(CLUSTER[0]) if CLUSTER else None
    command = [
        sys.executable,
        "-m",
        "qiangji",
        "audit",
        "certificates",
        "--period",
        str(YEAR),
        "-o",
        str(out),
    ]
    start = time.perf_counter()
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as child:
        # read the summary before waiting: a province's summary fills the pipe, and the child would wait
        printed = child.stdout.read() if child.stdout else ""
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"qiangji audit certificates failed (status {status})")
    head = printed.splitlines()[0]
    cpu = usage.ru_utime + usage.ru_stime
    after = cluster_cpu(CLUSTER[0]) if CLUSTER else None
    on_server = after - server if server is not None and after is not None else None
    return wall, cpu, usage.ru_maxrss, int(head.rsplit("不符合", 1)[1].split()[0]), on_server


def overview(repeat: int) -> None:
    """In this process (Django pointed at the generated database): the year overview's computation after a
    data change — ``build_inputs`` for the year, which the overview page caches until the data change, so
    this is its first request after one — ``repeat`` times after saving one certificate, then after saving
    one registration of a county's staff. The first run computes every institution's C3/C4."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiangji.web.settings")
    import django

    django.setup()
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.inputs import build_inputs
    from qiangji.web.assessment.models import FrameworkVersion, Period
    from qiangji.web.registry.models import RMRegistration, VerificationCertificate

    version = ensure_default_framework(FrameworkVersion)[0]
    period = Period.for_code(str(YEAR))
    changes = {
        "a certificate": lambda: VerificationCertificate.objects.order_by("pk").first(),
        "one county's staff": lambda: RMRegistration.objects.order_by("pk").first(),
    }
    for what, first in changes.items():
        walls, cpus = [], []
        for _ in range(repeat):
            row = first()
            assert row is not None
            row.save()  # the data change: its updated_at moves
            wall, cpu = time.perf_counter(), time.process_time()
            build_inputs(period, version)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(
            f"year overview after a change to {what}: median {statistics.median(walls):6.2f} s wall"
            f" (n={repeat}: {' '.join(f'{w:.2f}' for w in walls)}), {statistics.median(cpus):.2f} s CPU of"
            " this process; target < 2 s at 1,000,000 certificates",
            flush=True,
        )


def bench(database: str, n: int, repeat: int, seed: int, keep: str | None) -> None:
    data_dir = keep or tempfile.mkdtemp(prefix="qiangji-bench-audit-")
    reuse = database == "sqlite" and (Path(data_dir) / "qiangji.sqlite3").exists()
    with postgres_url() if database == "postgres" else _nothing() as url:
        env = environment(database, url, data_dir)
        if not reuse:
            subprocess.run(
                [sys.executable, __file__, "--generate-only", "--certificates", str(n), "--seed", str(seed)],
                env=env, check=True,
            )  # fmt: skip
        runs = [run_audit(env, Path(data_dir) / "audit.csv") for _ in range(repeat)]
        walls, peak = [r[0] for r in runs], max(r[2] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        servers = [r[4] for r in runs if r[4] is not None]
        on_server = ""
        if len(servers) == len(runs):
            both = statistics.median(r[1] + (r[4] or 0.0) for r in runs)
            on_server = f" + {statistics.median(servers):.2f} s of the server = {both:.2f} s CPU in all"
        target = TARGETS[database].get(n)
        goal = f", target ≤ {target:.0f} s" if target else ""
        print(
            f"{database:<8} {n:>9,} certificates: audit median {statistics.median(walls):6.2f} s wall"
            f" (n={repeat}: {' '.join(f'{w:.2f}' for w in walls)}){goal}; {cpu:.2f} s CPU of the command"
            f"{on_server}; failures {runs[0][3]:,};"
            f" peak RSS {peak / 1024:.0f} MiB (target ≤ 1024 MiB); {load()}",
            flush=True,
        )
        subprocess.run(
            [sys.executable, __file__, "--overview-only", "--repeat", str(repeat)], env=env, check=True
        )
    if not keep:
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--keep", metavar="DIR", help="SQLite: keep the generated database in DIR; reuse it")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--overview-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(dict(os.environ), args.certificates, args.seed)
        return
    if args.overview_only:
        overview(args.repeat)
        return
    print(load(), flush=True)
    for database in ("sqlite", "postgres") if args.database == "both" else (args.database,):
        bench(database, args.certificates, args.repeat, args.seed, args.keep)
    print(load(), flush=True)


if __name__ == "__main__":
    main()
