"""Benchmark: the cost of the audit trail and of the permission policy (embedded SQLite).

Prints the median wall time over ``--repeat`` runs of:

* creating, updating and deleting ``--rows`` registry rows (staff) with the audit signals connected and
  with them disconnected, in one transaction each (the per-row overhead of the trail),
* ``scope_queryset`` + evaluation of the staff list for a county reporter and for a reviewer,
* ``version_token`` of one row (what every admin change page computes once).

    .venv/bin/python benchmarks/bench_audit.py [--rows 1000] [--repeat 5]
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
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django()

    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from qiangji.web.accounts import audit, policy
    from qiangji.web.accounts.locking import version_token
    from qiangji.web.accounts.roles import assign_role
    from qiangji.web.registry.models import Institution, Staff

    insts = [
        Institution.objects.create(code=f"B{i}", name=f"基准机构{i}（示例）", level=Institution.Level.COUNTY)
        for i in range(9)
    ]
    reporter = get_user_model().objects.create_user("bench-reporter")
    assign_role(reporter, "reporter", insts[0])
    reviewer = get_user_model().objects.create_user("bench-reviewer")
    assign_role(reviewer, "reviewer")

    def phases() -> dict[str, float]:
        times = {}
        with transaction.atomic():
            start = time.perf_counter()
            rows = [
                Staff.objects.create(institution=insts[i % 9], name=f"人员{i}", hired_on="2020-01-01")
                for i in range(args.rows)
            ]
            times["create"] = time.perf_counter() - start
            start = time.perf_counter()
            for row in rows:
                row.name += "改"
                row.save()
            times["update"] = time.perf_counter() - start
            start = time.perf_counter()
            for row in rows:
                row.delete()
            times["delete"] = time.perf_counter() - start
        return times

    def medians() -> dict[str, float]:
        runs = [phases() for _ in range(args.repeat)]
        return {k: statistics.median(r[k] for r in runs) for k in runs[0]}

    audited = medians()
    models = [m for m in apps.get_models() if audit.is_audited(m)]
    for signal, handler in audit.HANDLERS:
        for model in models:
            signal.disconnect(handler, sender=model, dispatch_uid=f"qiangji_audit_{handler.__name__}")
    bare = medians()
    audit.connect()
    print(f"{args.rows} staff rows, median of {args.repeat} (ms per row: audited / bare / overhead)")
    for phase in ("create", "update", "delete"):
        a_ms, b_ms = audited[phase] / args.rows * 1e3, bare[phase] / args.rows * 1e3
        print(f"  {phase:6s}: {a_ms:6.2f} / {b_ms:6.2f} / {a_ms - b_ms:6.2f}")
    print("  (a delete is a cascade: every related table is searched so cascaded rows are audited too)")

    Staff.objects.bulk_create(
        Staff(institution=insts[i % 9], name=f"常驻{i}", hired_on="2020-01-01") for i in range(2000)
    )
    for label, user in (("reporter", reporter), ("reviewer", reviewer)):
        t = median_seconds(lambda u=user: list(policy.scope_queryset(u, Staff.objects.all())), args.repeat)
        print(f"scope_queryset(staff, 2000 rows) for a {label:8s}   : {t * 1e3:8.2f} ms")
    one = Staff.objects.first()
    assert one is not None
    t = median_seconds(lambda: [version_token(one) for _ in range(100)], args.repeat) / 100
    print(f"version_token of one row                          : {t * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
