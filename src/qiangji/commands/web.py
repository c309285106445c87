"""Database and server commands: demo, serve, import, manage. They load Django lazily."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from qiangji.commands.database import migrate, setup_django


def _runserver(port: int) -> None:
    """Django's development server, with a background-job worker beside it (`qiangji worker`) for as long
    as it serves: computing an index from the pages needs one, and the demo must need no second command."""
    import signal

    from django.core.management import call_command

    worker = start_worker()
    # SIGTERM (a service manager, `kill`) ends the server through the `finally`, so the worker goes with it.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True)
    finally:
        stop_worker(worker)
        signal.signal(signal.SIGTERM, previous)


def start_worker() -> Any:
    """`qiangji worker` as a child process (same DATA_DIR / DATABASE_URL, from the environment)."""
    import subprocess

    print("后台任务进程 / background worker: started (qiangji worker)", flush=True)
    return subprocess.Popen([sys.executable, "-m", "qiangji", "worker"])


def stop_worker(worker: Any) -> None:
    import subprocess

    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the background jobs (index computations, …) queued by the pages, until stopped."""
    setup_django(None)
    from django.core.management import call_command

    call_command("db_worker", queue_name="*", interval=args.interval, reload=False, verbosity=1)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    setup_django(args.data_dir)
    from django.conf import settings

    from qiangji.demo.load import load_demo

    migrate()
    report = load_demo()
    print(report.summary())
    from qiangji.web.comparisons.demo import load_comparisons_demo
    from qiangji.web.programme.demo import load_programme_demo
    from qiangji.web.publication.demo import publish_demo

    print(load_programme_demo().summary())  # before publishing: D3.3 comes from its attendance
    from qiangji.web.programme.demo_steering import load_steering_demo

    print(load_steering_demo())
    print(load_comparisons_demo().summary())  # before publishing: C3.2 comes from its evaluated rounds
    from qiangji.web.steering.demo import load_steering_demo

    print(load_steering_demo())  # after the registry and programme demos: it reads their rows

    print(publish_demo().summary())
    from qiangji.web.assessment.demo import demo_open_periods

    print(demo_open_periods().summary())
    print(f"数据库 / database: {settings.DATABASES['default']['NAME']}")
    _print_accounts()
    print(f"打开 / open: http://127.0.0.1:{args.port}/")
    if args.no_serve:
        return 0
    _runserver(args.port)
    return 0


def _print_accounts() -> None:
    from qiangji.demo.accounts import demo_accounts

    print("演示账号 / demo accounts（用户名 / 密码 / 角色 / 机构）:")
    for account in demo_accounts():
        print(f"  {account.username} / {account.password} / {account.role} {account.institution}".rstrip())


def cmd_serve(args: argparse.Namespace) -> int:
    if args.production:
        from qiangji.commands.production import ServerOptions, serve_production

        return serve_production(ServerOptions(host=args.host, port=args.port, threads=args.threads or 4))
    if args.host != "127.0.0.1" or args.threads is not None:
        print("qiangji serve: --host and --threads apply to --production only", file=sys.stderr)
        return 2
    setup_django(None)
    migrate()
    print(f"打开 / open: http://127.0.0.1:{args.port}/")
    _runserver(args.port)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django(None)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qiangji manage", *args.rest])
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    setup_django(None)
    migrate()
    from qiangji.web.excel.cli import import_file

    return import_file(args.file, args.table)


def cmd_export(args: argparse.Namespace) -> int:
    setup_django(None)
    migrate()
    from qiangji.web.excel.cli import write_file

    return write_file(args.file, args.table, data=args.command == "export")


