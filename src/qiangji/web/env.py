"""Tiny typed readers of environment variables that fail loudly on a bad value."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name) or default).expanduser().resolve()


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


#: qiangji's SQLite back end (:mod:`qiangji.web.sqlite`: Django's, with the DELETE guards' flush switch).
SQLITE_ENGINE = "qiangji.web.sqlite"


def sqlite_database(name: str | Path) -> dict[str, object]:
    """Django DATABASES entry for the SQLite file ``name``, set up for several writers at once.

    Every transaction starts ``BEGIN IMMEDIATE``: it takes the write lock first and waits for it up to
    QIANGJI_SQLITE_TIMEOUT seconds (default 20), so two saves of the same record run one after the other
    and the second meets the first one's version (the documented 409 / "保存被拒绝"). With the default
    deferred start a transaction that had read before writing failed at once with "database is locked"
    (HTTP 500). WAL lets readers go on while one writes.

    Each server thread keeps its connection for up to a minute (as on PostgreSQL): opening one, with its
    PRAGMAs, and closing it cost more than a public page served from the page cache (issue 17).
    """
    return {
        "ENGINE": SQLITE_ENGINE,
        "NAME": name,
        "CONN_MAX_AGE": 60,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("QIANGJI_SQLITE_TIMEOUT", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def database_from_url(url: str) -> dict[str, object]:
    """Django DATABASES entry from ``postgres://user:pass@host:port/name`` or ``sqlite:///path``."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "qiangji",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    if parsed.scheme == "sqlite":
        return sqlite_database(unquote(parsed.path) or ":memory:")
    raise ImproperlyConfigured(f"DATABASE_URL must start with postgres:// or sqlite://, got {url!r}")


def postgres_from_pg_env() -> dict[str, object]:
    """Django DATABASES entry from the libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("PGDATABASE", "qiangji"),
        "USER": os.environ.get("PGUSER", ""),
        "PASSWORD": os.environ.get("PGPASSWORD", ""),
        "HOST": os.environ.get("PGHOST", ""),
        "PORT": os.environ.get("PGPORT", ""),
        "CONN_MAX_AGE": 60,
    }
