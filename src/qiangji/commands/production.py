"""`qiangji serve --production`: refuse to start on an unready database or configuration, collect the static
files, then serve the WSGI application under waitress (README, "Deployment (intranet)").

Order of the checks: the settings (production needs SECRET_KEY and ALLOWED_HOSTS from the environment), the
migrations (never serve a schema the code does not expect; applying them is an operator's decision, after a
backup), collectstatic (the admin's CSS/JS, hashed for WhiteNoise), then ``check --deploy --fail-level
WARNING``. Each refusal prints one clear message to stderr and exits 2; nothing is served.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

PREFIX = "qiangji serve --production"
#: Headers waitress takes from the TLS proxy: the client's address (audit trail, login and API throttles
#: read REMOTE_ADDR) and the scheme. Only from QIANGJI_TRUSTED_PROXY; anyone else's are removed.
PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto"})
#: Room for the multipart framing and form fields around the largest accepted upload.
BODY_MARGIN_BYTES = 1024 * 1024


class Refused(Exception):
    """The server must not start; the message says why and what to do."""


@dataclass(frozen=True)
class ServerOptions:
    host: str
    port: int
    threads: int


def serve_production(options: ServerOptions) -> int:
    """Run the start-up checks, then serve until interrupted; 2 with a message if a check refuses."""
    try:
        _setup()
        _check_migrations()
        _collectstatic()
        _check_deploy()
        kwargs = waitress_options(options)
    except Refused as exc:
        print(f"{PREFIX}: refused, not serving: {exc}", file=sys.stderr)
        return 2
    from django.core.wsgi import get_wsgi_application
    from waitress import serve

    _announce(options, kwargs)
    serve(get_wsgi_application(), **kwargs)
    return 0


def _setup() -> None:
    os.environ.setdefault("QIANGJI_ENV", "production")
    if os.environ["QIANGJI_ENV"] != "production":
        raise Refused(f"QIANGJI_ENV must be production (or unset), got {os.environ['QIANGJI_ENV']!r}")
    from django.core.exceptions import ImproperlyConfigured

    from qiangji.commands.database import setup_django

    try:
        setup_django(None)
    except ImproperlyConfigured as exc:
        raise Refused(f"{exc} (see README, Deployment)") from None


def unapplied_migrations() -> tuple[list[str], bool]:
    """``app.name`` of every migration the database still lacks, in the order `migrate` would apply them,
    and whether the database is new (no migration applied at all)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    missing = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    return missing, not executor.loader.applied_migrations


def _check_migrations() -> None:
    from django.db import DatabaseError
    from django.db.migrations.exceptions import InconsistentMigrationHistory

    try:
        missing, new = unapplied_migrations()
    except DatabaseError as exc:
        raise Refused(f"cannot read the database ({exc}); check DATABASE_URL / DATA_DIR") from None
    except InconsistentMigrationHistory as exc:
        raise Refused(f"the database's migration history is inconsistent: {exc}") from None
    if new:
        raise Refused("the database is empty (no migration applied): run `qiangji manage migrate` first")
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise Refused(
            f"the database has {len(missing)} unapplied migration(s): {shown}. "
            "Back it up (`qiangji backup FILE`), run `qiangji manage migrate`, then start again"
        )


def _collectstatic() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def _check_deploy() -> None:
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=True, fail_level="WARNING", verbosity=0)
    except SystemCheckError as exc:
        raise Refused(f"`check --deploy` found problems:\n{exc}") from None


def waitress_options(options: ServerOptions) -> dict[str, Any]:
    """Keyword arguments of `waitress.serve`: address, threads, body limit and, behind the TLS proxy, the
    proxy whose forwarded headers are trusted (QIANGJI_TRUSTED_PROXY, default 127.0.0.1)."""
    from django.conf import settings

    kwargs: dict[str, Any] = {
        "host": options.host,
        "port": options.port,
        "threads": options.threads,
        "ident": None,  # no Server header naming the software
        "max_request_body_size": max_body_bytes(),
        "clear_untrusted_proxy_headers": True,
    }
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        kwargs["trusted_proxy"] = os.environ.get("QIANGJI_TRUSTED_PROXY") or "127.0.0.1"
        kwargs["trusted_proxy_headers"] = set(PROXY_HEADERS)
        kwargs["trusted_proxy_count"] = 1
    return kwargs


def max_body_bytes() -> int:
    """Largest request body accepted: the larger upload limit (QIANGJI_MAX_UPLOAD_BYTES, or the registry
    import's QIANGJI_IMPORT_MAX_BYTES) plus the form around it; the proxy's client_max_body_size should be
    the same."""
    from django.conf import settings

    largest = max(int(settings.QIANGJI_MAX_UPLOAD_BYTES), int(settings.QIANGJI_IMPORT_MAX_BYTES))
    return largest + BODY_MARGIN_BYTES


def _announce(options: ServerOptions, kwargs: dict[str, Any]) -> None:
    proxy = kwargs.get("trusted_proxy")
    behind = f"behind the TLS proxy at {proxy}" if proxy else "no TLS proxy: every request is sent to https"
    mib = -(-kwargs["max_request_body_size"] // (1024 * 1024))
    print(
        f"qiangji: serving http://{options.host}:{options.port}/ with waitress, {options.threads} threads, "
        f"{behind}; request bodies up to {mib} MiB (proxy: client_max_body_size {mib}m)",
        flush=True,
    )