def cmd_backup(args: argparse.Namespace) -> int:
    setup_django(None)
    from pathlib import Path

    from qiangji.web.backup import backup

    print(f"backup {args.file}: {backup(Path(args.file))}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    setup_django(None)
    migrate()
    from pathlib import Path

    from qiangji.web.backup import BackupError, restore

    try:
        summary = restore(Path(args.file))
    except BackupError as exc:
        print(f"qiangji restore: refused, nothing changed: {exc}", file=sys.stderr)
        return 2
    print(f"restored {args.file}: {summary}")
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    setup_django(None)
    migrate()
    from qiangji.web.programme.alerts import print_alerts

    return print_alerts(args.as_of, args.institution, email=args.email)


def cmd_remind(args: argparse.Namespace) -> int:
    setup_django(None)  # no migrate: from cron against production, migrations are the operator's step
    from qiangji.web.inbox.remind import run

    return run(args.today)


def cmd_audit(args: argparse.Namespace) -> int:
    setup_django(None)
    migrate()
    from qiangji.web.registry.audit_report import audit_certificates

    return audit_certificates(args.start, args.end, args.period, args.institution, args.output)


def _date(text: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date must be YYYY-MM-DD, got {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def _port(default: int) -> int:
    return int(os.environ.get("PORT", default))


@functools.cache
def _registry_tables() -> tuple[str, ...]:
    """The names of the Excel table registry (`qiangji.web.excel.tables.TABLES`), in its order."""
    setup_django(None)  # what the import and export commands do first anyway
    from qiangji.web.excel.tables import TABLES

    return tuple(spec.name for spec in TABLES)


class TableNames(Sequence[str]):
    """``--table`` choices read from the table registry when argparse first needs them (a value to check,
    the help): building the parser, which the pure commands share, loads no Django."""

    def __getitem__(self, i: Any) -> Any:
        return _registry_tables()[i]

    def __len__(self) -> int:
        return len(_registry_tables())

    def __iter__(self) -> Iterator[str]:
        return iter(_registry_tables())

    def __contains__(self, name: object) -> bool:
        return name in _registry_tables()


def add_parser(sub: Any) -> None:
    _add_servers(sub)
    _add_files(sub)
    _add_programme(sub)
    _add_audit_and_manage(sub)


def _add_servers(sub: Any) -> None:
    demo = sub.add_parser("demo", help="create/migrate the SQLite database, load demo data once, serve")
    demo.add_argument("--port", type=int, default=_port(8000))
    demo.add_argument("--data-dir", default=None, help="database and files folder (default ./var)")
    demo.add_argument("--no-serve", action="store_true", help="set up and load, then exit")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser(
        "serve",
        help="serve the configured database on 127.0.0.1 (development server; --production: waitress)",
    )
    serve.add_argument("--port", type=int, default=_port(8000))
    serve.add_argument(
        "--production",
        action="store_true",
        help="check migrations, collectstatic, check --deploy, then serve with waitress (README, Deployment)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (--production; default 127.0.0.1)"
    )
    serve.add_argument("--threads", type=_positive, default=None, help="worker threads (--production; 4)")
    serve.set_defaults(func=cmd_serve)


def _add_files(sub: Any) -> None:
    tables = TableNames()
    importer = sub.add_parser("import", help="import an .xlsx workbook (all-or-nothing; exit 2 on errors)")
    importer.add_argument("file")
    importer.add_argument(
        "--table", choices=tables, metavar="TABLE", help="import only this table's sheet (%(choices)s)"
    )
    importer.set_defaults(func=cmd_import)
    for name, what in (("export", "export the stored registry data"), ("template", "write a blank template")):
        writer = sub.add_parser(name, help=f"{what} as .xlsx (one sheet per table)")
        writer.add_argument("file")
        writer.add_argument("--table", choices=tables, metavar="TABLE", help="only this table (%(choices)s)")
        writer.set_defaults(func=cmd_export)

    saver = sub.add_parser("backup", help="write the database and the evidence files to one .zip file")
    saver.add_argument("file")
    saver.set_defaults(func=cmd_backup)
    loader = sub.add_parser(
        "restore", help="load a backup into an empty database (same schema); exit 2 if refused"
    )
    loader.add_argument("file")
    loader.set_defaults(func=cmd_restore)


def _add_programme(sub: Any) -> None:
    alerts = sub.add_parser("alerts", help="print the programme alerts as of a date (default today)")
    alerts.add_argument("--as-of", type=_date, default=None, help="YYYY-MM-DD")
    alerts.add_argument("--institution", default=None, help="only this institution (code)")
    alerts.add_argument("--email", action="store_true", help="also email them if ALERT_EMAIL_ENABLED")
    alerts.set_defaults(func=cmd_alerts)

    remind = sub.add_parser(
        "remind",
        help="notify reporters of near deadlines and rectifications due, send pending emails (run daily)",
    )
    remind.add_argument("--today", type=_date, default=None, help="YYYY-MM-DD (default today)")
    remind.set_defaults(func=cmd_remind)

    worker = sub.add_parser(
        "worker", help="run the background jobs the pages queue (index computations); one per installation"
    )
    worker.add_argument(
        "--interval", type=float, default=1.0, help="seconds between looks at an empty queue (default 1)"
    )
    worker.set_defaults(func=cmd_worker)


def _add_audit_and_manage(sub: Any) -> None:
    auditor = sub.add_parser("audit", help="audit registry records by set-based queries")
    what = auditor.add_subparsers(dest="audit_what", metavar="WHAT", required=True)
    certificates = what.add_parser(
        "certificates", help="TR-1…TR-8 over every certificate of a date range: one CSV row per failure"
    )
    certificates.add_argument("--from", dest="start", default=None, help="first day YYYY-MM-DD")
    certificates.add_argument("--to", dest="end", default=None, help="last day YYYY-MM-DD (inclusive)")
    certificates.add_argument("--period", default=None, help="a period code, e.g. 2024Q3 or 2024")
    certificates.add_argument("--institution", default=None, help="only this institution (code)")
    certificates.add_argument("-o", "--output", default=None, help="CSV file (default: standard output)")
    certificates.set_defaults(func=cmd_audit)

    manage = sub.add_parser("manage", help="run a Django management command (e.g. createsuperuser)")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
