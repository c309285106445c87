"""Who is acting right now (request user, API token user, command), for the audit trail."""

from __future__ import annotations

import getpass
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Actor:
    user: Any = None
    source: str = "system"
    ip: str | None = None
    request_id: str = ""
    #: Who acts when no user does (a command: the operating-system account, :func:`os_user`).
    name: str = ""

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None and self.user.is_authenticated else None

    @property
    def username(self) -> str:
        if self.user is not None and self.user.is_authenticated:
            return str(self.user.get_username())
        return self.name


_current: ContextVar[Actor | HttpRequest | None] = ContextVar("qiangji_actor", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR only: a forwarded-for header is client-controlled unless a trusted proxy rewrites it."""
    return request.META.get("REMOTE_ADDR") or None


def current() -> Actor:
    value = _current.get()
    if isinstance(value, HttpRequest):
        return Actor(
            user=getattr(value, "user", None),
            source="api" if value.path.startswith("/api/") else "web",
            ip=client_ip(value),
            request_id=getattr(value, "request_id", ""),
        )
    return value or Actor()


@contextmanager
def acting_as(user: Any, *, source: str = "system", ip: str | None = None, name: str = "") -> Iterator[Actor]:
    """Attribute every change inside the block to ``user`` (API token auth, commands, jobs); without a
    user, to ``name`` (a command's operating-system account)."""
    actor = Actor(user=user, source=source, ip=ip, request_id=uuid.uuid4().hex, name=name)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def os_user() -> str:
    """The operating-system account running a command (server access is what a command needs)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no passwd entry and no LOGNAME/USER (some containers)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def as_command() -> Any:
    """The context of a ``qiangji`` / ``manage.py`` command: source ``cli``, the OS account as actor."""
    return acting_as(None, source="cli", name=os_user())


@contextmanager
def for_request(request: HttpRequest) -> Iterator[None]:
    request.request_id = uuid.uuid4().hex  # type: ignore[attr-defined]
    token = _current.set(request)
    try:
        yield
    finally:
        _current.reset(token)
